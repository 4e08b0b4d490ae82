"""/rdv: a worker sets, confirms, moves or cancels a person's appointment (built by the use
case: bot/usecases/worker_appointment_replies.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram.common import tr
from bot.telegram.replying import show
from bot.telegram.roles import services, worker


async def appointment_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/rdv: choose a person, then type the date."""
    conversation = services(context).worker_conversation
    await show(update, context, await conversation.appointments_pick(worker(), tr(context)))
