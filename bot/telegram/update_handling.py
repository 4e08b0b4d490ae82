"""One stored update through the PTB handlers: parsed, run in a task of its own, and what
becomes of it when it fails.

Apart from the scheduling because this is where an update's fate is decided, whoever took
its lane: handled ("processed"), tried again after a failure that committed nothing
("retry"), or set aside — unparseable, failing `MAX_ATTEMPTS` times, or in hand each time
the process died that often — so that one bad update never takes the bot down or blocks its
chat for ever. A set-aside update is logged by id, reason and exception type, never by its
content.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from telegram import Update

from bot.domain import InboxEntry
from bot.handling import Handling, current_handling
from bot.services import Services
from bot.telegram.refusals import Refusals
from bot.usecases.inbox import InboxStorage
from bot.usecases.replay import current_update

log = logging.getLogger(__name__)

# An update whose handling kept failing (or killed the process) this many times is set aside.
MAX_ATTEMPTS = 3

Application = Any  # PTB's Application; only process_update and bot are used

# "noted": set aside by storage already (inbox_failed); the others are for the inbox to mark.
Outcome = Literal["processed", "set_aside", "retry", "noted"]


class UpdateHandling:
    """Hands stored updates to the handlers and counts what came of them."""

    def __init__(self, application: Application, services: Services) -> None:
        self._application = application
        self._services = services
        self._storage: InboxStorage = services.storage
        self._refusals = Refusals(application, services.catalogs)
        self.processed = 0
        self.set_aside = 0

    async def handle(
        self, entry: InboxEntry, handling: Handling | None, counted: bool = False
    ) -> Outcome:
        """Handle one update; `counted`: its try was counted before (replicas sharing lanes)."""
        if entry.attempts >= MAX_ATTEMPTS:
            # In hand each time the process died: do not let it take the bot down again.
            return self._aside(entry, "crashed", "attempts")
        if entry.status == "refused":
            await self._handled(handling, lambda: self._refusals.refuse(entry))
            return "processed"
        self._refusals.accepted(entry.lane)
        try:
            update = Update.de_json(entry.raw, self._application.bot)
        except Exception as error:  # PTB raises many kinds on malformed updates
            return self._aside(entry, "unparseable", type(error).__name__)
        if update is None:
            return self._aside(entry, "unparseable", "empty")
        try:
            await self._handled(handling, lambda: self._process(update, entry.update_id))
        except Exception as error:  # handler errors go to the error handler; this is the rest
            if handling is not None and handling.marked:
                # Its effect (or its reply) is committed: handling it again would repeat it.
                log.warning("update_failed_after_effect", extra={"update": entry.update_id})
                self.processed += 1
                return "processed"
            now = self._services.clock.now()
            if await self._storage.inbox_failed(entry.update_id, MAX_ATTEMPTS, now, counted):
                self._aside(entry, "failed", type(error).__name__)
                return "noted"
            log.warning("update_retry", extra={"update": entry.update_id})
            await asyncio.sleep(0.5)
            return "retry"
        self.processed += 1
        return "processed"

    async def _handled(
        self, handling: Handling | None, work: Callable[[], Awaitable[None]]
    ) -> None:
        """`work()` in a task of its own: each update gets a fresh copy of the context
        variables, and the update's mark follows that task only."""

        async def run() -> None:
            if handling is not None:
                handling.task = asyncio.current_task()
                current_handling.set(handling)
            await work()

        await asyncio.create_task(run())

    async def _process(self, update: Update, update_id: int) -> None:
        current_update.set(update_id)
        await self._application.process_update(update)

    def _aside(self, entry: InboxEntry, reason: str, error: str) -> Literal["set_aside"]:
        # The id, the reason and the exception's type: never the update's content.
        self.set_aside += 1
        log.error(
            "update_set_aside",
            extra={"update": entry.update_id, "reason": reason, "error": error},
        )
        return "set_aside"
