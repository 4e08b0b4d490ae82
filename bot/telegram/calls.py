"""Bot API calls whose answer the bot does not read, sent and answered as plain JSON.

PTB's methods (`send_message`, `edit_message_text`…) check and copy every argument, then
parse Telegram's answer into a `Message` with its chat, user and keyboard objects: about as
much CPU again as the call itself, for an answer the bot reads at most one number of (the
new message's id). `Bot.do_api_request` skips the parsing but still wraps each argument in
an object of its own, and warns (a `warnings.warn` filtered away) on every call.

So a call here is one dict of JSON values, handed to the bot's own client (`Bot.request`:
our `MarkFirstRequest` around PTB's HTTP client) through its rate limiter, the two steps
PTB's own `_post` ends with: the same HTTP request, the same marks, limits and retries, the
same `TelegramError`s on failure, and Telegram's JSON answer as it came. PTB keeps its
client for its own methods because they add `Defaults` and the callback-data cache on the
way; this bot uses neither (bot/telegram/app.py). The request's arguments are PTB's own
`RequestParameter` objects (internal to PTB, pinned by requirements/lock.txt), built from
values that are JSON already. About 30 % fewer instructions per call than
`do_api_request` (benchmarks, in-process fake Bot API).
"""

from __future__ import annotations

from typing import Any, TypeAlias

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.ext import ExtBot
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

# An inline keyboard as Telegram's JSON spells it: {"inline_keyboard": [[{"text", …}]]}.
PlainKeyboard: TypeAlias = dict[str, list[list[dict[str, str]]]]
Markup: TypeAlias = InlineKeyboardMarkup | PlainKeyboard


async def _call(bot: Bot, endpoint: str, arguments: dict[str, Any]) -> Any:
    """One Bot API call through the bot's client and rate limiter; Telegram's `result`."""
    url = f"{bot.base_url}/{endpoint}"
    # Values are JSON already (a keyboard as a dict): PTB's per-argument conversion
    # (`RequestParameter.from_input`: dates, objects, files) has nothing to do.
    data = RequestData([RequestParameter(name, value, None) for name, value in arguments.items()])
    request = bot.request
    limiter = bot.rate_limiter if isinstance(bot, ExtBot) else None
    if limiter is None:
        return await request.post(url, data)
    return await limiter.process_request(
        callback=request.post,
        args=(url, data),
        kwargs={},
        endpoint=endpoint,
        data=arguments,
        rate_limit_args=None,
    )


def _with_markup(arguments: dict[str, Any], markup: Markup | None) -> dict[str, Any]:
    if isinstance(markup, InlineKeyboardMarkup):
        arguments["reply_markup"] = markup.to_dict()
    elif markup is not None:
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
    result = await _call(bot, "sendMessage", _with_markup(arguments, markup))
    message_id = result.get("message_id") if isinstance(result, dict) else None
    return message_id if isinstance(message_id, int) else None


async def edit_text(
    bot: Bot, chat_id: int, message_id: int, text: str, markup: Markup | None = None
) -> None:
    """Replace a message's text; its buttons become `markup` (none when None)."""
    arguments = {"chat_id": chat_id, "message_id": message_id, "text": text}
    await _call(bot, "editMessageText", _with_markup(arguments, markup))


async def edit_markup(
    bot: Bot, chat_id: int, message_id: int, markup: Markup | None = None
) -> None:
    """Replace a message's buttons (remove them when None)."""
    arguments = {"chat_id": chat_id, "message_id": message_id}
    await _call(bot, "editMessageReplyMarkup", _with_markup(arguments, markup))


async def answer_button(bot: Bot, query_id: str, text: str | None = None) -> None:
    """Stop a pressed button's spinner, with a short notice if `text`."""
    arguments = {"callback_query_id": query_id}
    if text is not None:
        arguments["text"] = text
    await _call(bot, "answerCallbackQuery", arguments)
