"""The safety step in Telegram: the help for anyone's words (built by the conversation use
case, like the person's answers to it), and the worker's side of a call request."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.actions import CallAckButton
from bot.i18n import Translator
from bot.messages import SafetyCallRaised, SafetyCallSeen, SafetyCallUnseen
from bot.telegram.common import close_with_choice, say, tr
from bot.telegram.render import keyboard
from bot.telegram.replying import show
from bot.telegram.roles import caller, services, worker
from bot.usecases.safety import (
    unseen_message,
)


async def screen(
    update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, *, hold: bool = True
) -> bool:
    """Screen what anyone wrote; show help first if it states distress. True when help was
    shown: a person's words are then held for their choice, not routed."""
    who = caller()
    conversation = services(context).conversation
    help = await conversation.screen(who.person, who.account, text, hold=hold)
    if help is None:
        return False
    await show(update, context, help)
    return True


async def worker_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, button: CallAckButton
) -> None:
    """The worker's "J'ai appelé" / "Je m'en occupe" under a call request."""
    translator = tr(context)
    done = await services(context).safety.acknowledge(worker(), button.call_id, button.how)
    key = "safety.worker_ack_done" if done else "safety.worker_ack_again"
    await query.answer(translator.message(key))
    await close_with_choice(context, query)


def ack_buttons(call_id: int, translator: Translator) -> InlineKeyboardMarkup:
    """The two acknowledgement buttons under a call request."""
    return keyboard(
        [
            [
                (translator.message("safety.worker_called"), CallAckButton("called", call_id)),
                (translator.message("safety.worker_handling"), CallAckButton("handling", call_id)),
            ]
        ]
    )


async def open_calls_for_digest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In the worker's digest: every call request not acknowledged yet, with its buttons."""
    found = services(context)
    translator = tr(context)
    calls = await found.safety.open_calls(worker())
    if not calls:
        return
    await say(update, context, translator.message("safety.digest_title"))
    for call, who in calls:
        name = who.pseudonym or translator.message("worker.no_pseudonym")
        when = translator.date_time(call.requested_at, found.settings.timezone)
        await say(
            update,
            context,
            translator.message("safety.digest_line", pseudonym=name, date=when),
            reply_markup=ack_buttons(call.id, translator),
        )


def outbox_text(
    body: SafetyCallRaised | SafetyCallSeen | SafetyCallUnseen,
    translator: Translator,
    duty_line: str | None,
    timezone: ZoneInfo,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text (and buttons) of a queued safety message, in the recipient's language."""
    if isinstance(body, SafetyCallRaised):
        name = body.pseudonym or translator.message("worker.no_pseudonym")
        when = translator.date_time(body.at, timezone)
        text = translator.message("safety.worker_call", pseudonym=name, date=when)
        return text, ack_buttons(body.call_id, translator)
    if isinstance(body, SafetyCallSeen):
        key = "safety.seen_called" if body.how == "called" else "safety.seen_handling"
        return translator.message(key), None
    return unseen_message(duty_line, translator), None
