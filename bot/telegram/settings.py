"""/reglages, /pause, /reprendre: the person owns the rhythm of what reaches them."""

from __future__ import annotations

from datetime import time

from babel.dates import format_time
from telegram import CallbackQuery, Message, Update
from telegram.ext import ContextTypes

from bot.i18n import Translator
from bot.pending_states import QuietBound
from bot.telegram.callbacks import (
    Callback,
    SettingsButton,
)
from bot.telegram.common import say, tr
from bot.telegram.render import keyboard
from bot.telegram.roles import caller, person, refresh_caller, services
from bot.usecases.dates import DateProblem, parse_clock
from bot.usecases.rhythm import quiet_from, quiet_until
from bot.usecases.settings import EVENINGS, MORNINGS, STRENGTHS_WEEKS


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
        # Only these rhythms can be chosen; each has its own words ("chaque semaine").
        shown = min(STRENGTHS_WEEKS[1:], key=lambda choice: abs(choice - weeks))
        every = translator.message(f"settings.strengths_label_{shown}")
        lines.append(translator.message("settings.strengths_every", every=every))
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
        for h in EVENINGS
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
        for h in MORNINGS
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
            for w in STRENGTHS_WEEKS
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
