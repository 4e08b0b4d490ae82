"""The safety step in Telegram: the help for anyone's words (built by the conversation use
case, like the person's answers to it), and the call requests the outbox sends workers."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.i18n import Translator
from bot.messages import SafetyCallRaised, SafetyCallSeen, SafetyCallUnseen
from bot.telegram.render import keyboard
from bot.telegram.replying import show
from bot.telegram.roles import caller, services
from bot.usecases.digest_replies import ack_choices
from bot.usecases.safety import unseen_message


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
        return text, keyboard(ack_choices(body.call_id, translator))
    if isinstance(body, SafetyCallSeen):
        key = "safety.seen_called" if body.how == "called" else "safety.seen_handling"
        return translator.message(key), None
    return unseen_message(duty_line, translator), None
