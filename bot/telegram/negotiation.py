"""Answering a round of what was agreed, in Telegram, for both sides of the negotiation:
each press is one use-case call (bot/usecases/negotiation_replies.py), its reply rendered."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.actions import AgreementButton, StepButton, WorkerButton
from bot.domain import Agreement
from bot.i18n import Translator
from bot.telegram.render import keyboard, pressed_label
from bot.telegram.replying import show
from bot.telegram.roles import caller, services, worker
from bot.usecases.negotiation_replies import answer_rows


def answer_buttons(agreement: Agreement, translator: Translator) -> InlineKeyboardMarkup:
    """D'accord, or one step changed, removed, added (under a round sent by the outbox)."""
    return keyboard(answer_rows(agreement, translator))


async def worker_pressed(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    query: CallbackQuery,
    button: AgreementButton | StepButton | WorkerButton,
) -> None:
    """A worker's answer to a round, or an agreement action about one of their persons."""
    found = services(context)
    label = pressed_label(query)
    translator = found.catalogs.translator()
    chosen = translator.message("bot.chosen", answer=label) if label else None
    reply = await found.worker_conversation.pressed(
        worker(), caller().account, button, chosen, translator
    )
    await show(update, context, reply, query)
