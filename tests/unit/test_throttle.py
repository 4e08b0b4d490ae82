"""Per-account rate limiting, driven by an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.usecases.throttle import Throttle


class Clock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 26, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment


def test_a_burst_passes_then_one_warning_then_silence_until_it_refills() -> None:
    clock = Clock()
    throttle = Throttle(clock, burst=5, per_second=1)
    assert [throttle.check("a") for _ in range(5)] == ["ok"] * 5
    assert throttle.check("a") == "warn"
    assert throttle.check("a") == "drop"
    assert throttle.check("b") == "ok"  # someone else is not affected
    clock.moment += timedelta(seconds=2)
    assert throttle.check("a") == "ok"
    assert throttle.check("a") == "ok"
    assert throttle.check("a") == "warn"


def test_idle_accounts_are_forgotten() -> None:
    clock = Clock()
    throttle = Throttle(clock, burst=2, per_second=1)
    for number in range(999):
        throttle.check(f"account {number}")
    clock.moment += timedelta(seconds=10)
    throttle.check("last")
    assert len(throttle._buckets) == 1
