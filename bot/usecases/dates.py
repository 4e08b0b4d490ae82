"""Read an appointment's date and time the way French people type them.

Pure: no clock, no I/O, no wording. The caller passes `now` and the zone, and words the
problem kinds itself, so this module holds no user-facing sentence; the French words below
are input the parser has to recognise.

How the text is read: it is lowered, stripped of accents and of typographic apostrophes,
then each known piece (a date, a relative day, a part of the day, a time, a weekday) is cut
out of it. Whatever is left must be filler ("le", "à", "vers") or punctuation; anything else
means we did not understand, rather than guessing around an unknown word.

Daylight saving: a local time is turned into UTC with `fold=0`. A time skipped in spring
(02:00–02:59 on the last Sunday of March in Europe/Paris) is refused as "nonexistent_time".
A time that happens twice in autumn (02:00–02:59 on the last Sunday of October) takes its
first occurrence, still in summer time: a reminder then comes an hour early, never late.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

DateProblemKind = Literal[
    "empty",
    "not_understood",
    "no_time",
    "impossible",
    "past",
    "ambiguous",
    "too_far",
    "nonexistent_time",
]

# Beyond a year an appointment is almost surely a typo (a wrong year), and reminders that
# far ahead would outlive the retention of the account's data anyway.
MAX_AHEAD = timedelta(days=366)


@dataclass(frozen=True)
class ParsedDate:
    """A moment the person gave, and whether its day was inferred rather than written."""

    moment: datetime  # timezone-aware, in UTC
    # True when no calendar date was written (a weekday, "demain", a time alone): the
    # caller may show the date it understood and ask to confirm.
    assumed_date: bool
    # True when no time was written and a default one was taken ("mardi matin" is 9h).
    assumed_time: bool = False


class DateProblem(Exception):
    """Why a text could not be read as a future moment; the caller words it."""

    def __init__(self, kind: DateProblemKind) -> None:
        super().__init__(kind)
        self.kind: DateProblemKind = kind


# The words people leave around a date that carry no meaning for us.
_FILLER = frozenset({"le", "a", "vers"})

_MONTHS: dict[str, int] = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}
# "mar" is left out on purpose: people use it for "mardi" as much as for "mars".

_WEEKDAYS: dict[str, int] = {
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "samedi": 5,
    "dimanche": 6,
}

# Keys are the matched words with everything but letters removed.
_RELATIVE_DAYS: dict[str, int] = {
    "avanthier": -2,
    "hier": -1,
    "aujourdhui": 0,
    "demain": 1,
    "apresdemain": 2,
}

_Period = Literal["morning", "afternoon", "evening"]
_PERIODS: dict[str, _Period] = {
    "matin": "morning",
    "apresmidi": "afternoon",
    "aprem": "afternoon",
    "soir": "evening",
}
# A part of the day said without a time stands for these hours (and "midi" for 12h); the
# bot repeats the time it took, so the person can correct it.
PERIOD_HOURS: dict[_Period, int] = {"morning": 9, "afternoon": 14, "evening": 18}

# ASCII-only classes: after accent stripping every French word is ASCII, and a digit from
# another script is better refused than silently read.
_FLAGS = re.ASCII

# 12/12, 12-12, 12.12, with an optional 2- or 4-digit year. Cut out before times, so that
# "9h 12/12" is not read as 9h12 followed by garbage.
_NUMERIC_DATE = re.compile(
    r"(?<![\d/.:-])(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})"
    r"(?:[/.-](?P<year>\d{4}|\d{2}))?(?!\d)",
    _FLAGS,
)
_MONTH_WORDS = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WRITTEN_DATE = re.compile(
    rf"(?<![\d/.:-])(?P<day>\d{{1,2}})(?:er)?\s*(?P<month>{_MONTH_WORDS})(?![a-z])\.?"
    r"(?:\s+(?P<year>\d{4}))?(?!\d)",
    _FLAGS,
)
_RELATIVE = re.compile(
    r"\b(?:(?P<named>aujourd\s*'?\s*hui|apres[\s-]*demain|avant[\s-]*hier|demain|hier)"
    r"|dans\s+(?P<count>\d{1,3}|une?)\s+(?P<unit>jours?|semaines?))\b",
    _FLAGS,
)
# "du matin", "de l'après-midi", "ce soir", "demain soir"… Cut out before "midi", which
# "après-midi" contains.
_PERIOD = re.compile(
    r"\b(?:(?P<this>cet?)\s+|(?:du|de\s+l|l)\s*'?\s*)?"
    r"(?P<period>matin|apres[\s-]*midi|aprem|soir)\b",
    _FLAGS,
)
# 14h, 14h30, 14 h 30, 14 heures 30, 14:30. Minutes take two digits, so "14h5" is refused
# rather than guessed.
_CLOCK = re.compile(
    r"(?<![\d/.:-])(?P<hour>\d{1,2})\s*"
    r"(?::\s*(?P<colon_minute>\d{2})|(?:heures?|h)(?![a-z])\s*(?P<minute>\d{2})?)"
    r"(?![\d:])",
    _FLAGS,
)
_NOON = re.compile(r"\bmidi\b", _FLAGS)
# "le 12": a day of this month (or the next one if it has gone by). Cut after full dates
# and before times, and never followed by an hour mark ("le 12h" is a time).
_MONTH_DAY = re.compile(
    r"\ble\s+(?P<day>\d{1,2})(?:er)?(?![\d:/.-])(?!\s*(?:h|heures?)(?![a-z]))",
    _FLAGS,
)
_NEXT_WEEK = re.compile(r"\b(?:la\s+)?semaine\s+prochaine\b", _FLAGS)
_WEEKDAY = re.compile(
    rf"\b(?P<weekday>{'|'.join(_WEEKDAYS)})(?:\s+(?P<next>prochain))?\b",
    _FLAGS,
)

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "´": "'", "`": "'"})


def parse_french_datetime(
    text: str, now: datetime, tz: ZoneInfo, default_time: time | None = None
) -> ParsedDate:
    """Read a date and time the way French people write them, relative to `now`, in `tz`.

    A day said without a time or a part of the day ("demain", "le 12") takes
    `default_time`, or is refused as "no_time" when there is none (the caller then asks
    the hour and reads the day and the hour together).

    Raises `DateProblem` with the kind of problem, and `ValueError` if `now` is naive
    (a programming error, not something the person typed).
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if not any(character.isalnum() for character in text):
        raise DateProblem("empty")

    rest = _normalize(text)
    numeric_dates, rest = _cut(_NUMERIC_DATE, rest)
    written_dates, rest = _cut(_WRITTEN_DATE, rest)
    relatives, rest = _cut(_RELATIVE, rest)
    next_weeks, rest = _cut(_NEXT_WEEK, rest)
    month_days, rest = _cut(_MONTH_DAY, rest)
    periods, rest = _cut(_PERIOD, rest)
    clocks, rest = _cut(_CLOCK, rest)
    noons, rest = _cut(_NOON, rest)
    weekdays, rest = _cut(_WEEKDAY, rest)

    if any(word not in _FILLER for word in re.findall(r"\w+", rest)):
        raise DateProblem("not_understood")
    this_period = [match for match in periods if match["this"]]
    days_given = (
        len(numeric_dates)
        + len(written_dates)
        + len(relatives)
        + len(this_period)
        + len(next_weeks)
        + len(month_days)
    )
    if days_given > 1 or len(periods) > 1 or len(clocks) + len(noons) > 1 or len(weekdays) > 1:
        raise DateProblem("not_understood")
    if not (days_given or periods or clocks or noons or weekdays):
        raise DateProblem("not_understood")

    # Both the time and the date are checked for sense before asking whether they are
    # ahead: "31/02" is better answered with "impossible" than with anything else.
    clock = _clock(clocks[0] if clocks else None, bool(noons))
    assumed_time = False
    if clock is not None and periods:
        clock = (_apply_period(_period(periods[0]), clock[0]), clock[1])
    elif periods:
        clock, assumed_time = (PERIOD_HOURS[_period(periods[0])], 0), True

    local_now = now.astimezone(tz)
    today = local_now.date()
    day: date | None
    if numeric_dates or written_dates:
        match = numeric_dates[0] if numeric_dates else written_dates[0]
        day = _calendar_day(match, today)
        assumed = False
    elif relatives:
        day = today + timedelta(days=_relative_offset(relatives[0]))
        assumed = True
    elif this_period:
        day = today
        assumed = True
    elif next_weeks:
        # "la semaine prochaine": its Monday, which the bot repeats with its weekday.
        day = today + timedelta(days=7 - today.weekday())
        assumed = True
    elif month_days:
        day = _month_day(int(month_days[0]["day"]), today)
        assumed = False
    else:
        day = None
        assumed = True

    same_weekday = False
    if weekdays:
        weekday = _WEEKDAYS[weekdays[0]["weekday"]]
        if day is not None:
            # "mardi 3 décembre" when the 3rd is a Thursday: one of the two is wrong and we
            # cannot tell which.
            if day.weekday() != weekday:
                raise DateProblem("impossible")
        else:
            ahead = (weekday - today.weekday()) % 7
            if ahead == 0:
                # Said on that same weekday it may mean today or in a week: "prochain"
                # settles it, and so does a time that has already gone by today.
                if weekdays[0]["next"]:
                    ahead = 7
                else:
                    same_weekday = True
            day = today + timedelta(days=ahead)

    if day is None:
        # A time alone means today; if it has gone by we say so rather than silently
        # moving it to tomorrow.
        day = today
    elif day < today:
        raise DateProblem("past")
    elif _start_of(day, tz) - now > MAX_AHEAD:
        raise DateProblem("too_far")

    if clock is None:
        if default_time is None:
            raise DateProblem("ambiguous" if same_weekday else "no_time")
        clock, assumed_time = (default_time.hour, default_time.minute), True
    if same_weekday:
        if datetime.combine(day, time(clock[0], clock[1]), tzinfo=tz) > now:
            raise DateProblem("ambiguous")
        day += timedelta(days=7)

    local = datetime.combine(day, time(clock[0], clock[1]), tzinfo=tz)  # fold=0
    moment = local.astimezone(UTC)
    # A wall time skipped by the spring change does not survive the trip through UTC.
    if moment.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise DateProblem("nonexistent_time")
    if moment <= now:
        raise DateProblem("past")
    if moment - now > MAX_AHEAD:
        raise DateProblem("too_far")
    return ParsedDate(moment=moment, assumed_date=assumed, assumed_time=assumed_time)


