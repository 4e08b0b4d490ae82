"""A clock the test moves by hand: time is driven, never slept."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


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


# Tuesday 1 December 2026, 10:00 in Paris (09:00 UTC): inside everyone's allowed hours.
DAYTIME = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


# One origin for the whole run, so that a bot restarted within a test finds time where the
# first one left it (a retry scheduled a few seconds ahead stays a few seconds ahead).
_ORIGIN = time.monotonic()


class DaytimeClock:
    """Real time passing, but from a Tuesday morning: a suite run at night or on Sunday sees
    the same bot as one run at 10h, since messages to a person wait out their quiet hours."""

    def __init__(self, start: datetime = DAYTIME) -> None:
        self._start = start
        self._origin = _ORIGIN

    def now(self) -> datetime:
        """The start moment plus the real time elapsed since."""
        return self._start + timedelta(seconds=time.monotonic() - self._origin)
