"""The safety step in Telegram: renders `Safety.screen`'s help and answers its buttons."""

from __future__ import annotations

from typing import assert_never
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.actions import CallAckButton, CallOfferButton, HeldWordsButton
from bot.i18n import Translator
from bot.messages import SafetyCallRaised, SafetyCallSeen, SafetyCallUnseen
from bot.pending_states import (
    AgreementProblem,
    AgreementSteps,
    AppointmentWhen,
    CannotWhen,
    CannotWhy,
    ChangeDraft,
    Forwarded,
    LearnedWords,
    PendingState,
    QuietBound,
    SummaryTopics,
)
from bot.telegram.common import close_with_choice, say, tr
from bot.telegram.render import close_buttons, keyboard
from bot.telegram.roles import caller, person, services, worker
from bot.usecases.safety import (
    SafetyHelp,
    StaleHold,
    help_messages,
    unseen_message,
)

# What a held text would have answered, when it is not a dialogue question: its question.


def _waiting_question(pending: PendingState | None) -> str | None:
    """The catalogue key of the question waiting for free words, asked again after dropped
    words; None where the question is not asked again that way."""
    match pending:
        case SummaryTopics():
            return "summary.topics_question"
        case LearnedWords():
            return "reminder.checkin_learned"
        case ChangeDraft():
            return "agreement.change_question"
        case (
            None
            | QuietBound()
            | CannotWhy()
            | CannotWhen()
            | AppointmentWhen()
            | AgreementProblem()
            | AgreementSteps()
            | Forwarded()
        ):
            return None
        case _:
            assert_never(pending)


async def screen(
    update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, *, hold: bool = True
) -> bool:
    """Screen what anyone wrote; show help first if it states distress. True when help was
    shown: the words are then held for the person's choice, not routed."""
    who = caller()
    help = await services(context).safety.screen(who.account, text, person=who.person, hold=hold)
    if help is None:
        return False
    await show_help(update, context, help)
    return True


async def show_help(update: Update, context: ContextTypes.DEFAULT_TYPE, help: SafetyHelp) -> None:
    """Numbers (the whole block or a calmer repeat), the call offer, the keep question."""
    translator = tr(context)
    for text in help_messages(help, translator):
        await say(update, context, text)
    if help.offer_call:
        buttons = keyboard(
            [
                [(translator.message("safety.offer_yes"), CallOfferButton("call"))],
                [(translator.message("safety.offer_no"), CallOfferButton("no"))],
            ]
        )
        await say(update, context, translator.message("safety.offer"), reply_markup=buttons)
    if help.held_id is not None:
        buttons = keyboard(
            [
                [
                    (translator.message("safety.keep_yes"), HeldWordsButton("keep", help.held_id)),
                    (translator.message("safety.keep_no"), HeldWordsButton("drop", help.held_id)),
                ]
            ]
        )
        await say(update, context, translator.message("safety.keep_question"), reply_markup=buttons)


async def safety_pressed(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    query: CallbackQuery,
    button: CallOfferButton | HeldWordsButton,
) -> None:
    """A person's answer: be called or not; keep or drop the words held for them."""
    if isinstance(button, HeldWordsButton):
        await _held_pressed(update, context, query, button)
        return
    translator = tr(context)
    await query.answer()
    await close_with_choice(context, query)
    if button.action != "call":
        await say(update, context, translator.message("safety.call_declined"))
        return
    found = services(context)
    promise = await found.safety.request_call(person())
    if promise is None:
        await say(update, context, translator.message("safety.no_worker"))
        return
    text = translator.message("safety.call_sent")
    if promise.seen_from is not None:
        when = translator.date_time(promise.seen_from, found.settings.timezone)
        text += "\n" + translator.message("safety.call_off_hours", date=when)
    await say(update, context, text)


async def _held_pressed(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    query: CallbackQuery,
    button: HeldWordsButton,
) -> None:
    translator = tr(context)
    keep = button.action == "keep"
    found = services(context)
    try:
        words = await found.safety.release(caller().account, person(), button.held_id, keep)
    except StaleHold:
        await query.answer(translator.message("safety.stale"))
        await close_buttons(query)
        return
    await query.answer()
    await close_with_choice(context, query)
    # Late import: the person's side routes texts and imports this module for screening.
    from bot.telegram import person as person_side

    if words is not None:
        await say(update, context, translator.message("safety.kept"))
        await person_side.route_text(update, context, words)
        return
    await say(update, context, translator.message("safety.dropped"))
    await ask_again(update, context)


async def ask_again(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """After dropped words: the question they would have answered, once more."""
    from bot.telegram import person as person_side

    found = services(context)
    translator = tr(context)
    question = _waiting_question(await found.inputs.peek(caller().account))
    if question is not None:
        await say(update, context, translator.message(question))
        return
    turn = await found.dialogues.current(person(), translator)
    if turn is None:
        await person_side.show_menu(update, context)
        return
    await say(update, context, translator.message("safety.ask_again"))
    await person_side.show_turn(update, context, turn)


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
