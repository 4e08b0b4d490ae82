"""Telegram's limits: AIORateLimiter for the global ones, plus pacing per private chat."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram._utils.types import JSONDict
from telegram.constants import FloodLimit
from telegram.error import BadRequest
from telegram.ext import AIORateLimiter

from bot.telegram.health import Vitals

log = logging.getLogger(__name__)


# Requests no limit applies to: answering a pressed button (its spinner) goes at once, as a
# late answer is worthless, and skips the limiter's queue and retry loop (about 0.1 ms each).
UNLIMITED = frozenset({"answerCallbackQuery"})
# Telegram's limit for a whole bot (PTB's default for AIORateLimiter); EQUIPAGE_SEND_RATE.
GLOBAL_PER_SECOND = float(FloodLimit.MESSAGES_PER_SECOND)


class PacedRateLimiter(AIORateLimiter):
    """Also keeps each private chat near one message a second, so a worker receiving many
    summaries at once, or a wave of reminders, never sets off a storm of 429s."""

    def __init__(
        self,
        *,
        chat_burst: int,
        chat_per_second: float,
        send_rate: float = GLOBAL_PER_SECOND,
        max_retries: int = 3,
        vitals: Vitals | None = None,
    ) -> None:
        super().__init__(overall_max_rate=send_rate, overall_time_period=1, max_retries=max_retries)
        self._send_rate = send_rate
        # Replicas sharing the global rate (see `share`).
        self.replicas = 1
        self._vitals = vitals
        self._chat_burst = chat_burst
        self._chat_period = chat_burst / chat_per_second
        self._chats: dict[int, AsyncLimiter] = {}

    def share(self, replicas: int) -> None:
        """Keep 1/`replicas` of Telegram's global rate (EQUIPAGE_SEND_RATE, 30 messages a
        second for the whole bot): replicas sending at once stay under it together. It applies
        to the next messages; a replica that just died leaves its share unused until the next
        count (a few seconds)."""
        replicas = max(1, replicas)
        if replicas == self.replicas:
            return
        self.replicas = replicas
        rate = self._send_rate / replicas
        # A bucket of at least one message: past 30 replicas, one message every n/30 s.
        self._base_limiter = AsyncLimiter(rate, 1.0) if rate >= 1 else AsyncLimiter(1, 1.0 / rate)
        log.info("send_rate_shared", extra={"replicas": replicas})

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            if len(self._chats) > 10_000:
                # A quiet chat's limiter has its whole burst back: forgetting it loses nothing.
                self._chats = {
                    chat: kept
                    for chat, kept in self._chats.items()
                    if not kept.has_capacity(self._chat_burst)
                }
            limiter = self._chats[chat_id] = AsyncLimiter(self._chat_burst, self._chat_period)
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Wait for the chat's pace (private chats, messages only), then the global limits.

        A button answered too late ("query is too old") counts as answered: that answer only
        stops a spinner, and the press itself (already stored) must carry on, not fail."""
        try:
            result = await self._paced(callback, args, kwargs, endpoint, data, rate_limit_args)
        except BadRequest as error:
            if endpoint != "answerCallbackQuery" or "query" not in str(error).lower():
                raise
            log.info("callback_answer_expired")
            return True
        if self._vitals is not None:
            self._vitals.api_ok()
        return result

    async def _paced(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if endpoint in UNLIMITED:
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        if isinstance(chat_id, int) and chat_id > 0 and endpoint.startswith("send"):
            async with self._chat_limiter(chat_id):
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
