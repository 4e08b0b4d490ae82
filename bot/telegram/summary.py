"""The person's summary (Préparer mon rendez-vous): built by the conversation use case
(bot/usecases/summary_replies.py), like its buttons' answers."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram.person import converse
from bot.usecases.conversation_inputs import Command


async def prepare_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/preparer: assemble the summary; ask what to talk about; show exactly what would go."""
    await converse(update, context, Command("prepare"))
