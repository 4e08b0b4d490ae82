"""The worker's side: invite a person (link and QR code), list their persons; admin invites."""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.ext import ContextTypes

from bot.pictures.qr import qr_png
from bot.telegram.common import say, tr
from bot.telegram.render import png_file, pressed_label
from bot.telegram.replying import show
from bot.telegram.roles import caller, services, worker
from bot.usecases.invitations import NotAllowed, TooManyOpenInvitations, invitation_link
from bot.usecases.worker_conversation import WorkerPress


async def invite_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/inviter [prénom]: a single-use link and its QR code, to show during an appointment."""
    translator = tr(context)
    found = services(context)
    pseudonym = " ".join(context.args or []) or None
    try:
        issued = await found.invitations.invite_person(worker(), pseudonym)
    except TooManyOpenInvitations:
        await say(update, context, translator.message("worker.too_many"))
        return
    except NotAllowed:
        await say(update, context, translator.message("worker.not_allowed"))
        return
    link = invitation_link(context.bot.username, issued.code)
    date = translator.day(issued.invitation.expires_at, found.settings.timezone)
    if issued.invitation.pseudonym:
        caption = translator.message(
            "worker.invite_caption",
            pseudonym=issued.invitation.pseudonym,
            date=date,
            link=link,
        )
    else:
        caption = translator.message("worker.invite_caption_anonymous", date=date, link=link)
    await _send_qr(update, context, link, caption)


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
    translator = tr(context)
    found = services(context)
    if not caller().is_admin:
        await say(update, context, translator.message("bot.unknown_command"))
        return
    name = " ".join(context.args or []).strip()
    if not name:
        await say(update, context, translator.message("worker.admin_invite_usage"))
        return
    new_worker, issued = await found.invitations.invite_worker(name[:80], None)
    link = invitation_link(context.bot.username, issued.code)
    date = translator.day(issued.invitation.expires_at, found.settings.timezone)
    caption = translator.message(
        "worker.admin_invite_caption", name=new_worker.name, date=date, link=link
    )
    await _send_qr(update, context, link, caption)


async def _send_qr(
    update: Update, context: ContextTypes.DEFAULT_TYPE, link: str, caption: str
) -> None:
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_photo(chat.id, png_file(qr_png(link), "invitation"), caption=caption)
