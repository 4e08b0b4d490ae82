"""Per-account rate limiting, driven by an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.usecases.throttle import Throttle


class Clock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 26, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment


def test_a_burst_passes_then_refusals_until_it_refills() -> None:
    clock = Clock()
    throttle = Throttle(clock, burst=5, per_second=1)
    assert [throttle.admit("a") for _ in range(5)] == [True] * 5
    assert throttle.admit("a") is False
    assert throttle.admit("b") is True  # someone else is not affected
    clock.moment += timedelta(seconds=2)
    assert throttle.admit("a") is True
    assert throttle.admit("a") is True
    assert throttle.admit("a") is False


def test_one_action_a_second_is_never_refused_with_the_defaults() -> None:
    clock = Clock()
    throttle = Throttle(clock)  # 20 at once, then 1.5 a second
    for _ in range(600):
        assert throttle.admit("a") is True
        clock.moment += timedelta(seconds=1)


def test_idle_buckets_are_forgotten() -> None:
    clock = Clock()
    throttle = Throttle(clock, burst=2, per_second=1)
    for number in range(999):
        throttle.admit(f"account {number}")
    clock.moment += timedelta(seconds=10)
    throttle.admit("last")
    assert len(throttle._buckets) == 1


def test_a_replica_keeps_its_share_of_each_allowance() -> None:
    """Three replicas behind round-robin each see a third of an account's updates: each
    keeps a third of the burst and of the rate, so together they allow what one would."""
    clock = Clock()
    throttle = Throttle(clock, burst=21, per_second=3)
    throttle.share(3)
    assert [throttle.admit("a") for _ in range(8)] == [True] * 7 + [False]
    clock.moment += timedelta(seconds=1)
    assert [throttle.admit("a") for _ in range(2)] == [True, False]  # 1 a second, not 3
    throttle.share(1)  # the others stopped: the whole allowance again
    clock.moment += timedelta(seconds=10)
    assert sum(throttle.admit("a") for _ in range(30)) == 21