def parse_clock(text: str) -> time:
    """A time of day alone, as people write it: "20h30", "20 h 30", "20:30", "8h"."""
    rest = _normalize(text)
    clocks, rest = _cut(_CLOCK, rest)
    if len(clocks) != 1 or re.findall(r"\w+", rest):
        raise DateProblem("not_understood")
    hour, minute = _clock(clocks[0], False) or (0, 0)
    return time(hour, minute)


def _normalize(text: str) -> str:
    """Lower case, no accents, one kind of apostrophe, single spaces."""
    # NFKD also turns non-breaking spaces (French typography) and full-width digits into
    # their plain forms.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.translate(_APOSTROPHES).split())


def _cut(pattern: re.Pattern[str], text: str) -> tuple[list[re.Match[str]], str]:
    """Every match of `pattern`, and the text with them replaced by spaces."""
    # A space, not nothing, so that the pieces on either side do not fuse into a new word.
    return list(pattern.finditer(text)), pattern.sub(" ", text)


def _letters(text: str) -> str:
    return "".join(c for c in text if c.isalpha())


def _clock(match: re.Match[str] | None, noon: bool) -> tuple[int, int] | None:
    if noon:
        return (12, 0)
    if match is None:
        return None
    hour = int(match["hour"])
    minute = int(match["minute"] or match["colon_minute"] or 0)
    if hour > 23 or minute > 59:
        raise DateProblem("impossible")
    return (hour, minute)


