"""Background work that answers no one in particular: retention purge, reminder scan."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.services import Services

log = logging.getLogger(__name__)

DAY = 24 * 60 * 60.0


class DailyPurge:
    """Erases persons past the retention period: at start-up, then once a day."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Run in the background."""
        self._task = asyncio.create_task(self._run(), name="daily-purge")

    async def stop(self) -> None:
        """Stop waiting; a purge in progress is one transaction per person, so it stays whole."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self._services.rights.purge(self._services.settings.retention_days)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a failed purge must not stop the next one
                log.error("retention_purge_failed", extra={"error": type(error).__name__})
            await asyncio.sleep(DAY)


SCAN_EVERY = 60.0


class ReminderScanner:
    """One repeating job over the reminders index: no scheduler job per person."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Scan now, then every minute."""
        self._task = asyncio.create_task(self._run(), name="reminder-scanner")

    async def stop(self) -> None:
        """Stop between two scans; each claim is a transaction, so nothing is half-sent."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self._services.reminders.scan()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # one failed scan must not stop the next
                log.error("reminder_scan_failed", extra={"error": type(error).__name__})
            await asyncio.sleep(SCAN_EVERY)
