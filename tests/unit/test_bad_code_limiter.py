"""Failed invitation attempts are forgotten after their window, not kept per account for ever."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.usecases.invitations import BadCodeLimiter
from tests.clock import ManualClock


def test_accounts_that_failed_once_and_left_are_forgotten() -> None:
    clock = ManualClock(datetime(2026, 11, 26, 10, 0, tzinfo=UTC))
    limiter = BadCodeLimiter(clock, attempts=5, window=timedelta(minutes=10))
    for account in range(10_000):
        limiter.failed(f"telegram:{account}")
    assert limiter.tracked == 10_000
    clock.advance(minutes=11)
    limiter.failed("telegram:latecomer")
    assert limiter.tracked == 1


def test_one_account_keeps_a_bounded_record_and_is_still_blocked() -> None:
    clock = ManualClock(datetime(2026, 11, 26, 10, 0, tzinfo=UTC))
    limiter = BadCodeLimiter(clock, attempts=5, window=timedelta(minutes=10))
    for _ in range(10_000):
        limiter.failed("telegram:1")
    assert limiter.blocked("telegram:1")
    assert len(limiter._failures["telegram:1"]) == 5
    clock.advance(minutes=11)
    assert not limiter.blocked("telegram:1")
    assert limiter.tracked == 0
