"""/reglages, /pause, /reprendre: the person owns the rhythm of what reaches them."""

from __future__ import annotations

from telegram import CallbackQuery, Message, Update
from telegram.ext import ContextTypes

from bot.actions import Callback, SettingsButton
from bot.pending_states import QuietBound
from bot.telegram.common import say, tr
from bot.telegram.render import keyboard
from bot.telegram.roles import caller, person, refresh_caller, services
from bot.usecases.dates import DateProblem, parse_clock
from bot.usecases.settings_layout import settings_view


def _settings_view(
    context: ContextTypes.DEFAULT_TYPE,
) -> tuple[str, list[list[tuple[str, Callback]]]]:
    text, rows = settings_view(person(), tr(context))
    buttons: list[list[tuple[str, Callback]]] = [
        [(choice.label, SettingsButton(choice.setting, choice.value)) for choice in row]
        for row in rows
    ]
    return text, buttons


async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reglages: quiet hours, Sundays, the strengths check-in rhythm, with buttons."""
    text, rows = _settings_view(context)
    await say(update, context, text, reply_markup=keyboard(rows))


async def settings_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, button: SettingsButton
) -> None:
    """Change one setting; the message shows the new state in place."""
    found = services(context)
    who = person()
    choice = await found.rhythm.choose(who, button.field, button.value)
    if choice == "refused":
        await query.answer(tr(context).message("bot.stale_button"))
        return
    if choice == "type_a_time":
        # A bound to the minute, typed: "20h30".
        await query.answer()
        await found.dialogues.leave(who)
        await found.inputs.expect(caller().account, QuietBound(button.value))
        key = "settings.ask_morning" if button.value else "settings.ask_evening"
        await say(update, context, tr(context).message(key))
        return
    await query.answer()
    await refresh_caller(update, context)
    text, rows = _settings_view(context)
    markup = keyboard(rows)
    shown = query.message
    if isinstance(shown, Message) and shown.text == text and shown.reply_markup == markup:
        return  # the same choice tapped twice: the message already says so
    await query.edit_message_text(text, reply_markup=markup)


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
    await found.rhythm.quiet_bound(person(), bool(morning), at)
    await refresh_caller(update, context)
    await settings_command(update, context)


async def pause_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/pause: no reminder at all until /reprendre."""
    await services(context).rhythm.pause(person())
    await say(update, context, tr(context).message("settings.pause_done"))


async def resume_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reprendre: reminders again."""
    await services(context).rhythm.resume(person())
    await say(update, context, tr(context).message("settings.resume_done"))
