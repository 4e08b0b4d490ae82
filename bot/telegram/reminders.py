"""Reminders in the person's chat: a discreet line, then on "Voir" what it is about."""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.ext import ContextTypes

from bot.actions import MenuButton, ReminderButton, SummaryButton
from bot.telegram.checkins import ask_checkin
from bot.telegram.common import say, tr
from bot.telegram.render import close_buttons, keyboard
from bot.telegram.roles import person, services


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
