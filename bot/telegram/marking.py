"""The Bot API client of the running bot: a call with an effect made while handling an update
first commits that update's "processed" mark, if no write carried it yet (bot/handling.py).

So a reply is never sent for an update that a crash would have handed to the handlers again:
after a kill -9, a write-less update (/aide, a stale button) is either answered once or, if the
kill fell between its mark and its reply, not answered (the person's next message is).
"""

from __future__ import annotations

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

from bot.handling import before_effect

# Calls that change nothing the person sees: they may happen before the effect (a voice note
# fetched before its answer is stored) and must not mark the update.
WITHOUT_EFFECT = ("get", "sendChatAction")


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
        if has_effect(url, method):
            await before_effect()
        return await self._inner.do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )


def has_effect(url: str, method: str) -> bool:
    """A Bot API method that sends, edits, deletes or answers (not a read, not a download)."""
    if method != "POST" or "/file/bot" in url:
        return False
    endpoint = url.rstrip("/").rsplit("/", 1)[-1]
    return not endpoint.startswith(WITHOUT_EFFECT)
