"""The worker's side: invite a person (link and QR code), list their persons; admin invites."""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.ext import ContextTypes

from bot.telegram.common import say, tr
from bot.telegram.render import pressed_label
from bot.telegram.replying import show
from bot.telegram.roles import caller, services, worker
from bot.usecases.worker_conversation import WorkerPress


async def invite_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/inviter [prénom]: a single-use link and its QR code, to show during an appointment."""
    pseudonym = " ".join(context.args or []) or None
    invitations = services(context).invitation_replies
    issued = await invitations.invite_person(worker(), pseudonym, context.bot.username, tr(context))
    await show(update, context, issued)


async def persons_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/personnes: the persons this worker supports, each a button to their card."""
    listing = await services(context).worker_desk.persons(worker(), tr(context))
    await show(update, context, listing)


async def worker_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free text from a worker: the agreement being recorded; distress words about
    themselves bring the numbers; else a pointer to the commands."""
    message = update.effective_message
    if message is None or not message.text:
        await say(update, context, tr(context).message("worker.use_commands"))
        return
    conversation = services(context).worker_conversation
    said = await conversation.said(worker(), caller().account, message.text, tr(context))
    await show(update, context, said)


async def button_pressed(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    query: CallbackQuery,
    button: WorkerPress,
) -> None:
    """Every worker button: one use-case call, its reply rendered."""
    found = services(context)
    label = pressed_label(query)
    translator = tr(context)
    chosen = translator.message("bot.chosen", answer=label) if label else None
    reply = await found.worker_conversation.pressed(
        worker(), caller().account, button, chosen, translator
    )
    await show(update, context, reply, query)


async def back_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/retour from a worker: back one question in the agreement being written or answered."""
    found = services(context)
    reply = await found.worker_conversation.back(worker(), caller().account, tr(context))
    await show(update, context, reply)


async def admin_invite_worker_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/inviter_intervenant Nom (admins named in EQUIPAGE_ADMINS): a worker's invitation."""
    name = " ".join(context.args or [])
    invitations = services(context).invitation_replies
    issued = await invitations.invite_worker(
        caller().is_admin, name, context.bot.username, tr(context)
    )
    await show(update, context, issued)
