"""What every chat shares in Telegram: sending text, the one live dialogue question, the
failure notice."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.engine import Prompt
from bot.i18n import Translator
from bot.logs import frames
from bot.telegram import calls
from bot.telegram.calls import Markup
from bot.telegram.render import prompt_keyboard, split_text
from bot.telegram.roles import services

log = logging.getLogger(__name__)

# chat_data key: the message id of the dialogue question whose buttons are live in this chat.
# Kept in memory only: after a restart an older copy may keep its buttons, but a press on it
# is still checked against the run's turn (a stale one gets the kind "old button" answer).
LIVE_QUESTION = "live_question"


def tr(context: ContextTypes.DEFAULT_TYPE) -> Translator:
    """The current user's translator."""
    return services(context).catalogs.translator()


async def say(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str,
    reply_markup: Markup | None = None,
) -> int | None:
    """Send a text to the current chat, split if too long; the buttons go on the last part.

    The id of the last message sent (Telegram's answer is not parsed: see `calls`)."""
    chat = update.effective_chat
    if chat is None:
        return None
    parts = split_text(text)
    sent: int | None = None
    for index, part in enumerate(parts):
        markup = reply_markup if index == len(parts) - 1 else None
        sent = await calls.send_text(context.bot, chat.id, part, markup)
    return sent


async def send_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, prompt: Prompt, run_id: int
) -> int | None:
    """Send a dialogue question; the copy shown before loses its buttons, so only one is live."""
    await retire_question(update, context)
    markup = prompt_keyboard(prompt, run_id)
    sent = await say(update, context, prompt.text, reply_markup=markup)
    if sent is not None and markup is not None and context.chat_data is not None:
        context.chat_data[LIVE_QUESTION] = sent
    return sent


async def retire_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The last question shown in this chat was answered or replaced: its buttons go."""
    chat = update.effective_chat
    if chat is None or context.chat_data is None:
        return
    message_id = context.chat_data.pop(LIVE_QUESTION, None)
    if message_id is None:
        return
    # Already closed, or too old to edit: nothing more to do.
    with contextlib.suppress(BadRequest):
        await calls.edit_markup(context.bot, chat.id, message_id)


def forget_question(context: ContextTypes.DEFAULT_TYPE, message_id: int) -> None:
    """The question `message_id` was closed by its own button press: nothing left to retire."""
    if context.chat_data is not None and context.chat_data.get(LIVE_QUESTION) == message_id:
        del context.chat_data[LIVE_QUESTION]


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure without any user text, and tell the user kindly if we can."""
    error = context.error
    # Every frame (ours and the library's, down to the handler), never the exception's message:
    # messages can quote user input.
    log.error(
        "handler_failed",
        extra={"error": type(error).__name__, "stack": frames(error) if error else ""},
    )
    if isinstance(error, Forbidden):
        return
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(
                update.effective_chat.id,
                services(context).catalogs.translator().message("bot.error"),
            )
        except (BadRequest, TelegramError):
            log.warning("error_notice_failed")
