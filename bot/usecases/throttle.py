"""Per-account rate limiting, checked when an update arrives (not when it is handled).

A person typing at human pace (about one action a second, through a whole dialogue) stays
well inside the limit; a flood is refused past its burst, without slowing anyone else.

Words stating distress are never refused, but only the first few in a minute from one
account go before everything else: past that, someone flooding with such words waits in
their own lane like any message (still screened when handled), so they cannot use the
words to jump every queue or bypass the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.usecases.clock import Clock


@dataclass
class _Bucket:
    tokens: float
    updated: datetime


# Distress messages per account that go first: this many at once, then this many a minute.
DISTRESS_BURST = 3
DISTRESS_PER_MINUTE = 3


class Throttle:
    """A token bucket per account: `burst` updates at once, then `per_second` on average."""

    def __init__(self, clock: Clock, burst: int = 20, per_second: float = 1.5) -> None:
        self._clock = clock
        self._whole = (float(burst), per_second)
        self._burst = float(burst)
        self._rate = per_second
        self._buckets: dict[str, _Bucket] = {}
        self._checks = 0
        self._distress: Throttle | None = None

    def admit(self, account: str) -> bool:
        """True when this account's new update fits in its allowance (and uses it)."""
        now = self._clock.now()
        self._checks += 1
        if self._checks % 1000 == 0:
            self._forget_idle(now)
        bucket = self._buckets.get(account)
        if bucket is None:
            bucket = self._buckets[account] = _Bucket(self._burst, now)
        elapsed = max(0.0, (now - bucket.updated).total_seconds())
        bucket.tokens = min(self._burst, bucket.tokens + elapsed * self._rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return True
        return False

    def share(self, replicas: int) -> None:
        """Webhook replicas behind a round-robin proxy each see about 1/`replicas` of an
        account's updates: each keeps that share of the allowance, so together they allow
        what one process would (at least one update at once)."""
        burst, rate = self._whole
        replicas = max(1, replicas)
        self._burst = max(1.0, burst / replicas)
        self._rate = rate / replicas

    def first_in_line(self, account: str) -> bool:
        """True when this account's distress message goes before everything else (its first
        few in a minute); False means: queue it like any message, never refuse it."""
        if self._distress is None:
            self._distress = Throttle(self._clock, DISTRESS_BURST, DISTRESS_PER_MINUTE / 60)
        self._distress._clock = self._clock  # one clock for both (tests replace it)
        return self._distress.admit(account)

    def _forget_idle(self, now: datetime) -> None:
        # A full bucket carries no information: dropping it keeps memory flat.
        refill = self._burst / self._rate
        self._buckets = {
            account: bucket
            for account, bucket in self._buckets.items()
            if (now - bucket.updated).total_seconds() < refill
        }
