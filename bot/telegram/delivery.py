"""The outbox courier: delivers queued messages, with retries, until Telegram confirms."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

import httpx
from telegram import Bot, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.domain import OutboxItem, OutboxMessage
from bot.messages import SummaryToWorker, Unrenderable
from bot.services import Services
from bot.telegram.health import Vitals
from bot.telegram.outgoing import (
    DocumentPart,
    Part,
    PhotoPart,
    TextPart,
    VoicePart,
    parts_for,
)
from bot.telegram.render import png_file, split_text

log = logging.getLogger(__name__)

IDLE_CHECK = 30.0  # also the heartbeat's period: /healthz allows 120 s
COURIER_JOB = "outbox-courier"
# Another replica's courier is delivering: look again after this long.
BUSY_WAIT = 2.0
# How long a stop waits for the message in flight (PTB's own timeouts are shorter).
STOP_GRACE = 15.0
MAX_BACKOFF = timedelta(minutes=10)
# Sends wait this long for Telegram's answer (PTB's default is 5 s): a slow answer is far
# more common than a lost request, and a send we stop waiting for may well have gone out.
SEND_READ_TIMEOUT = 60.0


class OutboxCourier:
    """One background task; woken when something is queued, else when a retry is due."""

    def __init__(self, bot: Bot, services: Services, vitals: Vitals | None = None) -> None:
        self._bot = bot
        self._services = services
        self._vitals = vitals
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        """Start delivering in the background."""
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="outbox-courier")

    async def stop(self) -> None:
        """Stop between two messages, never inside one: a message sent but not yet marked
        delivered would be sent again at the next start."""
        if self._task is None:
            return
        self._stopping = True
        self._services.outbox_signal.wake()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=STOP_GRACE)
        except TimeoutError:
            # Stuck on the network: give up the wait; at worst one message goes out twice.
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    async def _run(self) -> None:
        storage = self._services.storage
        sharing = self._services.sharing
        while not self._stopping:
            wait = IDLE_CHECK
            try:
                # Webhook replicas: one courier delivers at a time (its job lock), so no
                # message goes twice. The holder reads what is due again after letting go,
                # so a message queued meanwhile by another replica is not left waiting.
                if await sharing.claim_job(COURIER_JOB):
                    try:
                        await self.deliver_due()
                    finally:
                        await sharing.release_job(COURIER_JOB)
                    next_due = await storage.next_outbox_due()
                    if next_due is not None:
                        wait = min(wait, (next_due - self._services.clock.now()).total_seconds())
                else:
                    wait = BUSY_WAIT
                await self._beat()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the courier must outlive any one failure
                log.error("outbox_loop_failed", extra={"error": type(error).__name__})
            await self._services.outbox_signal.wait(max(0.0, wait))

    async def _beat(self) -> None:
        """Heartbeats for the health check: this loop, and the process's last API success."""
        now = self._services.clock.now()
        await self._services.storage.beat("courier", now)
        if self._vitals is not None and self._vitals.api_ok_at is not None:
            at = datetime.fromtimestamp(self._vitals.api_ok_at, UTC)
            await self._services.storage.beat("bot-api", at)

    async def deliver_due(self) -> None:
        """Try every message that is due now, oldest first (until asked to stop)."""
        for item in await self._services.storage.due_outbox(self._services.clock.now()):
            if self._stopping:
                return
            await self._deliver(item)

    async def _recipient(self, message: OutboxMessage) -> tuple[int | None, str, str | None]:
        """Chat, language and (for a worker) name of whoever the message is for."""
        storage = self._services.storage
        if message.recipient_kind == "worker":
            found_worker = await storage.get_worker(message.recipient_id)
            if found_worker is None or not found_worker.active:
                return None, "fr", None
            return found_worker.chat_id, found_worker.language, found_worker.name
        found_person = await storage.get_person(message.recipient_id)
        if found_person is None:
            return None, "fr", None
        return found_person.chat_id, found_person.language, None

    async def _deliver(self, item: OutboxItem) -> None:
        storage = self._services.storage
        now = self._services.clock.now()
        message = item.message
        if isinstance(message.body, Unrenderable):
            # Stored by a version of the bot that knew this kind or version; this one does
            # not, and would fail the same way at every try: set it aside.
            await self._give_up(item, "unrenderable")
            log.error(
                "outbox_unrenderable",
                extra={"item": item.id, "kind": message.kind, "error": message.body.reason},
            )
            return
        chat_id, language, worker_name = await self._recipient(message)
        if chat_id is None:
            await self._give_up(item, "no_recipient")
            return
        # Re-checked here, as settings may have changed since it was queued; a message half
        # sent is finished rather than cut.
        held = await self._services.reminders.held_until(message)
        if held is not None and item.parts_sent == 0:
            await storage.outbox_hold(item.id, held)
            log.info("outbox_held", extra={"item": item.id, "kind": message.kind})
            return
        translator = self._services.catalogs.translator(language)
        try:
            parts = one_message_each(await parts_for(message, self._services, translator))
        except (KeyError, ValueError, TypeError, LookupError) as error:
            # A message that cannot be rendered would fail the same way at every try and,
            # being the oldest, hold back every message queued behind it: set it aside.
            await self._give_up(item, "unrenderable")
            log.error("outbox_unrenderable", extra={"item": item.id, "error": type(error).__name__})
            return
        try:
            # A part already sent before a crash or a failure is never sent again.
            for index in range(item.parts_sent, len(parts)):
                try:
                    await self._send(chat_id, parts[index])
                except NetworkError as error:
                    if not may_have_arrived(error):
                        raise
                    # Telegram may have it: the Bot API offers no way to check, and sending
                    # again would show it twice. Counted as sent; the operator sees the log.
                    log.warning("outbox_unconfirmed", extra={"item": item.id, "part": index})
                await storage.outbox_part_sent(item.id, index + 1)
        except RetryAfter as error:
            delay = error.retry_after
            seconds = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
            await storage.outbox_retry(item.id, now + timedelta(seconds=seconds))
            log.info("outbox_retry_after", extra={"item": item.id})
        except Forbidden:
            # The recipient marked unreachable first: whoever sees the failed row sees both.
            if message.recipient_kind == "worker":
                await storage.set_worker_reachable(message.recipient_id, False)
            else:
                # Not retried forever: reminders skip them until they write again.
                await storage.set_person_reachable(message.recipient_id, False)
            await self._give_up(item, "forbidden")
            log.info("outbox_recipient_unreachable", extra={"item": item.id})
        except BadRequest as error:
            # Permanent: retrying the same request would fail the same way.
            await self._give_up(item, "bad_request")
            log.error("outbox_bad_request", extra={"item": item.id, "error": type(error).__name__})
        except (NetworkError, TelegramError):
            backoff = min(MAX_BACKOFF, timedelta(seconds=2 ** min(item.attempts, 10)))
            await storage.outbox_retry(item.id, now + backoff)
            log.info("outbox_retry", extra={"item": item.id, "attempt": item.attempts + 1})
        else:
            if isinstance(message.body, SummaryToWorker):
                # The outbox row and the summary are marked delivered in one transaction.
                await self._services.summaries.delivery.delivered(
                    message.body.summary_id, worker_name or "", outbox_item=item.id
                )
            else:
                await storage.outbox_delivered(item.id, now)
            log.info("outbox_delivered", extra={"item": item.id, "kind": message.kind})

    async def _give_up(self, item: OutboxItem, reason: str) -> None:
        await self._services.storage.outbox_failed(item.id, self._services.clock.now(), reason)
        if isinstance(item.message.body, SummaryToWorker):
            await self._services.summaries.delivery.failed(item.message.body.summary_id)

    async def _send(self, chat_id: int, part: Part) -> None:
        if isinstance(part, VoicePart):
            # By file id: Telegram keeps the recording; we never store the sound ourselves.
            try:
                await self._bot.send_voice(
                    chat_id,
                    part.file_id,
                    caption=part.caption or None,
                    reply_markup=part.markup,
                    read_timeout=SEND_READ_TIMEOUT,
                )
            except BadRequest:
                # A recording Telegram no longer has must not hold back the rest of the message.
                log.info("outbox_voice_unavailable")
                await self._bot.send_message(
                    chat_id,
                    part.caption or "🎤",
                    reply_markup=part.markup,
                    read_timeout=SEND_READ_TIMEOUT,
                )
        elif isinstance(part, DocumentPart):
            await self._bot.send_document(
                chat_id,
                InputFile(part.data, filename=part.filename),
                caption=part.caption,
                reply_markup=part.markup,
                read_timeout=SEND_READ_TIMEOUT,
            )
        elif isinstance(part, PhotoPart):
            await self._bot.send_photo(
                chat_id,
                png_file(part.png, "forces"),
                caption=part.caption,
                reply_markup=part.markup,
                read_timeout=SEND_READ_TIMEOUT,
            )
        else:
            # HTML parts are cut to size when built (outgoing.summary_html).
            await self._bot.send_message(
                chat_id,
                part.text,
                parse_mode=ParseMode.HTML if part.html else None,
                reply_markup=part.markup,
                read_timeout=SEND_READ_TIMEOUT,
            )


def one_message_each(parts: list[Part]) -> list[Part]:
    """Split long plain texts into pieces, each its own part: a retry resumes after the last
    piece sent, never re-sending earlier pieces. Buttons go on the last piece."""
    flat: list[Part] = []
    for part in parts:
        if isinstance(part, PhotoPart | VoicePart | DocumentPart) or part.html:
            flat.append(part)
            continue
        pieces = split_text(part.text)
        for index, piece in enumerate(pieces):
            markup = part.markup if index == len(pieces) - 1 else None
            flat.append(TextPart(piece, markup=markup))
    return flat


def may_have_arrived(error: NetworkError) -> bool:
    """True when the request was sent and its answer lost: Telegram may have done it.

    A connection never made (connect error or timeout, full pool) is safe to retry."""
    cause = error.__cause__
    return isinstance(cause, httpx.ReadTimeout | httpx.ReadError | httpx.RemoteProtocolError)
