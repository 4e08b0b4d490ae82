"""The outbox courier: delivers queued messages, with retries, until Telegram confirms."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.i18n import Translator
from bot.services import Services
from bot.storage.base import OutboxItem, OutboxMessage

log = logging.getLogger(__name__)

IDLE_CHECK = 30.0
MAX_BACKOFF = timedelta(minutes=10)


def render(message: OutboxMessage, translator: Translator) -> str:
    """The text of a queued message, in the recipient's language."""
    params = message.params
    match message.kind:
        case "person_joined":
            pseudonym = params.get("pseudonym") or translator.message("worker.no_pseudonym")
            return translator.message("worker.person_joined", pseudonym=pseudonym)
        case "worker_changed":
            return translator.message("bot.worker_changed", name=params.get("name", ""))
    raise ValueError(f"unknown outbox message kind {message.kind!r}")


class OutboxCourier:
    """One background task; woken when something is queued, else when a retry is due."""

    def __init__(self, bot: Bot, services: Services) -> None:
        self._bot = bot
        self._services = services
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start delivering in the background."""
        self._task = asyncio.create_task(self._run(), name="outbox-courier")

    async def stop(self) -> None:
        """Stop after the message in flight; the rest stays queued for next time."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        storage = self._services.storage
        while True:
            try:
                await self.deliver_due()
                next_due = await storage.next_outbox_due()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the courier must outlive any one failure
                log.error("outbox_loop_failed", extra={"error": type(error).__name__})
                next_due = None
            wait = IDLE_CHECK
            if next_due is not None:
                wait = min(IDLE_CHECK, (next_due - self._services.clock.now()).total_seconds())
            await self._services.outbox_signal.wait(max(0.0, wait))

    async def deliver_due(self) -> None:
        """Try every message that is due now, oldest first."""
        for item in await self._services.storage.due_outbox(self._services.clock.now()):
            await self._deliver(item)

    async def _recipient(self, message: OutboxMessage) -> tuple[int | None, str]:
        storage = self._services.storage
        if message.recipient_kind == "worker":
            found_worker = await storage.get_worker(message.recipient_id)
            if found_worker is None or not found_worker.active:
                return None, "fr"
            return found_worker.chat_id, found_worker.language
        found_person = await storage.get_person(message.recipient_id)
        if found_person is None:
            return None, "fr"
        return found_person.chat_id, found_person.language

    async def _deliver(self, item: OutboxItem) -> None:
        storage = self._services.storage
        now = self._services.clock.now()
        chat_id, language = await self._recipient(item.message)
        if chat_id is None:
            await storage.outbox_failed(item.id, now, "no_recipient")
            return
        text = render(item.message, self._services.catalogs.translator(language))
        try:
            await self._bot.send_message(chat_id, text)
        except RetryAfter as error:
            delay = error.retry_after
            seconds = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
            await storage.outbox_retry(item.id, now + timedelta(seconds=seconds))
            log.info("outbox_retry_after", extra={"item": item.id})
        except Forbidden:
            await storage.outbox_failed(item.id, now, "forbidden")
            if item.message.recipient_kind == "worker":
                await storage.set_worker_reachable(item.message.recipient_id, False)
            log.info("outbox_recipient_unreachable", extra={"item": item.id})
        except BadRequest as error:
            # Permanent: retrying the same request would fail the same way.
            await storage.outbox_failed(item.id, now, "bad_request")
            log.error("outbox_bad_request", extra={"item": item.id, "error": type(error).__name__})
        except (NetworkError, TelegramError):
            backoff = min(MAX_BACKOFF, timedelta(seconds=2 ** min(item.attempts, 10)))
            await storage.outbox_retry(item.id, now + backoff)
            log.info("outbox_retry", extra={"item": item.id, "attempt": item.attempts + 1})
        else:
            await storage.outbox_delivered(item.id, now)
            log.info("outbox_delivered", extra={"item": item.id})
