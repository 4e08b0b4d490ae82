"""Between appointments, in the person's chat: reminders, check-ins, appointments, rhythm."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from babel.dates import format_time
from telegram import CallbackQuery, Message, Update
from telegram.ext import ContextTypes

from bot.i18n import Translator
from bot.storage.base import PendingInput
from bot.telegram.callbacks import (
    AppointmentButton,
    Callback,
    CheckinButton,
    MenuButton,
    ReminderButton,
    SettingsButton,
    SummaryButton,
)
from bot.telegram.common import say, tr
from bot.telegram.render import close_buttons, keyboard
from bot.telegram.roles import caller, person, refresh_caller, services
from bot.telegram.worker_cards import day_warning_line
from bot.usecases.checkins import ATTAINMENT
from bot.usecases.dates import DateProblem, parse_clock, parse_french_datetime
from bot.usecases.rhythm import USUAL_HOUR, quiet_from, quiet_until
from bot.usecases.summaries import NotYours

LEARNED_INPUT = "checkin_learned"
CANNOT_WHY_INPUT = "appointment_cannot_why"
CANNOT_WHEN_INPUT = "appointment_cannot_when"
CANNOT_INPUTS = (CANNOT_WHY_INPUT, CANNOT_WHEN_INPUT)
QUIET_BOUND_INPUT = "settings_quiet_bound"


async def reminder_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, button: ReminderButton
) -> None:
    """ "Voir" under a discreet reminder: now, in the open chat, what it is about."""
    found = services(context)
    translator = tr(context)
    who = person(update)
    reminder = await found.storage.get_reminder(button.reminder_id)
    await query.answer()
    if reminder is None or reminder.person_id != who.id:
        await say(update, context, translator.message("reminder.gone"))
        return
    await close_buttons(query)
    if reminder.kind == "prepare":
        appointment = await found.storage.next_appointment(who.id, found.clock.now())
        if appointment is None:
            await say(update, context, translator.message("reminder.gone"))
            return
        date = translator.date_time(appointment.at, found.settings.timezone)
        prepare = SummaryButton("prep", 0, 0)
        await say(
            update,
            context,
            translator.message("reminder.prepare", date=date),
            reply_markup=keyboard([[(translator.message("reminder.prepare_button"), prepare)]]),
        )
    elif reminder.kind == "appointment":
        appointment = await found.storage.next_appointment(who.id, found.clock.now())
        if appointment is None:
            await say(update, context, translator.message("reminder.gone"))
            return
        date = translator.spoken(appointment.at, found.settings.timezone)
        await say(update, context, translator.message("appointment.soon", date=date))
    elif reminder.kind == "strengths":
        open_forces = MenuButton("redo", "forces")
        await say(
            update,
            context,
            translator.message("reminder.strengths"),
            reply_markup=keyboard(
                [[(translator.message("reminder.strengths_button"), open_forces)]]
            ),
        )
    elif reminder.kind == "step":
        step = await found.checkins.current_step(who)
        key = "reminder.step" if step else "reminder.gone"
        await say(update, context, translator.message(key, step=step or ""))
    else:
        await ask_checkin(update, context)


async def ask_checkin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Où en êtes-vous avec « … » ? with the four answers."""
    translator = tr(context)
    checkin = await services(context).checkins.open(person(update))
    if checkin is None:
        await say(update, context, translator.message("reminder.gone"))
        return
    rows: list[list[tuple[str, Callback]]] = [
        [(translator.message(f"reminder.checkin_{answer}"), CheckinButton(answer, checkin.id))]
        for answer in ("done", "in_progress", "not_yet", "change")
    ]
    await say(
        update,
        context,
        translator.message("reminder.checkin_question", step=checkin.step),
        reply_markup=keyboard(rows),
    )


