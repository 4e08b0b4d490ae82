"""The one kind notice a refused update gets (over the account's allowance, or the chat's
queue full): a refused button is answered, a flood of messages gets one message.

Apart from handling because it is the only reply the inbox writes itself, without the
handlers: in the sender's language, and never more than once per flood.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.error import TelegramError

from bot.domain import InboxEntry
from bot.i18n import Catalogs
from bot.telegram.arrivals import sender

log = logging.getLogger(__name__)


class Refusals:
    """Tells a refused sender to slow down, once per flood."""

    def __init__(self, application: Any, catalogs: Catalogs) -> None:
        # PTB's Application: only its bot is used.
        self._application = application
        self._catalogs = catalogs
        # Lanes told "too fast" since their last accepted update: told once, not per message.
        self._warned: set[int] = set()

    def accepted(self, lane: int) -> None:
        """The lane's update was taken: its next flood is told again."""
        self._warned.discard(lane)

    async def refuse(self, entry: InboxEntry) -> None:
        """Say so, once per flood: a refused button is answered, a message gets one notice."""
        catalogs = self._catalogs
        found = sender(entry.raw)
        language = found.get("language_code") if found else None
        text = catalogs.translator(
            catalogs.best_language(language if isinstance(language, str) else None)
        ).message("bot.slow_down")
        bot = self._application.bot
        query = entry.raw.get("callback_query")
        try:
            if isinstance(query, dict) and isinstance(query.get("id"), str):
                await bot.answer_callback_query(query["id"], text)
            elif entry.lane > 0 and entry.lane not in self._warned:
                # One log line per flood, not one per refused message.
                log.info("flood_refused", extra={"lane": entry.lane, "update": entry.update_id})
                self._warned.add(entry.lane)
                await bot.send_message(entry.lane, text)
        except TelegramError as error:
            log.warning("refusal_notice_failed", extra={"error": type(error).__name__})