def _period(match: re.Match[str]) -> _Period:
    return _PERIODS[_letters(match["period"])]


def _apply_period(period: _Period, hour: int) -> int:
    """The 24-hour clock hour of e.g. "8h du soir"; an hour outside the period is refused."""
    if period == "morning" and hour <= 12:
        return hour
    if period == "afternoon" and 1 <= hour <= 23:
        return hour + 12 if hour < 12 else hour
    # 12 in the evening would be noon, which contradicts "soir".
    if period == "evening" and 1 <= hour <= 23 and hour != 12:
        return hour + 12 if hour < 12 else hour
    raise DateProblem("impossible")


def _calendar_day(match: re.Match[str], today: date) -> date:
    """The written date; without a year, its next occurrence from today (today included)."""
    day = int(match["day"])
    month_text = match["month"]
    month = int(month_text) if month_text.isdigit() else _MONTHS[month_text]
    year_text = match["year"]
    if year_text is None:
        # 12/01 said in December is next January. The year is chosen before the date is
        # checked, so 29/02 falling in a common year is "impossible" rather than moved to
        # the next leap year, which would be more than a year ahead anyway.
        year = today.year if (month, day) >= (today.month, today.day) else today.year + 1
    elif len(year_text) == 2:
        year = 2000 + int(year_text)
    else:
        year = int(year_text)
    try:
        return date(year, month, day)
    except ValueError:
        raise DateProblem("impossible") from None


def _month_day(day: int, today: date) -> date:
    """The next "le 12" from today (today included): this month, else the next one that
    has that day ("le 31" said in November is 31 December)."""
    year, month = today.year, today.month
    for _ in range(3):
        if (year, month) != (today.year, today.month) or day >= today.day:
            try:
                return date(year, month, day)
            except ValueError:
                pass
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise DateProblem("impossible")


def _relative_offset(match: re.Match[str]) -> int:
    if match["named"]:
        return _RELATIVE_DAYS[_letters(match["named"])]
    count = 1 if match["count"] in ("un", "une") else int(match["count"])
    return count * 7 if match["unit"].startswith("semaine") else count


def _start_of(day: date, tz: ZoneInfo) -> datetime:
    """The earliest moment of a local day, in UTC."""
    return datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(UTC)
