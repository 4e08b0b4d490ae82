"""Background work that answers no one in particular: retention purge, reminder scan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.invitation_pictures import remove_stale_pictures
from bot.services import Services
from bot.usecases.sharing import SharedWork

log = logging.getLogger(__name__)

DAY = 24 * 60 * 60.0
SCAN_EVERY = 60.0
# The purge never runs at start-up: a wrong clock at boot gets an hour to be noticed and fixed.
PURGE_FIRST_DELAY = 60 * 60.0
# A QR code holds a working link: it should not outlive the link by long.
PICTURES_EVERY = 5 * 60.0


class Repeating:
    """Runs `work` after `first_delay` (now by default), then every `interval` seconds, until
    stopped; a failure waits for the next round instead of ending the loop."""

    def __init__(
        self,
        name: str,
        interval: float,
        work: Callable[[], Awaitable[object]],
        beat: Callable[[str], Awaitable[None]] | None = None,
        *,
        first_delay: float = 0.0,
        sharing: SharedWork | None = None,
    ) -> None:
        self._name = name
        # Webhook replicas: a round runs only while holding the job's lock (one replica at a
        # time); a replica that finds it held skips that round.
        self._sharing = sharing
        self._interval = interval
        self._work = work
        self._first_delay = first_delay
        # Called after each successful round: the health check reads it as a heartbeat.
        self._beat = beat
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Run in the background."""
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        """Stop between two rounds (each round's writes are their own transactions)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        await asyncio.sleep(self._first_delay)
        while True:
            try:
                if await self._round() and self._beat is not None:
                    await self._beat(self._name)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # one failed round must not stop the next
                log.error("job_failed", extra={"job": self._name, "error": type(error).__name__})
            await asyncio.sleep(self._interval)

    async def _round(self) -> bool:
        """One round, if this replica may run it now; True when it ran."""
        sharing = self._sharing
        if sharing is None or not sharing.shared:
            await self._work()
            return True
        if not await sharing.claim_job(self._name):
            return False
        try:
            await self._work()
        finally:
            await sharing.release_job(self._name)
        return True


def heartbeat(services: Services) -> Callable[[str], Awaitable[None]]:
    """Record a loop's round in storage, where /healthz and `equipage doctor` read it."""

    async def beat(name: str) -> None:
        await services.storage.beat(name, services.clock.now())

    return beat


def daily_purge(services: Services) -> Repeating:
    """Erase persons past the retention period: an hour after start-up, then once a day."""
    settings = services.settings
    return Repeating(
        "daily-purge",
        DAY,
        lambda: services.rights.purge(settings.retention_days, settings.purge_max_percent),
        heartbeat(services),
        first_delay=PURGE_FIRST_DELAY,
        sharing=services.sharing,
    )


def picture_sweeper(services: Services) -> Repeating:
    """Remove invitation QR codes within minutes of their link being used or expiring."""
    return Repeating("invitation-pictures", PICTURES_EVERY, lambda: remove_stale_pictures(services))


def reminder_scanner(services: Services) -> Repeating:
    """One repeating job over the reminders index: no scheduler job per person. The same
    round tells each person whose call request nobody acknowledged within a working day."""

    async def scan() -> None:
        await services.reminders.scan()
        await services.safety.follow_up()

    return Repeating(
        "reminder-scanner", SCAN_EVERY, scan, heartbeat(services), sharing=services.sharing
    )


def inbox_pruner(services: Services) -> Repeating:
    """Forget handled updates after a day (ids only are left) and set-aside ones after a week."""

    async def prune() -> None:
        now = services.clock.now()
        await services.storage.inbox_prune(now - timedelta(days=1), now - timedelta(days=7))

    return Repeating("inbox-pruner", DAY / 4, prune, heartbeat(services), sharing=services.sharing)
