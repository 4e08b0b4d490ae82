"""Bot API calls whose answer the bot does not read, sent and answered as plain JSON.

PTB's methods (`send_message`, `edit_message_text`…) check and copy every argument, then
parse Telegram's answer into a `Message` with its chat, user and keyboard objects: about as
much CPU again as the call itself, for an answer the bot reads at most one number of (the
new message's id). `Bot.do_api_request`, public since PTB 20.8, sends the same request
through the same HTTP client and the same rate limiter, and returns Telegram's JSON as it
came; a failure raises the same `TelegramError`s.
"""

from __future__ import annotations

import warnings
from typing import Any, TypeAlias

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.warnings import PTBUserWarning

# An inline keyboard as Telegram's JSON spells it: {"inline_keyboard": [[{"text", …}]]}.
PlainKeyboard: TypeAlias = dict[str, list[list[dict[str, str]]]]
Markup: TypeAlias = InlineKeyboardMarkup | PlainKeyboard

# `do_api_request` suggests the typed method for every endpoint PTB knows; here the raw
# answer is the point, so that one suggestion is silenced (and only it).
warnings.filterwarnings(
    "ignore",
    message=r"Please use 'Bot\.\w+' instead of 'Bot\.do_api_request",
    category=PTBUserWarning,
)


def _with_markup(arguments: dict[str, Any], markup: Markup | None) -> dict[str, Any]:
    if markup is not None:
        arguments["reply_markup"] = markup
    return arguments


async def send_text(
    bot: Bot,
    chat_id: int,
    text: str,
    markup: Markup | None = None,
    *,
    html: bool = False,
) -> int | None:
    """Send one text message; Telegram's id for it."""
    arguments: dict[str, Any] = {"chat_id": chat_id, "text": text}
    if html:
        arguments["parse_mode"] = ParseMode.HTML.value
    result = await bot.do_api_request("sendMessage", _with_markup(arguments, markup))
    message_id = result.get("message_id") if isinstance(result, dict) else None
    return message_id if isinstance(message_id, int) else None


async def edit_text(
    bot: Bot, chat_id: int, message_id: int, text: str, markup: Markup | None = None
) -> None:
    """Replace a message's text; its buttons become `markup` (none when None)."""
    arguments = {"chat_id": chat_id, "message_id": message_id, "text": text}
    await bot.do_api_request("editMessageText", _with_markup(arguments, markup))


async def edit_markup(
    bot: Bot, chat_id: int, message_id: int, markup: Markup | None = None
) -> None:
    """Replace a message's buttons (remove them when None)."""
    arguments = {"chat_id": chat_id, "message_id": message_id}
    await bot.do_api_request("editMessageReplyMarkup", _with_markup(arguments, markup))


async def answer_button(bot: Bot, query_id: str, text: str | None = None) -> None:
    """Stop a pressed button's spinner, with a short notice if `text`."""
    arguments = {"callback_query_id": query_id}
    if text is not None:
        arguments["text"] = text
    await bot.do_api_request("answerCallbackQuery", arguments)
