"""Per-account rate limiting: a person typing fast is fine; a flood is slowed down kindly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.usecases.clock import Clock

Verdict = Literal["ok", "warn", "drop"]


@dataclass
class _Bucket:
    tokens: float
    updated: datetime
    warned: bool = False


class Throttle:
    """A token bucket per account: `burst` updates at once, then `per_second` on average."""

    def __init__(self, clock: Clock, burst: int = 20, per_second: float = 0.5) -> None:
        self._clock = clock
        self._burst = float(burst)
        self._rate = per_second
        self._buckets: dict[str, _Bucket] = {}
        self._checks = 0

    def check(self, account: str) -> Verdict:
        """'ok'; 'warn' the first time the bucket is empty (say "doucement" once); else 'drop'."""
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
            bucket.warned = False
            return "ok"
        if bucket.warned:
            return "drop"
        bucket.warned = True
        return "warn"

    def _forget_idle(self, now: datetime) -> None:
        # A full bucket carries no information: dropping it keeps memory flat.
        refill = self._burst / self._rate
        self._buckets = {
            account: bucket
            for account, bucket in self._buckets.items()
            if (now - bucket.updated).total_seconds() < refill
        }
