"""/start, invitation links and consent in Telegram: each one use-case call
(bot/usecases/joining_replies.py), its reply rendered here."""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.ext import ContextTypes

from bot.actions import ConsentButton
from bot.telegram.anyone import someone
from bot.telegram.common import tr
from bot.telegram.render import pressed_label
from bot.telegram.replying import WORKER_COMMANDS, show
from bot.telegram.roles import caller, refresh_caller, services

__all__ = ["WORKER_COMMANDS", "consent_pressed", "start_command", "stranger_message"]


async def start_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start [code]: open an invitation, or greet according to who is writing."""
    chat = update.effective_chat
    assert chat is not None
    code = context.args[0] if context.args else None
    joining = services(context).joining
    await show(update, context, await joining.start(someone(), code, chat.id, caller().language))


async def stranger_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Anything else from someone without an invitation: help first if they are in danger,
    then how Équipage is used."""
    message = update.effective_message
    words = message.text if message is not None else None
    await show(update, context, await services(context).joining.stranger(someone(), words))


async def consent_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, button: ConsentButton
) -> None:
    """Accept (record consent, link to the worker), learn more, or refuse (store nothing)."""
    chat = update.effective_chat
    assert chat is not None
    label = pressed_label(query)
    chosen = tr(context).message("bot.chosen", answer=label) if label else None
    joining = services(context).joining
    reply = await joining.consent_pressed(someone(), button, chosen, chat.id, caller().language)
    await show(update, context, reply, query)
    # The person may exist now: whatever runs next for this update sees them.
    await refresh_caller(update, context)
