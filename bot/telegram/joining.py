"""/start: the greeting for each role, and invitation links (consent, worker join)."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, CallbackQuery, Update
from telegram.ext import ContextTypes

from bot.actions import ConsentButton
from bot.domain import Invitation
from bot.telegram import safety
from bot.telegram.common import close_with_choice, say, tr
from bot.telegram.person import show_menu
from bot.telegram.render import close_buttons, keyboard
from bot.telegram.roles import caller, refresh_caller, services
from bot.usecases.consent import InvitationGone, RoleTaken

log = logging.getLogger(__name__)

# (command, UI text key of its description), as a worker's menu shows them.
WORKER_COMMANDS = (
    ("inviter", "worker.command_invite"),
    ("personnes", "worker.command_persons"),
    ("rdv", "appointment.command_appointment"),
    ("convenu", "agreement.command_agreed"),
    ("aide", "worker.command_help"),
    ("urgence", "worker.command_emergency"),
)


async def start_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start [code]: open an invitation, or greet according to who is writing."""
    if context.args:
        await _open_invitation(update, context, context.args[0])
        return
    role = caller().role
    if role == "person":
        await say(update, context, tr(context).message("bot.greeting"))
        await show_menu(update, context)
    elif role == "worker":
        await say(update, context, tr(context).message("worker.help"))
    else:
        await stranger_message(update, context)


async def stranger_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Anything else from someone without an invitation: help first if they are in danger,
    then how Équipage is used."""
    message = update.effective_message
    if message is not None and message.text:
        await safety.screen(update, context, message.text)
    key = "worker.not_allowed" if caller().closed_worker else "join.stranger"
    await say(update, context, tr(context).message(key))


async def _open_invitation(update: Update, context: ContextTypes.DEFAULT_TYPE, code: str) -> None:
    found = services(context)
    who = caller()
    invitations = found.invitations
    if invitations.limiter.blocked(who.account):
        await say(update, context, tr(context).message("join.slow_down"))
        return
    invitation = await invitations.check(who.account, code)
    if invitation is None:
        await say(update, context, tr(context).message("join.invalid"))
        return
    if invitation.kind == "worker":
        await _worker_invitation(update, context, invitation)
    else:
        await _person_invitation(update, context, invitation)


async def _worker_invitation(
    update: Update, context: ContextTypes.DEFAULT_TYPE, invitation: Invitation
) -> None:
    who = caller()
    translator = tr(context)
    if who.role == "person":
        await say(update, context, translator.message("join.worker_link_for_person"))
        return
    if who.role == "worker":
        await say(update, context, translator.message("join.already_worker"))
        return
    chat = update.effective_chat
    assert chat is not None
    try:
        joined = await services(context).workers.join(
            invitation, who.account, chat_id=chat.id, language=who.language
        )
    except (InvitationGone, RoleTaken):
        await say(update, context, translator.message("join.invalid"))
        return
    await register_worker_commands(context, chat.id, who.language)
    await say(update, context, translator.message("join.worker_welcome", name=joined.name))
    await say(update, context, translator.message("worker.help"))


async def register_worker_commands(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, language: str
) -> None:
    """A worker's own command menu, in their chat only."""
    translator = services(context).catalogs.translator(language)
    commands = [BotCommand(name, translator.message(key)) for name, key in WORKER_COMMANDS]
    await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))


async def _person_invitation(
    update: Update, context: ContextTypes.DEFAULT_TYPE, invitation: Invitation
) -> None:
    who = caller()
    translator = tr(context)
    if who.role == "person":
        await say(update, context, translator.message("join.already_person"))
        await show_menu(update, context)
        return
    if who.role == "worker":
        await say(update, context, translator.message("join.person_link_for_worker"))
        return
    offer = await services(context).consent.offer(invitation, who.account)
    if offer.structure:
        intro = translator.message(
            "consent.intro_with_structure", worker=offer.worker_name, structure=offer.structure
        )
    else:
        intro = translator.message("consent.intro", worker=offer.worker_name)
    await say(update, context, intro)
    await say(update, context, translator.message("consent.summary"))
    await _ask_consent(update, context, offer.invitation_id, offer.token)


async def _ask_consent(
    update: Update, context: ContextTypes.DEFAULT_TYPE, invitation_id: int, token: str
) -> None:
    translator = tr(context)
    rows = [
        [(translator.message("consent.accept"), ConsentButton("accept", invitation_id, token))],
        [(translator.message("consent.more"), ConsentButton("more", invitation_id, token))],
        [(translator.message("consent.refuse"), ConsentButton("refuse", invitation_id, token))],
    ]
    await say(update, context, translator.message("consent.question"), reply_markup=keyboard(rows))


async def consent_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, button: ConsentButton
) -> None:
    """Accept (record consent, link to the worker), learn more, or refuse (store nothing)."""
    translator = tr(context)
    await query.answer()
    who = caller()
    if who.role == "person":
        # An old consent screen, tapped by someone already in: whatever the button, say so.
        await close_buttons(query)
        await say(update, context, translator.message("join.already_person"))
        await show_menu(update, context)
        return
    await close_with_choice(context, query)
    if button.action == "refuse":
        log.info("consent_refused")
        await say(update, context, translator.message("consent.refused"))
        return
    if button.action == "more":
        await _explain(update, context, button)
        return
    chat = update.effective_chat
    assert chat is not None
    try:
        await services(context).consent.accept(
            button.invitation_id, button.token, who.account, chat_id=chat.id, language=who.language
        )
    except InvitationGone:
        await say(update, context, translator.message("join.invalid"))
        return
    except RoleTaken:
        await say(update, context, translator.message("join.person_link_for_worker"))
        return
    await say(update, context, translator.message("consent.welcome"))
    await say(update, context, translator.message("bot.greeting"))
    # The person exists now: resolve them again so the menu is theirs.
    await refresh_caller(update, context)
    await show_menu(update, context)


async def _explain(
    update: Update, context: ContextTypes.DEFAULT_TYPE, button: ConsentButton
) -> None:
    """The longer consent text, one short message per topic, then the same question."""
    translator = tr(context)
    try:
        offer = await services(context).consent.reopen(
            button.invitation_id, button.token, caller().account
        )
    except InvitationGone:
        await say(update, context, translator.message("join.invalid"))
        return
    service = offer.structure or translator.message("consent.details_service_default")
    await say(update, context, translator.message("consent.details_who", service=service))
    for topic in ("what", "shared", "rights"):
        await say(update, context, translator.message(f"consent.details_{topic}"))
    await _ask_consent(update, context, offer.invitation_id, offer.token)
