"""The Bot API client of the running bot: a call with an effect made while handling an update
first commits that update's "processed" mark, if no write carried it yet (bot/handling.py).

So a message is never sent for an update that a crash would hand to the handlers again:
after a kill -9, a write-less update (/aide) is either answered once or, if the kill fell
between its mark and its reply, not answered (the person's next message is).

Button answers are the exception: Telegram accepts one answer per press and refuses the
next ("query is too old … or query ID is invalid"). They commit no mark, so a press whose
handler died before its first write (a press that writes nothing, or one answered early) is
handled again whole after a restart; the refusal of its repeated answer is then taken as the
success it stands for.
"""

from __future__ import annotations

import logging

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

from bot.handling import before_effect, repeated

log = logging.getLogger(__name__)

# Calls that change nothing the person sees: they may happen before the effect (a voice note
# fetched before its answer is stored) and must not mark the update.
WITHOUT_EFFECT = ("get", "sendChatAction")
BUTTON_ANSWER = "answerCallbackQuery"
# How Telegram refuses a second answer to the same press (or one too late).
ALREADY_ANSWERED = (b"query is too old", b"query ID is invalid", b"QUERY_ID_INVALID")
ANSWER_TAKEN = b'{"ok":true,"result":true}'


class MarkFirstRequest(BaseRequest):
    """Wraps the HTTP client: commits the current update's mark before a call with an effect."""

    def __init__(self, inner: BaseRequest) -> None:
        self._inner = inner

    @property
    def read_timeout(self) -> float | None:
        return self._inner.read_timeout

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        button_answer = _endpoint(url) == BUTTON_ANSWER
        if has_effect(url, method) and not button_answer:
            await before_effect()
        status, payload = await self._inner.do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if button_answer and status == 400 and repeated() and _already_answered(payload):
            # Handled again after a crash: this press was answered the first time.
            log.info("button_answer_repeated")
            return 200, ANSWER_TAKEN
        return status, payload


def has_effect(url: str, method: str) -> bool:
    """A Bot API method that sends, edits, deletes or answers (not a read, not a download)."""
    if method != "POST" or "/file/bot" in url:
        return False
    return not _endpoint(url).startswith(WITHOUT_EFFECT)


def _endpoint(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def _already_answered(payload: bytes) -> bool:
    return any(marker in payload for marker in ALREADY_ANSWERED)
