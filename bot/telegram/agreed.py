"""/convenu, for both roles: every round as a difference, then the open question if any."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram.person import converse
from bot.telegram.replying import show
from bot.telegram.roles import caller, services, worker
from bot.usecases.conversation_inputs import Command


async def agreed_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/convenu: the person sees every round; a worker picks whose rounds to see."""
    if caller().role != "worker":
        await converse(update, context, Command("agreed"))
        return
    found = services(context)
    await show(
        update,
        context,
        await found.worker_conversation.agreed(worker(), found.catalogs.translator()),
    )
