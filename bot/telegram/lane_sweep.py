"""Shared lanes (webhook replicas on one PostgreSQL database): nothing stored is stranded.

Apart from the inbox's scheduling because only shared mode needs it. A replica that stores an
update first commits it, then tries the lane; if another replica holds the lane, that one
counts the lane's waiting updates again *after* letting it go, so it sees the update (its
read starts after the failed try, which came after the commit). A replica killed while
holding a lane cannot do that: every `SWEEP_SECONDS` each replica looks for lanes whose
oldest waiting update is older than `SWEEP_AGE` and tries them, so such an update waits at
most about two seconds once the dead replica's session is gone (at once for a killed
process; TCP keepalives for a lost machine).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.jobs import Repeating
from bot.telegram.ordering import FairLanes
from bot.usecases.clock import Clock
from bot.usecases.inbox import InboxStorage

log = logging.getLogger(__name__)

# How often each replica looks for lanes nobody took, and how long an update waits before
# such a look counts it as possibly stranded.
SWEEP_SECONDS = 1.0
SWEEP_AGE = 1.0


class LaneSweep:
    """Looks, in the background, for lanes whose updates wait too long, and tries them."""

    def __init__(self, storage: InboxStorage, clock: Clock, lanes: FairLanes) -> None:
        self._storage = storage
        self._clock = clock
        self._lanes = lanes
        self._job = Repeating(
            "inbox-sweep", SWEEP_SECONDS, self._sweep_once, first_delay=SWEEP_SECONDS
        )

    def start(self) -> None:
        """Sweep every `SWEEP_SECONDS` until stopped."""
        self._job.start()

    async def stop(self) -> None:
        """Stop sweeping."""
        await self._job.stop()

    async def _sweep_once(self) -> None:
        """Try the lanes whose oldest update has waited too long (their replica died
        holding them, or nobody tried them yet)."""
        try:
            now = self._clock.now()
            lanes = await self._storage.inbox_lanes(now - timedelta(seconds=SWEEP_AGE))
        except Exception as error:  # the next round tries again
            log.warning("inbox_sweep_failed", extra={"error": type(error).__name__})
            return
        for lane, _, urgent in lanes:
            if not self._lanes.holds(lane):
                self._lanes.notify(lane, urgent=urgent)
