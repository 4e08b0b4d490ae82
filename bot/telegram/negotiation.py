"""A round of what was agreed, as Telegram shows it under a message the outbox delivers (the
answers to it are use cases: bot/usecases/negotiation_replies.py)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.domain import Agreement
from bot.i18n import Translator
from bot.telegram.render import keyboard
from bot.usecases.negotiation_replies import answer_rows


def answer_buttons(agreement: Agreement, translator: Translator) -> InlineKeyboardMarkup:
    """D'accord, or one step changed, removed, added (under a round sent by the outbox)."""
    return keyboard(answer_rows(agreement, translator))
