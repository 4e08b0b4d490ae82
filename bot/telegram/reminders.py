"""Reminders in the person's chat: a discreet line, then on "Voir" what it is about."""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.ext import ContextTypes

from bot.actions import MenuButton, ReminderButton, SummaryButton
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
    opened = await found.reminders.opened(person(), button.reminder_id)
    await query.answer()
    if opened.kind == "gone":
        await say(update, context, translator.message("reminder.gone"))
        return
    await close_buttons(query)
    timezone = found.settings.timezone
    if opened.kind == "over":
        await say(update, context, translator.message("reminder.gone"))
    elif opened.kind == "prepare" and opened.at is not None:
        date = translator.spoken(opened.at, timezone)
        prepare = SummaryButton("prep", 0, 0)
        await say(
            update,
            context,
            translator.message("reminder.prepare", date=date),
            reply_markup=keyboard([[(translator.message("reminder.prepare_button"), prepare)]]),
        )
    elif opened.kind == "appointment" and opened.at is not None:
        date = translator.spoken(opened.at, timezone)
        await say(update, context, translator.message("appointment.soon", date=date))
    elif opened.kind == "strengths":
        open_forces = MenuButton("redo", "forces")
        await say(
            update,
            context,
            translator.message("reminder.strengths"),
            reply_markup=keyboard(
                [[(translator.message("reminder.strengths_button"), open_forces)]]
            ),
        )
    elif opened.kind == "step":
        await say(update, context, translator.message("reminder.step", step=opened.step or ""))
    else:
        await ask_checkin(update, context)


async def step_reminder_text(context: ContextTypes.DEFAULT_TYPE, run_id: int) -> str | None:
    """After Mes idées, when the step's reminder will come (None after another dialogue, or
    when no reminder was asked for)."""
    found = services(context)
    due_at = await found.reminders.step_reminder_at(person(), run_id)
    if due_at is None:
        return None
    translator = tr(context)
    timezone = found.settings.timezone
    date = translator.spoken(due_at, timezone, about=True)
    # Like /rdv: a weekend or a public holiday may be a day the step cannot be done.
    warning = day_warning_line(due_at, translator, timezone)
    return f"{translator.message('reminder.step_when', date=date)}\n{warning}".strip()
