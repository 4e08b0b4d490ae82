"""Polling mode: our own getUpdates loop, so the offset moves only past stored updates.

PTB's Updater parses updates before anything else sees them: one it cannot parse stops the
offset for good, and it logs the update's content. Here the raw JSON goes to the inbox
first; the offset is moved (by the next call) only once `Inbox.receive` stored the batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram.error import RetryAfter

from bot.services import Services
from bot.telegram.health import HealthCheck, Vitals, serve_health
from bot.telegram.inbox import Inbox
from bot.telegram.startup import (
    ALLOWED_UPDATES,
    run_until_signalled,
    shut_down,
    wait_for_telegram,
)

log = logging.getLogger(__name__)

BACKOFF_MAX = 30.0


class Poller:
    """Long-polls getUpdates and hands each batch to the inbox before confirming it."""

    def __init__(
        self,
        bot: Any,
        inbox: Inbox,
        vitals: Vitals,
        allowed_updates: list[str],
        *,
        timeout: int = 10,
    ) -> None:
        self._bot = bot
        self._inbox = inbox
        self._vitals = vitals
        self._allowed = allowed_updates
        self._timeout = timeout
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        # True while a batch is being stored: a cancellation then could cut a transaction.
        self._storing = False

    async def start(self) -> None:
        """Leave webhook mode if it was on (keeping pending updates), then poll."""
        await self._bot.delete_webhook(drop_pending_updates=False)
        self._task = asyncio.create_task(self._run(), name="poller")

    async def stop(self) -> None:
        """Stop asking; a batch received but not yet stored is simply fetched again next time."""
        if self._task is not None:
            self._stopping = True
            if not self._storing:
                # Waiting on the network: safe to cut; otherwise let the batch be stored.
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        offset: int | None = None
        backoff = 1.0
        while not self._stopping:
            if self._inbox.full:
                await asyncio.sleep(1.0)
                continue
            try:
                batch = await self._fetch(offset)
                self._storing = True
                try:
                    await self._inbox.receive(batch)
                finally:
                    self._storing = False
            except asyncio.CancelledError:
                raise
            except RetryAfter as error:
                await asyncio.sleep(float(error.retry_after))  # type: ignore[arg-type]
                continue
            except Exception as error:  # network, Telegram or storage: never stop polling
                # Nothing moved the offset: the same updates are asked again after a pause.
                log.warning("polling_failed", extra={"error": type(error).__name__})
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
                continue
            backoff = 1.0
            ids = [item["update_id"] for item in batch if _has_id(item)]
            if ids:
                offset = max(ids) + 1
            elif batch:
                # Only invalid items: nothing to store, but they must not come back for ever.
                log.warning("polling_batch_invalid", extra={"count": len(batch)})

    async def _fetch(self, offset: int | None) -> list[Any]:
        data: dict[str, Any] = {"timeout": self._timeout, "allowed_updates": self._allowed}
        if offset is not None:
            data["offset"] = offset
        # The raw list, unparsed: parsing happens per update, in the inbox's lanes.
        result = await self._bot._post(
            "getUpdates", data, read_timeout=self._timeout + 10.0, connect_timeout=10.0
        )
        self._vitals.api_ok()
        return result if isinstance(result, list) else []


def _has_id(item: object) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("update_id"), int)
        and not isinstance(item.get("update_id"), bool)
    )


async def start_polling(application: Any, *, poll_seconds: int = 10) -> Poller:
    """Poll into the running application's inbox (after post_init); kept in bot_data."""
    poller = Poller(
        application.bot,
        application.bot_data["inbox"],
        application.bot_data["vitals"],
        ALLOWED_UPDATES,
        timeout=poll_seconds,
    )
    application.bot_data["poller"] = poller
    await poller.start()
    return poller


async def stop_polling(application: Any) -> None:
    """Stop fetching updates (those stored are handled, or wait for the next start)."""
    poller: Poller | None = application.bot_data.pop("poller", None)
    if poller is not None:
        await poller.stop()


async def serve_polling(application: Any, services: Services, stop: asyncio.Event) -> None:
    """Run in polling mode until `stop` is set, with a loopback /healthz if configured.

    Telegram unreachable at start-up (network down at boot) is waited out, up to
    EQUIPAGE_STARTUP_WAIT seconds."""
    if not await wait_for_telegram(application, services.settings.startup_wait, stop):
        await application.shutdown()
        return
    if application.post_init is not None:
        await application.post_init(application)
    await start_polling(application)
    health = None
    port = services.settings.health_port
    if port is not None:
        check = HealthCheck(
            services.storage, application.bot_data["vitals"], application.bot, services.clock
        )
        health = await serve_health(check, "127.0.0.1", port)
    await application.start()
    log.info("polling_mode_started")
    try:
        await stop.wait()
    finally:
        await stop_polling(application)
        if health is not None:
            await health.cleanup()
        await shut_down(application)
        log.info("polling_mode_stopped")


def run_polling(application: Any, services: Services) -> None:
    """`equipage run` in polling mode: until SIGTERM or SIGINT."""
    run_until_signalled(lambda stop: serve_polling(application, services, stop))
