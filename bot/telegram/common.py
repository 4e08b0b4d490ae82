"""What every chat gets, whoever they are: identity and locale, help, safety, bad input."""

from __future__ import annotations

import logging
import traceback
from contextvars import ContextVar

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.i18n import Translator, current_language
from bot.services import Services
from bot.storage.base import Person
from bot.telegram.render import split_text
from bot.usecases.persons import telegram_account

log = logging.getLogger(__name__)

current_person: ContextVar[Person | None] = ContextVar("current_person", default=None)


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The application's use cases (set once by the composition root)."""
    found: Services = context.bot_data["services"]
    return found


def tr(context: ContextTypes.DEFAULT_TYPE) -> Translator:
    """The current user's translator."""
    return services(context).catalogs.translator()


def person(update: Update) -> Person:
    """The person behind this update, resolved by `identify`."""
    found = current_person.get()
    if found is None:
        raise RuntimeError("identify did not run for this update")
    return found


async def identify(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs first: leave groups, ignore channels, resolve the person and their language."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        await _leave_group(context, chat.id)
        raise ApplicationHandlerStop
    if chat is None or chat.type != ChatType.PRIVATE or user is None or user.is_bot:
        raise ApplicationHandlerStop
    found = await services(context).persons.identify(
        telegram_account(user.id), chat_id=chat.id, language_code=user.language_code
    )
    current_person.set(found)
    current_language.set(found.language)


async def _leave_group(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    translator = services(context).catalogs.translator()
    try:
        await context.bot.send_message(chat_id, translator.message("bot.group_only"))
        await context.bot.leave_chat(chat_id)
    except TelegramError as error:
        log.warning("leave_group_failed", extra={"error": type(error).__name__})
    log.info("left_group", extra={"chat": chat_id})


async def say(
    update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, **kwargs: object
) -> Message | None:
    """Send a text to the current chat, split if too long; the markup goes on the last part."""
    chat = update.effective_chat
    if chat is None:
        return None
    parts = split_text(text)
    sent: Message | None = None
    for index, part in enumerate(parts):
        extra = kwargs if index == len(parts) - 1 else {}
        sent = await context.bot.send_message(chat.id, part, **extra)  # type: ignore[arg-type]
    return sent


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/aide: three short lines on how the bot works."""
    await say(update, context, tr(context).message("bot.help"))


async def emergency_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/urgence: the French emergency numbers, at any moment, even mid-dialogue."""
    await say(update, context, tr(context).message("bot.emergency"))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any command we do not know: say so kindly and point to /aide."""
    await say(update, context, tr(context).message("bot.unknown_command"))


async def unsupported_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, locations…: we only read text and voice notes."""
    await say(update, context, tr(context).message("bot.unsupported"))


async def edited_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message does not change a stored answer; say how to correct instead."""
    await say(update, context, tr(context).message("bot.edited"))


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure without any user text, and tell the user kindly if we can."""
    error = context.error
    # The stack without the exception's message: messages can quote user input.
    where = traceback.format_tb(error.__traceback__) if error is not None else []
    log.error(
        "handler_failed",
        extra={"error": type(error).__name__, "stack": "".join(where[-3:])},
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
