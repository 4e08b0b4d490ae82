"""Reminders in the person's chat: a discreet line, then on "Voir" what it is about."""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.ext import ContextTypes

from bot.telegram.callbacks import (
    MenuButton,
    ReminderButton,
    SummaryButton,
)
from bot.telegram.checkins import ask_checkin
from bot.telegram.common import say, tr
from bot.telegram.render import close_buttons, keyboard
from bot.telegram.roles import person, services
from bot.telegram.worker_appointments import day_warning_line


async def reminder_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, button: ReminderButton
) -> None:
    """ "Voir" under a discreet reminder: now, in the open chat, what it is about."""
    found = services(context)
    translator = tr(context)
    who = person()
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
        date = translator.spoken(appointment.at, found.settings.timezone)
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


async def step_reminder_text(context: ContextTypes.DEFAULT_TYPE, run_id: int) -> str | None:
    """After Mes idées, when the step's reminder will come (None after another dialogue, or
    when no reminder was asked for)."""
    found = services(context)
    run = await found.storage.get_run(run_id)
    if run is None or run.dialogue_id != "idees":
        return None
    reminders = await found.storage.pending_reminders(person().id)
    step = next((r for r in reminders if r.kind == "step"), None)
    if step is None:
        return None
    translator = tr(context)
    timezone = found.settings.timezone
    date = translator.spoken(step.due_at, timezone, about=True)
    # Like /rdv: a weekend or a public holiday may be a day the step cannot be done.
    warning = day_warning_line(step.due_at, translator, timezone)
    return f"{translator.message('reminder.step_when', date=date)}\n{warning}".strip()
