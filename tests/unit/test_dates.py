"""Reading appointment dates typed in French, against a fixed `now` in Europe/Paris."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import get_args
from zoneinfo import ZoneInfo

import pytest

from bot.usecases.dates import (
    DateProblem,
    DateProblemKind,
    ParsedDate,
    parse_clock,
    parse_french_datetime,
)
from bot.usecases.holidays import day_warning, easter

PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


NOW = paris(2026, 11, 24)  # a Tuesday, 10:00
MONDAY = paris(2026, 11, 23)
EARLY = paris(2026, 11, 24, 8)
BEFORE_SPRING_CHANGE = paris(2026, 3, 20)
FRIDAY_BEFORE_SPRING_CHANGE = paris(2026, 3, 27)
BEFORE_AUTUMN_CHANGE = paris(2026, 10, 20)
SUNDAY_NIGHT = paris(2026, 11, 29, 23, 0)
USUAL = time(10)

Local = tuple[int, int, int, int, int]

ACCEPTED: list[tuple[str, datetime, Local, bool]] = [
    # Written dates: the day is not assumed.
    ("12/12 14h30", NOW, (2026, 12, 12, 14, 30), False),
    ("12/12/2026 14h", NOW, (2026, 12, 12, 14, 0), False),
    ("12/12/26 14h", NOW, (2026, 12, 12, 14, 0), False),
    ("12-12 14:30", NOW, (2026, 12, 12, 14, 30), False),
    ("12.12 9h", NOW, (2026, 12, 12, 9, 0), False),
    ("9h 12/12", NOW, (2026, 12, 12, 9, 0), False),
    ("12 décembre 14h30", NOW, (2026, 12, 12, 14, 30), False),
    ("12 déc 14h", NOW, (2026, 12, 12, 14, 0), False),
    ("12 déc. 2026 à 14h", NOW, (2026, 12, 12, 14, 0), False),
    ("1er décembre à 9h", NOW, (2026, 12, 1, 9, 0), False),
    ("jeudi 3 décembre 14h30", NOW, (2026, 12, 3, 14, 30), False),
    ("mardi 1er décembre 9h", NOW, (2026, 12, 1, 9, 0), False),
    ("  LE 12/12   À 14H30 ! ", NOW, (2026, 12, 12, 14, 30), False),
    ("24/11 14h", NOW, (2026, 11, 24, 14, 0), False),  # today's date, later today
    ("12/01 14h", NOW, (2027, 1, 12, 14, 0), False),  # next occurrence: next January
    ("12/12 14h", paris(2026, 12, 20), (2027, 12, 12, 14, 0), False),
    ("25/11/2027 10h", NOW, (2027, 11, 25, 10, 0), False),  # exactly 366 days ahead
    # Weekdays and relative days: the caller may confirm.
    ("jeudi 14h", NOW, (2026, 11, 26, 14, 0), True),
    ("mardi 14h", MONDAY, (2026, 11, 24, 14, 0), True),
    ("lundi prochain 9h", NOW, (2026, 11, 30, 9, 0), True),
    ("mardi prochain 9h", NOW, (2026, 12, 1, 9, 0), True),
    ("demain 9h", NOW, (2026, 11, 25, 9, 0), True),
    ("après-demain 10h", NOW, (2026, 11, 26, 10, 0), True),
    ("apres demain 10h", NOW, (2026, 11, 26, 10, 0), True),
    ("aujourd'hui 16h", NOW, (2026, 11, 24, 16, 0), True),
    ("Aujourd’hui, 16h", NOW, (2026, 11, 24, 16, 0), True),
    ("ce soir 18h", NOW, (2026, 11, 24, 18, 0), True),
    ("ce soir 8h", NOW, (2026, 11, 24, 20, 0), True),
    ("demain soir 8h", NOW, (2026, 11, 25, 20, 0), True),
    ("cet après-midi 3h", NOW, (2026, 11, 24, 15, 0), True),
    ("dans 3 jours 10h", NOW, (2026, 11, 27, 10, 0), True),
    ("dans une semaine 10h", NOW, (2026, 12, 1, 10, 0), True),
    # A time alone: today.
    ("14h", NOW, (2026, 11, 24, 14, 0), True),
    ("14h30", NOW, (2026, 11, 24, 14, 30), True),
    ("14 h 30", NOW, (2026, 11, 24, 14, 30), True),
    ("14 heures 30", NOW, (2026, 11, 24, 14, 30), True),
    ("14:30", NOW, (2026, 11, 24, 14, 30), True),
    ("vers 14h", NOW, (2026, 11, 24, 14, 0), True),
    ("à midi", NOW, (2026, 11, 24, 12, 0), True),
    ("9h", EARLY, (2026, 11, 24, 9, 0), True),
    ("9h du matin", EARLY, (2026, 11, 24, 9, 0), True),
    ("2h de l'après-midi", NOW, (2026, 11, 24, 14, 0), True),
    ("8h du soir", NOW, (2026, 11, 24, 20, 0), True),
    # The autumn 02:30 happens twice; the first one is taken (checked further below).
    ("25/10 2h30", BEFORE_AUTUMN_CHANGE, (2026, 10, 25, 2, 30), False),
]

# Times as people say them: a part of the day stands for its stated hour (matin 9h, midi
# 12h, après-midi 14h, soir 18h); a day alone takes the caller's default time when it has
# one (USUAL, as in "Quand ?"), and is "no_time" otherwise (as in /rdv, which then asks).
# (text, now, default time, local result, day assumed, time assumed)
SPOKEN: list[tuple[str, datetime, time | None, Local, bool, bool]] = [
    ("demain", NOW, USUAL, (2026, 11, 25, 10, 0), True, True),
    ("demain matin", NOW, None, (2026, 11, 25, 9, 0), True, True),
    ("demain matin", SUNDAY_NIGHT, None, (2026, 11, 30, 9, 0), True, True),
    ("demain midi", NOW, None, (2026, 11, 25, 12, 0), True, False),
    ("mardi matin", SUNDAY_NIGHT, None, (2026, 12, 1, 9, 0), True, True),
    ("mardi 14h", SUNDAY_NIGHT, None, (2026, 12, 1, 14, 0), True, False),
    ("mercredi matin", NOW, None, (2026, 11, 25, 9, 0), True, True),
    ("jeudi après-midi", NOW, None, (2026, 11, 26, 14, 0), True, True),
    ("jeudi aprem", NOW, None, (2026, 11, 26, 14, 0), True, True),
    ("lundi matin", NOW, None, (2026, 11, 30, 9, 0), True, True),
    ("ce soir", NOW, None, (2026, 11, 24, 18, 0), True, True),
    ("cet après-midi", NOW, None, (2026, 11, 24, 14, 0), True, True),
    ("dans 3 jours", NOW, USUAL, (2026, 11, 27, 10, 0), True, True),
    ("dans 3 jours matin", NOW, None, (2026, 11, 27, 9, 0), True, True),
    ("la semaine prochaine", NOW, USUAL, (2026, 11, 30, 10, 0), True, True),
    ("semaine prochaine 14h", NOW, None, (2026, 11, 30, 14, 0), True, False),
    ("le 12", NOW, USUAL, (2026, 12, 12, 10, 0), False, True),
    ("le 12 à 10h", NOW, None, (2026, 12, 12, 10, 0), False, False),
    ("le 12 matin", NOW, None, (2026, 12, 12, 9, 0), False, True),
    ("le 1er", NOW, USUAL, (2026, 12, 1, 10, 0), False, True),
    ("le 31", NOW, USUAL, (2026, 12, 31, 10, 0), False, True),  # November has no 31st
    ("le 30", paris(2027, 1, 31), USUAL, (2027, 3, 30, 10, 0), False, True),  # nor February
    ("le 24 vers 16h", NOW, None, (2026, 11, 24, 16, 0), False, False),  # today, later
    ("le 12/12 vers 10h", NOW, None, (2026, 12, 12, 10, 0), False, False),
    ("12/12 après-midi", NOW, None, (2026, 12, 12, 14, 0), False, True),
    ("mardi", SUNDAY_NIGHT, USUAL, (2026, 12, 1, 10, 0), True, True),
    # Said on a Tuesday after that time, "mardi" can only be next week's.
    ("mardi matin", NOW, None, (2026, 12, 1, 9, 0), True, True),
    ("mardi 9h", NOW, None, (2026, 12, 1, 9, 0), True, False),
    ("12/12", NOW, USUAL, (2026, 12, 12, 10, 0), False, True),
    # Daylight saving: "demain matin" on the day of each change is 9h on the wall clock.
    ("demain matin", paris(2026, 10, 24, 22), None, (2026, 10, 25, 9, 0), True, True),
    ("demain matin", paris(2026, 3, 28, 22), None, (2026, 3, 29, 9, 0), True, True),
]

SPOKEN_PROBLEMS: list[tuple[str, datetime, time | None, DateProblemKind]] = [
    ("demain", NOW, None, "no_time"),  # /rdv asks the hour, keeping the day
    ("le 12", NOW, None, "no_time"),
    ("la semaine prochaine", NOW, None, "no_time"),
    ("ce matin", NOW, None, "past"),  # 9h has gone by at 10h
    ("le 32", NOW, USUAL, "impossible"),
    ("le 0", NOW, USUAL, "impossible"),
    ("le 9h", NOW, None, "past"),  # a time today, not the 9th
    ("mardi après-midi", NOW, None, "ambiguous"),  # today at 14h, or in a week?
    ("mardi", EARLY, USUAL, "ambiguous"),  # at 8h, today 10h is still ahead
    ("demain semaine prochaine", NOW, USUAL, "not_understood"),
    ("le 12 le 13", NOW, USUAL, "not_understood"),
]

PROBLEMS: list[tuple[str, datetime, DateProblemKind]] = [
    ("", NOW, "empty"),
    ("   ", NOW, "empty"),
    (" ?! ", NOW, "empty"),
    ("blabla", NOW, "not_understood"),
    ("12/12 14h blabla", NOW, "not_understood"),
    ("14h 15h", NOW, "not_understood"),
    ("demain après-demain 9h", NOW, "not_understood"),
    ("minuit", NOW, "not_understood"),
    ("14h et demie", NOW, "not_understood"),
    ("14h5", NOW, "not_understood"),
    ("le", NOW, "not_understood"),
    ("12/12", NOW, "no_time"),
    ("12 décembre", NOW, "no_time"),
    ("demain", NOW, "no_time"),
    ("mardi prochain", NOW, "no_time"),
    ("le 12", NOW, "no_time"),
    ("dans 3 jours", NOW, "no_time"),
    ("31/02 14h", NOW, "impossible"),
    ("30 février 14h", NOW, "impossible"),
    ("31 novembre 9h", NOW, "impossible"),
    ("13/13 10h", NOW, "impossible"),
    ("29/02 10h", NOW, "impossible"),  # February 2027 has 28 days
    ("25h", NOW, "impossible"),
    ("14h75", NOW, "impossible"),
    ("mardi 3 décembre 14h30", NOW, "impossible"),  # the 3rd is a Thursday
    ("14h du matin", NOW, "impossible"),
    ("12h du soir", NOW, "impossible"),
    ("hier 10h", NOW, "past"),
    ("avant-hier", NOW, "past"),
    ("aujourd'hui 9h", NOW, "past"),
    ("9h", NOW, "past"),  # not silently moved to tomorrow
    ("10h", NOW, "past"),  # now is not ahead
    ("ce matin 9h", NOW, "past"),
    ("12/12/2025 14h", NOW, "past"),
    ("mardi 14h", NOW, "ambiguous"),  # today or next week?
    ("mardi", NOW, "ambiguous"),
    ("mardi soir 20h", NOW, "ambiguous"),
    ("lundi", MONDAY, "ambiguous"),
    ("12/12/2028 14h", NOW, "too_far"),
    ("26/11/2027", NOW, "too_far"),
    ("25/11/2027 10h01", NOW, "too_far"),
    ("dans 400 jours 10h", NOW, "too_far"),
    ("29/03 2h30", BEFORE_SPRING_CHANGE, "nonexistent_time"),
    ("29 mars 2026 2h", BEFORE_SPRING_CHANGE, "nonexistent_time"),
    ("dimanche 2h45", FRIDAY_BEFORE_SPRING_CHANGE, "nonexistent_time"),
]


def test_the_fixed_moments_fall_where_the_tables_assume() -> None:
    assert NOW.strftime("%A") == "Tuesday"
    assert MONDAY.strftime("%A") == "Monday"
    assert FRIDAY_BEFORE_SPRING_CHANGE.strftime("%A") == "Friday"
    # 29 March 2026 is the spring change: 01:59 to 03:00 is one minute of real time.
    spring = paris(2026, 3, 29, 3, 0).astimezone(UTC) - paris(2026, 3, 29, 1, 59).astimezone(UTC)
    assert spring == timedelta(minutes=1)
    # 25 October 2026 is the autumn change: 02:30 exists twice.
    assert paris(2026, 10, 25, 2, 30).utcoffset() == timedelta(hours=2)
    assert paris(2026, 10, 25, 2, 30).replace(fold=1).utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "now", "expected", "assumed"), ACCEPTED, ids=[case[0] for case in ACCEPTED]
)
def test_accepted_forms(text: str, now: datetime, expected: Local, assumed: bool) -> None:
    parsed = parse_french_datetime(text, now, PARIS)
    assert parsed.moment.tzinfo is UTC
    local = parsed.moment.astimezone(PARIS)
    assert (local.year, local.month, local.day, local.hour, local.minute) == expected
    assert parsed.assumed_date is assumed
    # Writing the result back as a full date reads as the same moment.
    again = parse_french_datetime(local.strftime("%d/%m/%Y %Hh%M"), now, PARIS)
    assert again == ParsedDate(moment=parsed.moment, assumed_date=False)


@pytest.mark.parametrize(("text", "now", "kind"), PROBLEMS, ids=[case[0] for case in PROBLEMS])
def test_problems(text: str, now: datetime, kind: DateProblemKind) -> None:
    with pytest.raises(DateProblem) as caught:
        parse_french_datetime(text, now, PARIS)
    assert caught.value.kind == kind


def test_every_problem_kind_is_covered_at_least_twice() -> None:
    kinds = [kind for _, _, kind in PROBLEMS]
    assert all(kinds.count(kind) >= 2 for kind in get_args(DateProblemKind))


def test_the_ambiguous_autumn_time_takes_its_first_occurrence() -> None:
    parsed = parse_french_datetime("25/10 2h30", BEFORE_AUTUMN_CHANGE, PARIS)
    assert parsed.moment == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert parsed.moment.astimezone(PARIS).utcoffset() == timedelta(hours=2)


def test_now_may_be_given_in_utc() -> None:
    in_utc = parse_french_datetime("demain 9h", NOW.astimezone(UTC), PARIS)
    assert in_utc == parse_french_datetime("demain 9h", NOW, PARIS)
    # Just after midnight in Paris it is still yesterday in UTC: the day is Paris's.
    after_midnight = paris(2026, 11, 25, 0, 30).astimezone(UTC)
    assert after_midnight.day == 24
    tomorrow = parse_french_datetime("demain 9h", after_midnight, PARIS).moment.astimezone(PARIS)
    assert (tomorrow.day, tomorrow.hour) == (26, 9)


def test_a_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_french_datetime("14h", datetime(2026, 11, 24, 10), PARIS)


@pytest.mark.parametrize(
    ("text", "now", "default", "expected", "assumed_date", "assumed_time"),
    SPOKEN,
    ids=[f"{case[0]}@{case[1]:%a %H:%M}" for case in SPOKEN],
)
def test_times_as_people_say_them(
    text: str,
    now: datetime,
    default: time | None,
    expected: Local,
    assumed_date: bool,
    assumed_time: bool,
) -> None:
    parsed = parse_french_datetime(text, now, PARIS, default)
    local = parsed.moment.astimezone(PARIS)
    assert (local.year, local.month, local.day, local.hour, local.minute) == expected
    assert (parsed.assumed_date, parsed.assumed_time) == (assumed_date, assumed_time)


@pytest.mark.parametrize(
    ("text", "now", "default", "kind"), SPOKEN_PROBLEMS, ids=[c[0] for c in SPOKEN_PROBLEMS]
)
def test_times_as_people_say_them_refused(
    text: str, now: datetime, default: time | None, kind: DateProblemKind
) -> None:
    with pytest.raises(DateProblem) as caught:
        parse_french_datetime(text, now, PARIS, default)
    assert caught.value.kind == kind


def test_a_day_then_its_hour_read_together_keep_the_day() -> None:
    """/rdv "demain" then "9h": the two answers are read as one."""
    with pytest.raises(DateProblem):
        parse_french_datetime("demain", SUNDAY_NIGHT, PARIS)
    both = parse_french_datetime("demain 9h", SUNDAY_NIGHT, PARIS).moment.astimezone(PARIS)
    assert (both.day, both.hour) == (30, 9)


@pytest.mark.parametrize(
    ("year", "sunday"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter(year: int, sunday: date) -> None:
    assert easter(year) == sunday


@pytest.mark.parametrize(
    ("day", "warning"),
    [
        (date(2026, 12, 12), "saturday"),
        (date(2026, 12, 13), "sunday"),
        (date(2026, 12, 14), None),
        (date(2026, 11, 11), "holiday"),  # Armistice, a Wednesday
        (date(2026, 11, 1), "holiday"),  # Toussaint, a Sunday: the holiday is said
        (date(2026, 12, 25), "holiday"),
        (date(2026, 4, 6), "holiday"),  # Easter Monday
        (date(2026, 5, 14), "holiday"),  # Ascension
        (date(2026, 5, 25), "holiday"),  # Whit Monday
        (date(2027, 5, 17), "holiday"),  # Whit Monday 2027
        (date(2026, 5, 13), None),
    ],
)
def test_weekends_and_public_holidays_are_flagged(day: date, warning: str | None) -> None:
    assert day_warning(day) == warning


@pytest.mark.parametrize(
    ("text", "expected"),
    [("20h30", time(20, 30)), ("8h45", time(8, 45)), ("20 h 30", time(20, 30)),
     ("8:45", time(8, 45)), ("21h", time(21, 0)), ("  9 heures 15 ", time(9, 15))],
)  # fmt: skip
def test_a_time_of_day_alone(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize(("text", "kind"), [("20h30 demain", "not_understood"),
    ("vingt heures", "not_understood"), ("25h", "impossible"), ("", "not_understood")])  # fmt: skip
def test_a_time_of_day_alone_refused(text: str, kind: DateProblemKind) -> None:
    with pytest.raises(DateProblem) as caught:
        parse_clock(text)
    assert caught.value.kind == kind


def test_the_first_of_the_month_is_written_as_the_language_writes_it() -> None:
    """'mardi 1er décembre' in French, in every written date, not only in spoken ones."""
    from bot.i18n import _default_catalogs

    paris = ZoneInfo("Europe/Paris")
    french = _default_catalogs().translator("fr")
    first, third = datetime(2026, 12, 1, 10, tzinfo=paris), datetime(2026, 12, 3, 10, tzinfo=paris)
    first_day = french.message("format.first_day")
    assert f" {first_day} " in french.day(first, paris)
    assert f" {first_day} " in french.date_time(first, paris)
    assert f" {first_day} " not in french.day(third, paris)
    assert " 3 " in french.date_time(third, paris)
