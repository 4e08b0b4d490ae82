"""Workers' quiet hours (issue #15): non-urgent messages wait; a safety call request does not.

And the first step's "Quand ?" answer warns about weekends and public holidays like /rdv.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.i18n import ui_text
from tests.clock import ManualClock
from tests.conftest import running_bot
from tests.e2e.helpers import (
    choose_a_first_step as choose_first_step_when,
)
from tests.e2e.helpers import (
    eventually,
    expect,
    finish_probleme,
    person_joins,
    services_of,
    ui_start,
    worker_joins,
)
from tests.e2e.test_safety import fr, press_call
from tests.e2e.test_time import Diary, paris, settle, walk_to
from tests.fakegram import FakeTelegram, FakeUser

PARIS = ZoneInfo("Europe/Paris")


def rows(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(settings.database) as db:
        return list(db.execute(sql))


async def test_the_digest_due_at_8h_waits_until_the_workers_quiet_morning_ends(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    clock = ManualClock(paris(12, 7, 10))  # Monday 7 December, 10:00
    async with running_bot(settings, clock) as app:
        found = services_of(app)
        severine, worker = await worker_joins(fake_telegram, app)
        await person_joins(fake_telegram, app, "Amina", worker_user=severine)
        with sqlite3.connect(settings.database) as db:
            db.execute("UPDATE workers SET quiet_until = 9, quiet_until_minute = 30")
        ((person_id,),) = rows(settings, "SELECT id FROM persons")
        # Wednesday 14h: the digest is due on Tuesday at 8h, inside her quiet morning.
        await found.appointments.set(worker, int(str(person_id)), paris(12, 9, 14))
        diary = Diary(severine, clock)
        diary.record()
        await walk_to(app, clock, diary, paris(12, 8, 11))
    discreet = ui_text("reminder.discreet")
    assert diary.arrived(discreet) == ["Tue 08 Dec 09:30"]
    ((status, sent_at),) = rows(
        settings, "SELECT status, sent_at FROM reminders WHERE kind = 'digest'"
    )
    assert status == "sent"
    assert datetime.fromisoformat(str(sent_at)) == paris(12, 8, 9, 30)


async def test_a_summary_sent_on_saturday_night_reaches_the_worker_on_monday_at_8h(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    clock = ManualClock(paris(12, 5, 10))  # Saturday 5 December, 10:00
    async with running_bot(settings, clock) as app:
        severine, _ = await worker_joins(fake_telegram, app)
        amina = await person_joins(fake_telegram, app, "Amina", worker_user=severine)
        await finish_probleme(amina, "Je dors chez ma sœur depuis mars")
        clock.moment = paris(12, 5, 23)
        diary = Diary(severine, clock)
        diary.record()
        await amina.send("/preparer")
        await expect(amina, ui_start("summary.topics_question"))
        await amina.click(ui_start("engine.skip"))
        while not (await amina.next_message()).buttons:
            pass
        await amina.click(ui_text("summary.send"))
        await expect(amina, ui_start("summary.sent"))
        await settle(app)
        assert rows(settings, "SELECT status FROM summaries") == [("sent",)]
        await walk_to(app, clock, diary, paris(12, 7, 8, 30))
    notice = ui_text("worker.summary_notice_vowel", person="Amina")
    assert diary.arrived(notice) == ["Mon 07 Dec 08:00"]
    ((status, delivered_at),) = rows(settings, "SELECT status, delivered_at FROM summaries")
    assert status == "delivered"
    assert datetime.fromisoformat(str(delivered_at)) == paris(12, 7, 8)


async def test_a_safety_call_request_on_sunday_at_23h_reaches_the_worker_at_once(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    clock = ManualClock(paris(12, 4, 10))  # Friday 4 December, 10:00
    async with running_bot(settings, clock) as app:
        tr = fr(app)
        severine, _ = await worker_joins(fake_telegram, app)
        amina = await person_joins(fake_telegram, app, "Amina", worker_user=severine)
        night = paris(12, 6, 23)  # Sunday 23:00: quiet twice over for the worker
        clock.moment = night
        await press_call(amina, tr)
        notice = tr.message(
            "safety.worker_call", pseudonym="Amina", date=tr.date_time(night, PARIS)
        )
        await eventually(fake_telegram, severine, notice)
        assert clock.now() == night
    ((delivered_at,),) = rows(
        settings, "SELECT delivered_at FROM outbox WHERE dedupe_key LIKE 'safety_call:%'"
    )
    assert datetime.fromisoformat(str(delivered_at)) == night


async def choose_a_first_step(amina: FakeUser, when: str) -> None:
    await choose_first_step_when(amina, when)
    await amina.next_message()


@pytest.mark.parametrize(
    ("when", "date", "warning"),
    [
        ("samedi", "samedi 5 décembre vers 10h", "appointment.warning_saturday"),
        ("le 25/12 à 11h", "vendredi 25 décembre vers 11h", "appointment.warning_holiday"),
        ("jeudi 10h", "jeudi 3 décembre vers 10h", None),
    ],
)
async def test_the_first_steps_when_warns_on_a_weekend_or_a_public_holiday(
    fake_telegram: FakeTelegram, settings: Settings, when: str, date: str, warning: str | None
) -> None:
    clock = ManualClock(paris(12, 1, 10))  # Tuesday 1 December, 10:00
    async with running_bot(settings, clock) as app:
        severine, _ = await worker_joins(fake_telegram, app)
        amina = await person_joins(fake_telegram, app, "Amina", worker_user=severine)
        await choose_first_step_when(amina, when)
        told = await amina.next_message()
    expected = [ui_text("reminder.step_when", date=date)]
    if warning is not None:
        expected.append(ui_text(warning))
    # The last words, when the reminder comes, the menu: one paragraph each, one message.
    assert told.text.split("\n\n")[1].splitlines() == expected
    ((due_at,),) = rows(settings, "SELECT due_at FROM reminders WHERE kind = 'step'")
    assert datetime.fromisoformat(str(due_at)).astimezone(PARIS).date().day == int(date.split()[1])