async def checkin_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, button: CheckinButton
) -> None:
    """The person's progress, then (unless they want to change the step) what they learned."""
    found = services(context)
    translator = tr(context)
    who = person(update)
    await query.answer()
    await close_buttons(query)
    if button.progress == "skip":
        await found.inputs.clear(caller().account)
        await say(update, context, translator.message("reminder.checkin_thanks"))
        return
    try:
        if button.progress in ATTAINMENT:
            await found.checkins.attainment(who, button.checkin_id, button.progress)
        else:
            await found.checkins.progress(who, button.checkin_id, button.progress)
    except NotYours:
        await say(update, context, translator.message("reminder.gone"))
        return
    if button.progress in ("done", "in_progress"):
        # How it went compared with what was expected (GAS), before what was learned.
        rows: list[list[tuple[str, Callback]]] = [
            [(translator.message(f"reminder.gas_{name}"), CheckinButton(name, button.checkin_id))]
            for name in ATTAINMENT
        ]
        await say(
            update,
            context,
            translator.message("reminder.checkin_gas"),
            reply_markup=keyboard(rows),
        )
        return
    if button.progress == "change":
        ideas = MenuButton("redo", "idees")
        await say(
            update,
            context,
            translator.message("reminder.checkin_change_answer"),
            reply_markup=keyboard([[(translator.message("reminder.checkin_ideas_button"), ideas)]]),
        )
        return
    await found.dialogues.leave(who)
    await found.inputs.expect(caller().account, LEARNED_INPUT, button.checkin_id)
    skip = CheckinButton("skip", button.checkin_id)
    await say(
        update,
        context,
        translator.message("reminder.checkin_learned"),
        reply_markup=keyboard([[(translator.message("reminder.skip"), skip)]]),
    )


async def learned_answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, checkin_id: int, words: str
) -> None:
    """What happened, in the person's words; it feeds the next summary."""
    found = services(context)
    await found.inputs.clear(caller().account)
    try:
        await found.checkins.learned(person(update), checkin_id, words)
    except NotYours:
        return
    await say(update, context, tr(context).message("reminder.checkin_thanks"))


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
    await close_buttons(query)
    if button.answer == "noreason":
        await _ask_other_moment(update, context, button.appointment_id, None)
        return
    if button.answer == "nowhen":
        pending = await found.inputs.peek(caller().account)
        why = (pending.data or {}).get("why") if pending is not None else None
        await _cannot_done(update, context, button.appointment_id, why, None)
        return
    try:
        done = await found.appointments.answer(person(update), button.appointment_id, button.answer)
    except NotYours:
        done = False
    if done and button.answer == "cannot":
        await found.dialogues.leave(person(update))
        await found.inputs.expect(caller().account, CANNOT_WHY_INPUT, button.appointment_id)
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
    why: str | dict[str, Any] | None,
) -> None:
    translator = tr(context)
    await services(context).inputs.expect(
        caller().account, CANNOT_WHEN_INPUT, appointment_id, {"why": why}
    )
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
    why: object,
    proposed_at: datetime | None,
) -> None:
    found = services(context)
    await found.inputs.clear(caller().account)
    reason = why if isinstance(why, str | dict) else None
    try:
        await found.appointments.cannot_details(person(update), appointment_id, reason, proposed_at)
    except NotYours:
        return
    await say(update, context, tr(context).message("appointment.cannot_thanks"))


async def cannot_answer(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    pending: PendingInput,
    words: str | dict[str, Any],
) -> None:
    """The person's answer in the exchange after "Je ne peux pas": why, then when."""
    found = services(context)
    translator = tr(context)
    if pending.kind == CANNOT_WHY_INPUT:
        await _ask_other_moment(update, context, pending.ref, words)
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
    why = (pending.data or {}).get("why")
    await _cannot_done(update, context, pending.ref, why, parsed.moment)


async def step_reminder_notice(
    update: Update, context: ContextTypes.DEFAULT_TYPE, run_id: int
) -> None:
    """After Mes idées, the person is told when their step's reminder will come."""
    found = services(context)
    run = await found.storage.get_run(run_id)
    if run is None or run.dialogue_id != "idees":
        return
    reminders = await found.storage.pending_reminders(person(update).id)
    step = next((r for r in reminders if r.kind == "step"), None)
    if step is None:
        return
    translator = tr(context)
    date = translator.spoken(step.due_at, found.settings.timezone, about=True)
    await say(update, context, translator.message("reminder.step_when", date=date))


