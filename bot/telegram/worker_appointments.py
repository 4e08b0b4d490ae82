"""A worker sets, confirms, moves or cancels a person's appointment (/rdv and the card)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import Translator
from bot.pending_states import AppointmentWhen
from bot.telegram.callbacks import WorkerButton
from bot.telegram.common import say, tr
from bot.telegram.render import keyboard
from bot.telegram.roles import caller, services, worker
from bot.telegram.worker_card import person_name
from bot.usecases.appointments import InThePast, ScheduledAppointment
from bot.usecases.dates import DateProblem, ParsedDate, day_warning, parse_french_datetime


async def ask_appointment(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int
) -> None:
    """Ask the worker for the date; their next text is read as one."""
    translator = tr(context)
    found = services(context)
    who = await found.summaries.person_of(worker(), person_id)
    await found.inputs.expect(caller().account, AppointmentWhen(person_id))
    name = person_name(who, translator)
    await say(update, context, translator.message("appointment.worker_ask", person=name))


def day_warning_line(moment: datetime, translator: Translator, timezone: ZoneInfo) -> str:
    """'Attention : c'est un samedi.' (or a Sunday, a public holiday), else nothing."""
    warning = day_warning(moment.astimezone(timezone).date())
    return "" if warning is None else translator.message(f"appointment.warning_{warning}")


async def appointment_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """The worker typed a date: read it the French way, then ask to confirm.

    A day without an hour ("demain") is kept while the bot asks the hour, and the two
    answers are read together: "demain" then "9h" is tomorrow at 9h.
    """
    found = services(context)
    translator = tr(context)
    tz = found.settings.timezone
    pending = await found.inputs.peek(caller().account)
    assert isinstance(pending, AppointmentWhen)
    who = await found.summaries.person_of(worker(), pending.person_id)
    day_text = pending.day or ""
    now = found.clock.now()
    # With a day kept from before, the two answers together first; then the new one alone.
    readings = [f"{day_text} {text}", text] if day_text else [text]
    parsed: ParsedDate | None = None
    problems: list[DateProblem] = []
    for reading in readings:
        try:
            parsed = parse_french_datetime(reading, now, tz)
            break
        except DateProblem as problem:
            problems.append(problem)
    if parsed is None:
        if problems[-1].kind == "no_time":
            # A day without an hour: keep it, and ask the hour.
            await found.inputs.expect(
                caller().account, AppointmentWhen(pending.person_id, day=text)
            )
        kind = problems[-1].kind if problems[-1].kind == "no_time" else problems[0].kind
        await say(update, context, translator.message(f"appointment.problem_{kind}"))
        return
    await found.inputs.expect(
        caller().account, AppointmentWhen(pending.person_id, at=parsed.moment)
    )
    when = translator.spoken(parsed.moment, tz, about=parsed.assumed_time)
    rows = [
        [
            (
                translator.message("appointment.worker_yes"),
                WorkerButton("rdvok", pending.person_id),
            ),
            (translator.message("appointment.worker_no"), WorkerButton("rdv", pending.person_id)),
        ]
    ]
    name = person_name(who, translator)
    lines = [
        translator.message("appointment.worker_confirm", person=name, date=when),
        day_warning_line(parsed.moment, translator, tz),
        translator.message("appointment.worker_confirm_question"),
    ]
    lines = [line for line in lines if line]
    await say(update, context, "\n".join(lines), reply_markup=keyboard(rows))


def what_the_person_receives(
    scheduled: ScheduledAppointment, name: str, translator: Translator, now: datetime, tz: ZoneInfo
) -> str:
    """The worker is told exactly what the person will receive, and when."""
    lines = [translator.message("appointment.worker_set_for", person=name)]
    if scheduled.announced_at <= now:
        lines.append(translator.message("appointment.worker_announce_now"))
    else:
        when = translator.spoken(scheduled.announced_at, tz)
        lines.append(translator.message("appointment.worker_announce_later", date=when))
    if scheduled.reminders:
        from babel.lists import format_list  # at first use: babel is not loaded at start-up

        dates = format_list(
            [translator.spoken(moment, tz) for moment in scheduled.reminders],
            locale=translator.language,
        )
        lines.append(translator.message("appointment.worker_reminders", dates=dates))
    else:
        lines.append(translator.message("appointment.worker_no_reminder"))
    return "\n".join(lines)


async def confirm_appointment(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int
) -> None:
    """The worker confirmed the date read: the appointment is set, the person told."""
    found = services(context)
    translator = tr(context)
    pending = await found.inputs.peek(caller().account)
    if not isinstance(pending, AppointmentWhen) or pending.person_id != person_id:
        await say(update, context, translator.message("worker.not_yours"))
        return
    at = pending.at
    if at is None:
        await say(update, context, translator.message("worker.not_yours"))
        return
    who = await found.summaries.person_of(worker(), person_id)
    try:
        scheduled = await found.appointments.set(worker(), person_id, at)
    except InThePast:
        await say(update, context, translator.message("appointment.problem_past"))
        return
    await found.inputs.clear(caller().account)
    name = person_name(who, translator)
    text = what_the_person_receives(
        scheduled, name, translator, found.clock.now(), found.settings.timezone
    )
    await say(update, context, text)


async def take_proposal(
    update: Update, context: ContextTypes.DEFAULT_TYPE, appointment_id: int
) -> None:
    """The worker accepts the moment the person proposed after "Je ne peux pas"."""
    found = services(context)
    translator = tr(context)
    try:
        scheduled = await found.appointments.take_proposal(worker(), appointment_id)
    except InThePast:
        await say(update, context, translator.message("appointment.problem_past"))
        return
    who = await found.summaries.person_of(worker(), scheduled.appointment.person_id)
    text = what_the_person_receives(
        scheduled,
        person_name(who, translator),
        translator,
        found.clock.now(),
        found.settings.timezone,
    )
    await say(update, context, text)


async def cancel_appointment(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int
) -> None:
    """The person's next appointment is cancelled; they are told."""
    found = services(context)
    translator = tr(context)
    who = await found.summaries.person_of(worker(), person_id)
    name = person_name(who, translator)
    if await found.appointments.cancel(worker(), person_id):
        await say(update, context, translator.message("appointment.worker_cancelled", person=name))
    else:
        await say(update, context, translator.message("appointment.worker_none", person=name))


async def appointment_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/rdv: choose a person, then type the date."""
    translator = tr(context)
    listing = await services(context).workers.persons(worker())
    if not listing:
        await say(update, context, translator.message("worker.persons_none"))
        return
    rows = [
        [
            (
                entry.pseudonym or translator.message("worker.no_pseudonym"),
                WorkerButton("rdv", entry.person_id),
            )
        ]
        for entry in listing[:90]
    ]
    await say(
        update, context, translator.message("appointment.worker_pick"), reply_markup=keyboard(rows)
    )
