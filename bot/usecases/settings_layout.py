"""/reglages as words and choices, for any transport: what the person chose, then every
choice a button (or a typed number) may make."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from bot.domain import Person
from bot.i18n import Translator
from bot.usecases.rhythm import quiet_from, quiet_until
from bot.usecases.settings import EVENINGS, MORNINGS, STRENGTHS_WEEKS, Setting


@dataclass(frozen=True)
class Choice:
    """One choice: its label, and what it sets."""

    label: str
    setting: Setting
    value: int


def settings_view(who: Person, translator: Translator) -> tuple[str, list[list[Choice]]]:
    """What the person has chosen, in words, then every choice, row by row (the chosen one
    ticked)."""
    lines = [
        translator.message(
            "settings.title",
            evening=clock_text(quiet_from(who), translator),
            morning=clock_text(quiet_until(who), translator),
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
    evening: list[Choice] = [
        Choice(
            mark(
                translator.message("settings.evening", hour=h),
                evening_preset and who.quiet_from == h,
            ),
            "evening",
            h,
        )
        for h in EVENINGS
    ]
    evening.append(
        Choice(
            mark(translator.message("settings.other_evening"), not evening_preset),
            "other",
            0,
        )
    )
    morning: list[Choice] = [
        Choice(
            mark(
                translator.message("settings.morning", hour=h),
                morning_preset and who.quiet_until == h,
            ),
            "morning",
            h,
        )
        for h in MORNINGS
    ]
    morning.append(
        Choice(
            mark(translator.message("settings.other_morning"), not morning_preset),
            "other",
            1,
        )
    )

    rows: list[list[Choice]] = [
        evening,
        morning,
        [
            Choice(
                translator.message(
                    "settings.sunday_button_on"
                    if who.quiet_sunday
                    else "settings.sunday_button_off"
                ),
                "sunday",
                0 if who.quiet_sunday else 1,
            )
        ],
        [
            Choice(
                mark(
                    translator.message(f"settings.strengths_label_{w}"),
                    who.strengths_every_weeks == w,
                ),
                "strengths",
                w,
            )
            for w in STRENGTHS_WEEKS
        ],
    ]
    return "\n".join(lines), rows


def clock_text(at: time, translator: Translator) -> str:
    """'20h' or '20h30', as the person reads a time of day."""
    pattern = translator.message("format.hour" if at.minute == 0 else "format.time")
    from babel.dates import format_time  # at first use: babel is not loaded at start-up

    return str(format_time(at, pattern, locale=translator.language))
