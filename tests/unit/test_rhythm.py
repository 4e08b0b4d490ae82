"""Quiet hours to the minute, across daylight saving, and reminders that always come."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import Person
from bot.usecases.appointments import reminder_moments
from bot.usecases.rhythm import allowed, next_allowed, usual_moment

PARIS = ZoneInfo("Europe/Paris")
# Quiet from 20:30 to 8:45, and on Sundays: bounds that are not whole hours.
AMINA = Person(
    id=1,
    account="a",
    chat_id=1,
    language="fr",
    scale_mode="numbers",
    current_run_id=None,
    created_at=datetime(2026, 1, 1, tzinfo=UTC),
    quiet_from=20,
    quiet_from_minute=30,
    quiet_until=8,
    quiet_until_minute=45,
)


def paris(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (paris(10, 23, 8, 44), False),  # Friday, a minute before the morning bound
        (paris(10, 23, 8, 45), True),
        (paris(10, 23, 20, 29), True),
        (paris(10, 23, 20, 30), False),
        (paris(10, 25, 12, 0), False),  # Sunday (the autumn change)
        (paris(10, 26, 8, 45), True),  # Monday after the change: still 8:45 on the wall
        (paris(3, 30, 8, 45), True),  # Monday after the spring change
        (paris(3, 30, 8, 44), False),
    ],
)
def test_quiet_hours_to_the_minute(local: datetime, expected: bool) -> None:
    assert allowed(local.astimezone(UTC), AMINA, PARIS) is expected


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (paris(10, 23, 21, 0), paris(10, 24, 8, 45)),  # Friday night: Saturday morning
        (paris(10, 24, 22, 0), paris(10, 26, 8, 45)),  # Saturday night, DST: Monday
        (paris(10, 25, 23, 0), paris(10, 26, 8, 45)),
        (paris(3, 28, 23, 0), paris(3, 30, 8, 45)),  # across the spring change
        (paris(10, 23, 15, 0), paris(10, 23, 15, 0)),  # already allowed
    ],
)
def test_the_next_allowed_moment_is_a_wall_clock_bound(local: datetime, expected: datetime) -> None:
    found = next_allowed(local.astimezone(UTC), AMINA, PARIS)
    assert found == expected
    assert found.astimezone(PARIS).strftime("%H:%M") == expected.strftime("%H:%M")


def test_no_quiet_hours_but_sunday() -> None:
    sundays_only = replace(
        AMINA, quiet_from=0, quiet_from_minute=0, quiet_until=0, quiet_until_minute=0
    )
    sunday_noon = paris(10, 25, 12).astimezone(UTC)
    assert next_allowed(sunday_noon, sundays_only, PARIS) == paris(10, 26, 0)
    assert allowed(paris(10, 26, 3).astimezone(UTC), sundays_only, PARIS)


def test_the_usual_hour_is_ten_unless_the_morning_is_quiet_longer() -> None:
    assert usual_moment(paris(10, 26, 0).date(), AMINA, PARIS) == paris(10, 26, 10)
    late = replace(AMINA, quiet_until=10, quiet_until_minute=30)
    assert usual_moment(paris(10, 26, 0).date(), late, PARIS) == paris(10, 26, 10, 30)
    # A Sunday is quiet: the first allowed moment, Monday at the end of the quiet morning.
    assert usual_moment(paris(10, 25, 0).date(), AMINA, PARIS) == paris(10, 26, 8, 45)


def test_set_late_sunday_for_tuesday_2pm_reminds_on_monday_and_tuesday() -> None:
    now = paris(10, 25, 23, 0).astimezone(UTC)  # the autumn change, late
    at = paris(10, 27, 14).astimezone(UTC)
    assert reminder_moments(at, now, AMINA, PARIS) == [paris(10, 26, 10), paris(10, 27, 12)]


def test_every_appointment_with_three_hours_notice_gets_a_reminder() -> None:
    """Every 45 minutes of two weeks across the autumn change and 1 and 11 November, an
    appointment is set for every working hour (9h–18h, Monday to Saturday) at least 3
    hours ahead, in the next three days: each gets at least one reminder, at an allowed
    moment, before it. (On her quiet Sunday nothing may reach her, so an appointment on a
    Sunday set after Saturday 20:30 cannot be reminded.)"""
    start = paris(10, 20, 0)
    checked = 0
    for quarter in range(0, 14 * 24 * 4, 3):
        now = (start + timedelta(minutes=15 * quarter)).astimezone(UTC)
        local_today = now.astimezone(PARIS).date()
        for days in range(4):
            day = local_today + timedelta(days=days)
            if day.weekday() == 6:
                continue
            for hour in range(9, 19):
                at = datetime(day.year, day.month, day.day, hour, tzinfo=PARIS).astimezone(UTC)
                if at - now < timedelta(hours=3):
                    continue
                moments = reminder_moments(at, now, AMINA, PARIS)
                assert moments, (now.astimezone(PARIS), at.astimezone(PARIS))
                for moment in moments:
                    assert now < moment < at
                    assert allowed(moment, AMINA, PARIS)
                checked += 1
    assert checked > 10_000
