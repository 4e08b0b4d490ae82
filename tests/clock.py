"""A clock the test moves by hand: time is driven, never slept."""

from __future__ import annotations

from datetime import datetime, timedelta


class ManualClock:
    """Starts at a given moment (aware) and moves only when told."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def now(self) -> datetime:
        """The current (test) moment."""
        return self.moment

    def advance(self, **delta: float) -> datetime:
        """Move forward, e.g. advance(hours=1)."""
        self.moment += timedelta(**delta)
        return self.moment
