"""The bare PTB echo bot, the yardstick of every turn and start-up figure.

Its handlers are shared by all phases; run as a program (`python -m benchmarks.echo_bot`) it
is a whole bot process, polling as `equipage run` does, for the start-up phase. It imports
python-telegram-bot and nothing of ours, so its start-up is PTB's own.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

# bot_data key of the durable echo's write: (chat_id, words) -> awaitable (see apps.py).
REMEMBER = "remember"

Remember = Callable[[int, str], Awaitable[None]]


async def _remember(context: ContextTypes.DEFAULT_TYPE, chat_id: int, words: str) -> None:
    remember: Remember | None = context.bot_data.get(REMEMBER)
    if remember is not None:
        await remember(chat_id, words)


async def echo_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A text comes back as it was sent."""
    message = update.effective_message
    if message is not None and message.text is not None:
        await _remember(context, message.chat_id, message.text)
        await message.reply_text(message.text)


async def echo_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button press is answered, then its data comes back as a message."""
    query = update.callback_query
    if query is None or update.effective_chat is None:
        return
    await query.answer()
    await _remember(context, update.effective_chat.id, query.data or "")
    await context.bot.send_message(update.effective_chat.id, query.data or "")


def add_echo_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The bare echo's two handlers (the same shape of work as ours: answer, then reply)."""
    application.add_handler(MessageHandler(filters.TEXT, echo_text))
    application.add_handler(CallbackQueryHandler(echo_button))


def main() -> None:
    """Poll the Bot API at --base-url until SIGTERM, with PTB's defaults everywhere."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--token", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--allowed-updates", required=True, help="JSON list, as ours asks")
    args = parser.parse_args()
    application = (
        Application.builder()
        .token(args.token)
        .base_url(f"{args.base_url}/bot")
        .base_file_url(f"{args.base_url}/file/bot")
        .build()
    )
    add_echo_handlers(application)
    application.run_polling(
        allowed_updates=json.loads(args.allowed_updates), drop_pending_updates=False
    )


if __name__ == "__main__":
    main()
