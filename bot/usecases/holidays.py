"""French public holidays and weekends: why a day may be a bad choice for an appointment.

Apart from reading dates (bot/usecases/dates.py) because it is a fact about the calendar,
not about what was typed: whoever sets a day is warned about it, however they wrote it.
"""

from __future__ import annotations

from datetime import date
from typing import Literal


def easter(year: int) -> date:
    """Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * weekday_shift) // 433
    month = (h + weekday_shift - 7 * m + 90) // 25
    return date(year, month, (h + weekday_shift - 7 * m + 33 * month + 19) % 32)


# 1 January, 1 May, 8 May, 14 July, 15 August, 1 and 11 November, 25 December.
_FIXED_HOLIDAYS = ((1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25))


def is_public_holiday(day: date) -> bool:
    """A French public holiday: the fixed ones, Easter Monday, Ascension, Whit Monday."""
    if (day.month, day.day) in _FIXED_HOLIDAYS:
        return True
    offset = (day - easter(day.year)).days
    return offset in (1, 39, 50)


DayWarning = Literal["saturday", "sunday", "holiday"]


def day_warning(day: date) -> DayWarning | None:
    """Why a day may be a bad choice for an appointment: a weekend or a public holiday."""
    if is_public_holiday(day):
        return "holiday"
    if day.weekday() == 5:
        return "saturday"
    return "sunday" if day.weekday() == 6 else None
