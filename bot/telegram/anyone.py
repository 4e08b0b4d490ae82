"""What every chat gets, whoever writes: each update one call of the use case for anyone's
inputs (bot/usecases/anyone_replies.py), its reply rendered here."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram.replying import show
from bot.telegram.roles import caller, current_caller, services
from bot.usecases.anyone_replies import Someone


def someone() -> Someone:
    """Who wrote this update, as the use cases know them."""
    who = caller()
    return Someone(who.account, who.person, who.worker, who.closed_worker)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/aide: a few short lines on what this role can do."""
    await show(update, context, await services(context).anyone.help(someone()))


async def emergency_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/urgence: the French emergency numbers, at any moment, even mid-dialogue."""
    await show(update, context, await services(context).anyone.emergency(someone()))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any command we do not know: say so kindly and point to /aide."""
    await show(update, context, await services(context).anyone.unknown_command(someone()))


async def unsupported_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, locations…: we only read text and voice notes."""
    anyone = services(context).anyone
    await show(update, context, await anyone.unsupported(*_words(update)))


async def edited_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message does not change a stored answer."""
    anyone = services(context).anyone
    await show(update, context, await anyone.edited(*_words(update)))


def _words(update: Update) -> tuple[Someone, str | None]:
    """Who wrote, and the message's words (its text, or a photo's caption), to screen."""
    message = update.effective_message
    words = message.text or message.caption if message is not None else None
    if current_caller.get() is None:
        return Someone(""), None  # nobody resolved: nothing to screen on anyone's behalf
    return someone(), words
