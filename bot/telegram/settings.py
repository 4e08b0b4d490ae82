"""/reglages, /pause, /reprendre: the person owns the rhythm of what reaches them (built by
the conversation use case: bot/usecases/settings_replies.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram.person import converse
from bot.usecases.conversation_inputs import Command


async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reglages: quiet hours, Sundays, the strengths check-in rhythm, with buttons."""
    await converse(update, context, Command("settings"))


async def pause_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/pause: no reminder at all until /reprendre."""
    await converse(update, context, Command("pause"))


async def resume_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reprendre: reminders again."""
    await converse(update, context, Command("resume"))
