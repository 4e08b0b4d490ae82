"""Between appointments, in the person's chat: reminders, check-ins, appointments, rhythm."""

from __future__ import annotations

from telegram import CallbackQuery, Message, Update
from telegram.ext import ContextTypes

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
from bot.usecases.summaries import NotYours

LEARNED_INPUT = "checkin_learned"


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
        await found.checkins.progress(who, button.checkin_id, button.progress)
    except NotYours:
        await say(update, context, translator.message("reminder.gone"))
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
    """C'est noté / Je ne peux pas: the worker is told."""
    translator = tr(context)
    await query.answer()
    await close_buttons(query)
    try:
        done = await services(context).appointments.answer(
            person(update), button.appointment_id, button.answer
        )
    except NotYours:
        done = False
    key = f"appointment.{button.answer}_thanks" if done else "appointment.already"
    await say(update, context, translator.message(key))


def _settings_view(
    context: ContextTypes.DEFAULT_TYPE,
) -> tuple[str, list[list[tuple[str, Callback]]]]:
    translator = tr(context)
    who = person()
    lines = [translator.message("settings.title", evening=who.quiet_from, morning=who.quiet_until)]
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

    rows: list[list[tuple[str, Callback]]] = [
        [
            (
                mark(translator.message("settings.evening", hour=h), who.quiet_from == h),
                SettingsButton("evening", h),
            )
            for h in (18, 20, 22)
        ],
        [
            (
                mark(translator.message("settings.morning", hour=h), who.quiet_until == h),
                SettingsButton("morning", h),
            )
            for h in (8, 9, 10)
        ],
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
    if button.value not in valid.get(button.field, ()):
        await query.answer(tr(context).message("bot.stale_button"))
        return
    if button.field == "strengths":
        await found.reminders.strengths_rhythm(who, button.value)
    elif button.field == "evening":
        await found.storage.set_rhythm(who.id, quiet_from=button.value)
    elif button.field == "morning":
        await found.storage.set_rhythm(who.id, quiet_until=button.value)
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


async def pause_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/pause: no reminder at all until /reprendre."""
    await services(context).storage.set_rhythm(person(update).id, paused=1)
    await say(update, context, tr(context).message("settings.pause_done"))


async def resume_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reprendre: reminders again."""
    await services(context).storage.set_rhythm(person(update).id, paused=0)
    await say(update, context, tr(context).message("settings.resume_done"))
