"""The person's answer to an appointment; "Je ne peux pas" asks why and when."""

from __future__ import annotations

from datetime import datetime, time

from telegram import CallbackQuery, Update
from telegram.ext import ContextTypes

from bot.actions import AppointmentButton
from bot.domain import VoiceNote
from bot.pending_states import CannotWhen, CannotWhy
from bot.telegram.common import close_with_choice, say, tr
from bot.telegram.render import keyboard
from bot.telegram.roles import caller, person, services
from bot.telegram.worker_appointments import day_warning_line
from bot.usecases.access import NotYours
from bot.usecases.dates import DateProblem, parse_french_datetime
from bot.usecases.rhythm import USUAL_HOUR


async def appointment_pressed(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    query: CallbackQuery,
    button: AppointmentButton,
) -> None:
    """C'est noté / Je ne peux pas: the worker is told; "cannot" opens a short exchange."""
    found = services(context)
    translator = tr(context)
    await query.answer()
    await close_with_choice(context, query)
    if button.answer == "noreason":
        await _ask_other_moment(update, context, button.appointment_id, None)
        return
    if button.answer == "nowhen":
        pending = await found.inputs.peek(caller().account)
        why = pending.why if isinstance(pending, CannotWhen) else None
        await _cannot_done(update, context, button.appointment_id, why, None)
        return
    try:
        done = await found.appointments.answer(person(), button.appointment_id, button.answer)
    except NotYours:
        done = False
    if done and button.answer == "cannot":
        await found.dialogues.leave(person())
        await found.inputs.expect(caller().account, CannotWhy(button.appointment_id))
        skip = AppointmentButton("noreason", button.appointment_id)
        await say(
            update,
            context,
            translator.message("appointment.cannot_why"),
            reply_markup=keyboard([[(translator.message("appointment.skip"), skip)]]),
        )
        return
    key = f"appointment.{button.answer}_thanks" if done else "appointment.already"
    await say(update, context, translator.message(key))


async def _ask_other_moment(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    appointment_id: int,
    why: str | VoiceNote | None,
) -> None:
    translator = tr(context)
    await services(context).inputs.expect(caller().account, CannotWhen(appointment_id, why))
    skip = AppointmentButton("nowhen", appointment_id)
    await say(
        update,
        context,
        translator.message("appointment.cannot_when"),
        reply_markup=keyboard([[(translator.message("appointment.skip"), skip)]]),
    )


async def _cannot_done(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    appointment_id: int,
    reason: str | VoiceNote | None,
    proposed_at: datetime | None,
) -> None:
    found = services(context)
    await found.inputs.clear(caller().account)
    try:
        await found.appointments.cannot_details(person(), appointment_id, reason, proposed_at)
    except NotYours:
        return
    await say(update, context, tr(context).message("appointment.cannot_thanks"))


async def cannot_answer(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    pending: CannotWhy | CannotWhen,
    words: str | VoiceNote,
) -> None:
    """The person's answer in the exchange after "Je ne peux pas": why, then when."""
    found = services(context)
    translator = tr(context)
    if isinstance(pending, CannotWhy):
        await _ask_other_moment(update, context, pending.appointment_id, words)
        return
    if not isinstance(words, str):
        await say(update, context, translator.message("appointment.cannot_when"))
        return
    tz = found.settings.timezone
    try:
        parsed = parse_french_datetime(words, found.clock.now(), tz, time(USUAL_HOUR))
    except DateProblem as problem:
        await say(update, context, translator.message(f"appointment.problem_{problem.kind}"))
        return
    understood = translator.message(
        "appointment.cannot_understood",
        date=translator.spoken(parsed.moment, tz, about=parsed.assumed_time),
    )
    warning = day_warning_line(parsed.moment, translator, tz)
    await say(update, context, f"{understood}\n{warning}".strip())
    await _cannot_done(update, context, pending.appointment_id, pending.why, parsed.moment)