def _settings_view(
    context: ContextTypes.DEFAULT_TYPE,
) -> tuple[str, list[list[tuple[str, Callback]]]]:
    translator = tr(context)
    who = person()
    lines = [
        translator.message(
            "settings.title",
            evening=_clock_text(quiet_from(who), translator),
            morning=_clock_text(quiet_until(who), translator),
        )
    ]
    lines.append(
        translator.message("settings.sunday_on" if who.quiet_sunday else "settings.sunday_off")
    )
    weeks = who.strengths_every_weeks
    if weeks:
        lines.append(translator.message("settings.strengths_every", weeks=weeks))
    else:
        lines.append(translator.message("settings.strengths_never"))
    if who.paused:
        lines.append(translator.message("settings.paused"))

    def mark(text: str, chosen: bool) -> str:
        return f"✅ {text}" if chosen else text

    evening_preset = who.quiet_from_minute == 0
    morning_preset = who.quiet_until_minute == 0
    evening: list[tuple[str, Callback]] = [
        (
            mark(
                translator.message("settings.evening", hour=h),
                evening_preset and who.quiet_from == h,
            ),
            SettingsButton("evening", h),
        )
        for h in (18, 20, 22)
    ]
    evening.append(
        (
            mark(translator.message("settings.other_evening"), not evening_preset),
            SettingsButton("other", 0),
        )
    )
    morning: list[tuple[str, Callback]] = [
        (
            mark(
                translator.message("settings.morning", hour=h),
                morning_preset and who.quiet_until == h,
            ),
            SettingsButton("morning", h),
        )
        for h in (8, 9, 10)
    ]
    morning.append(
        (
            mark(translator.message("settings.other_morning"), not morning_preset),
            SettingsButton("other", 1),
        )
    )

    rows: list[list[tuple[str, Callback]]] = [
        evening,
        morning,
        [
            (
                translator.message(
                    "settings.sunday_button_on"
                    if who.quiet_sunday
                    else "settings.sunday_button_off"
                ),
                SettingsButton("sunday", 0 if who.quiet_sunday else 1),
            )
        ],
        [
            (
                mark(
                    translator.message(f"settings.strengths_label_{w}"),
                    who.strengths_every_weeks == w,
                ),
                SettingsButton("strengths", w),
            )
            for w in (0, 1, 2, 4)
        ],
    ]
    return "\n".join(lines), rows


async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reglages: quiet hours, Sundays, the strengths check-in rhythm, with buttons."""
    text, rows = _settings_view(context)
    await say(update, context, text, reply_markup=keyboard(rows))


async def settings_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, button: SettingsButton
) -> None:
    """Change one setting; the message shows the new state in place."""
    found = services(context)
    who = person(update)
    valid = {"strengths": (0, 1, 2, 4), "evening": (18, 20, 22), "morning": (8, 9, 10)}
    valid["sunday"] = (0, 1)
    valid["other"] = (0, 1)
    if button.value not in valid.get(button.field, ()):
        await query.answer(tr(context).message("bot.stale_button"))
        return
    if button.field == "other":
        # A bound to the minute, typed: "20h30".
        await query.answer()
        await found.dialogues.leave(who)
        await found.inputs.expect(caller().account, QUIET_BOUND_INPUT, button.value)
        key = "settings.ask_morning" if button.value else "settings.ask_evening"
        await say(update, context, tr(context).message(key))
        return
    if button.field == "strengths":
        await found.reminders.strengths_rhythm(who, button.value)
    elif button.field == "evening":
        await found.storage.set_rhythm(who.id, quiet_from=button.value, quiet_from_minute=0)
    elif button.field == "morning":
        await found.storage.set_rhythm(who.id, quiet_until=button.value, quiet_until_minute=0)
    else:
        await found.storage.set_rhythm(who.id, quiet_sunday=button.value)
    await query.answer()
    await refresh_caller(update, context)
    text, rows = _settings_view(context)
    markup = keyboard(rows)
    shown = query.message
    if isinstance(shown, Message) and shown.text == text and shown.reply_markup == markup:
        return  # the same choice tapped twice: the message already says so
    await query.edit_message_text(text, reply_markup=markup)


def _clock_text(at: time, translator: Translator) -> str:
    """'20h' or '20h30', as the person reads a time of day."""
    pattern = translator.message("format.hour" if at.minute == 0 else "format.time")
    return str(format_time(at, pattern, locale=translator.language))


async def quiet_bound_answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, morning: int, text: str
) -> None:
    """A typed quiet-hour bound, to the minute; the settings are shown again."""
    found = services(context)
    translator = tr(context)
    try:
        at = parse_clock(text)
    except DateProblem:
        await say(update, context, translator.message("settings.time_not_understood"))
        return
    await found.inputs.clear(caller().account)
    who = person(update)
    if morning:
        await found.storage.set_rhythm(who.id, quiet_until=at.hour, quiet_until_minute=at.minute)
    else:
        await found.storage.set_rhythm(who.id, quiet_from=at.hour, quiet_from_minute=at.minute)
    await refresh_caller(update, context)
    await settings_command(update, context)


async def pause_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/pause: no reminder at all until /reprendre."""
    await services(context).storage.set_rhythm(person(update).id, paused=1)
    await say(update, context, tr(context).message("settings.pause_done"))


async def resume_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reprendre: reminders again."""
    await services(context).storage.set_rhythm(person(update).id, paused=0)
    await say(update, context, tr(context).message("settings.resume_done"))
