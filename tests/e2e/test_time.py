"""Two weeks and a half of Amina's life with the bot, across the autumn clock change and
two public holidays (1 and 11 November 2026), the clock driven by hand.

Amina asked for quiet from 20:30 to 8:45, and on Sundays: bounds that are not whole
hours. Every message reaching her is stamped with the test clock when it arrives.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.lists import format_list

from bot.admin import schedule_text
from bot.config import Settings
from bot.domain import AgreementStep
from bot.i18n import ui_text
from bot.usecases.rhythm import allowed
from tests.clock import ManualClock
from tests.conftest import running_bot
from tests.e2e.helpers import (
    App,
    day,
    eventually,
    person_joins,
    services_of,
    spoken,
    spoken_about,
    ui_line,
    ui_start,
    worker_joins,
)
from tests.fakegram import FakeTelegram, FakeUser

PARIS = ZoneInfo("Europe/Paris")
STEP = timedelta(minutes=15)


def paris(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Paris wall-clock moment of autumn 2026, in UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


# The appointments of the long walk: set on the night of the clock change, and a holiday.
TUESDAY_27 = paris(10, 27, 14)
ELEVENTH = paris(11, 11, 10)


def wall(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%a %d %b %H:%M")


def rows(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(settings.database) as db:
        return list(db.execute(sql))


@dataclass
class Diary:
    """When (by the test clock) each message reached a user."""

    user: FakeUser
    clock: ManualClock
    seen: int = 0

    def __post_init__(self) -> None:
        self.arrivals: list[tuple[str, datetime]] = []

    def record(self) -> None:
        for message in self.user.messages[self.seen :]:
            self.arrivals.append((message.text, self.clock.now()))
        self.seen = len(self.user.messages)

    def arrived(self, text: str) -> list[str]:
        return [wall(at) for said, at in self.arrivals if said == text]


async def settle(app: App) -> None:
    """Wake the courier and wait until nothing due now is left in the outbox."""
    found = services_of(app)
    found.outbox_signal.wake()
    for _ in range(4000):
        if not await found.storage.due_outbox(found.clock.now()):
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the outbox never emptied")


async def walk_to(app: App, clock: ManualClock, diary: Diary, until: datetime) -> None:
    """Quarter hour by quarter hour, the reminder scan and the courier running each time."""
    scan = services_of(app).reminders.scan
    diary.record()
    while clock.now() < until:
        clock.advance(minutes=15)
        await scan()
        await settle(app)
        diary.record()
    assert clock.now() == until


async def test_two_weeks_across_the_clock_change_and_public_holidays(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    clock = ManualClock(paris(10, 24, 10))  # Saturday 24 October, 10:00
    async with running_bot(settings, clock) as app:
        found = services_of(app)
        severine, worker = await worker_joins(fake_telegram, app)
        amina = await person_joins(fake_telegram, app, "Amina", worker_user=severine)
        ((person_id,),) = rows(settings, "SELECT id FROM persons")
        await found.storage.set_rhythm(
            int(str(person_id)), quiet_from=20, quiet_from_minute=30, quiet_until=8,
            quiet_until_minute=45,
        )  # fmt: skip
        person = await found.storage.get_person(int(str(person_id)))
        assert person is not None
        diary = Diary(amina, clock)
        diary.record()
        joined = diary.seen

        # Late on Sunday 25 October (the clock change), an appointment "mardi 14h".
        await walk_to(app, clock, diary, paris(10, 25, 23))
        await severine.send("/rdv")
        await eventually(fake_telegram, severine, ui_text("appointment.worker_pick"))
        await severine.click("Amina")
        await eventually(fake_telegram, severine, ui_start("appointment.worker_ask"))
        await severine.send("mardi 14h")
        confirm = await eventually(
            fake_telegram, severine, ui_start("appointment.worker_confirm_question")
        )
        assert confirm.text == "\n".join(
            [
                ui_text("appointment.worker_confirm", person="Amina", date=spoken(TUESDAY_27)),
                ui_text("appointment.worker_confirm_question"),
            ]
        )
        await severine.click(ui_text("appointment.worker_yes"), message=confirm)
        told = await eventually(
            fake_telegram, severine, ui_text("appointment.worker_set_for", person="Amina")
        )
        assert told.text == "\n".join(
            [
                ui_text("appointment.worker_set_for", person="Amina"),
                ui_text("appointment.worker_announce_later", date=spoken(paris(10, 26, 8, 45))),
                ui_text(
                    "appointment.worker_reminders",
                    dates=format_list(
                        [spoken(paris(10, 26, 10)), spoken(paris(10, 27, 12))], locale="fr_FR"
                    ),
                ),
            ]
        )
        await settle(app)
        diary.record()
        assert diary.seen == joined  # nothing reaches her on a Sunday night

        # It reaches her on Monday at 8:45, the minute her quiet morning ends.
        await walk_to(app, clock, diary, paris(10, 26, 11))
        announce_text = ui_text("appointment.announce", date=spoken(TUESDAY_27))
        assert diary.arrived(announce_text) == ["Mon 26 Oct 08:45"]
        announce = await eventually(fake_telegram, amina, announce_text)
        await amina.click(ui_text("appointment.noted"), message=announce)
        noted = ui_text("appointment.worker_noted", person="Amina", date=spoken(TUESDAY_27))
        await eventually(fake_telegram, severine, noted)

        # Monday's and Tuesday's reminders come, on the wall clock after the change.
        await walk_to(app, clock, diary, paris(10, 28, 11))
        assert diary.arrived(ui_text("reminder.discreet")) == [
            "Mon 26 Oct 10:00",
            "Tue 27 Oct 12:00",
        ]

        # Wednesday: an appointment on 11 November, a public holiday; the worker is warned.
        when_question = ui_line("appointment.worker_ask", person="Amina")
        await severine.send("/rdv")
        picks = [m for m in severine.messages if m.text == ui_text("appointment.worker_pick")]
        await fake_telegram.wait_for(
            lambda: (
                sum(m.text == ui_text("appointment.worker_pick") for m in severine.messages)
                == len(picks) + 1
            )
        )
        pick = [m for m in severine.messages if m.text == ui_text("appointment.worker_pick")][-1]
        await severine.click("Amina", message=pick)
        await fake_telegram.wait_for(
            lambda: sum(when_question in m.text for m in severine.messages) == 2
        )
        await severine.send("11/11 10h")
        holiday = await fake_telegram.wait_for(
            lambda: next(
                (m for m in reversed(severine.messages) if day(ELEVENTH) in m.text),
                None,
            )
        )
        assert holiday is not None
        assert holiday.text.split("\n")[1] == ui_text("appointment.warning_holiday")
        await severine.click(ui_text("appointment.worker_yes"), message=holiday)
        eleventh = ui_text("appointment.announce", date=spoken(ELEVENTH))
        announce = await eventually(fake_telegram, amina, eleventh)

        # She cannot come: she says why, and proposes "le 12 matin".
        await amina.click(ui_text("appointment.cannot"), message=announce)
        await eventually(fake_telegram, amina, ui_text("appointment.cannot_why"))
        await amina.send("J'ai un examen à l'hôpital")
        await eventually(fake_telegram, amina, ui_text("appointment.cannot_when"))
        await amina.send("le 12 matin")
        await eventually(
            fake_telegram,
            amina,
            ui_text("appointment.cannot_understood", date=spoken_about(paris(11, 12, 9))),
        )
        await eventually(fake_telegram, amina, ui_text("appointment.cannot_thanks"))
        await settle(app)
        cannot = ui_text("appointment.worker_cannot", person="Amina", date=spoken(ELEVENTH))
        notice = await eventually(fake_telegram, severine, cannot)
        assert notice.text == "\n".join(
            [
                cannot,
                ui_text("appointment.worker_cannot_why", why="J'ai un examen à l'hôpital"),
                ui_text("appointment.worker_cannot_when", date=spoken(paris(11, 12, 9))),
            ]
        )
        assert notice.button_labels == [
            ui_text("appointment.worker_take"),
            ui_text("appointment.worker_other"),
        ]
        await severine.click(ui_text("appointment.worker_take"), message=notice)
        replaced = ui_text(
            "appointment.replaced", old=spoken(ELEVENTH), date=spoken(paris(11, 12, 9))
        )
        await eventually(fake_telegram, amina, replaced)
        # One message to the worker with all of it, one to Amina for the change.
        assert sum(cannot in m.text for m in severine.messages) == 1
        assert sum(day(ELEVENTH) in m.text for m in amina.messages) == 2

        # Friday night the worker records an agreement: it waits for Saturday 8:45.
        await walk_to(app, clock, diary, paris(10, 30, 21))
        await found.agreements.propose(
            worker, person.id, "Le dossier CAF", [AgreementStep("Appeler la CAF")]
        )
        await settle(app)
        diary.record()
        question = ui_text("agreement.question")
        assert diary.arrived(question) == []
        await walk_to(app, clock, diary, paris(10, 31, 10))
        assert diary.arrived(question) == ["Sat 31 Oct 08:45"]
        asked = await eventually(fake_telegram, amina, question)
        await amina.click(ui_text("agreement.ok"), message=asked)
        await fake_telegram.wait_for(lambda: len(amina.messages) > diary.seen)

        # The agreed step gets its check-in three days later, with the GAS buttons.
        await walk_to(app, clock, diary, paris(11, 3, 11))
        assert diary.arrived(ui_text("reminder.discreet"))[-1] == "Tue 03 Nov 10:00"
        await amina.click(ui_text("reminder.open"))
        progress = await eventually(
            fake_telegram, amina, ui_text("reminder.checkin_question", step="Appeler la CAF")
        )
        await amina.click(ui_text("reminder.checkin_done"), message=progress)
        gas = await eventually(fake_telegram, amina, ui_text("reminder.checkin_gas"))
        await amina.click(ui_text("reminder.gas_as_expected"), message=gas)
        await eventually(fake_telegram, amina, ui_text("reminder.checkin_learned"))
        await amina.click(ui_text("reminder.skip"))
        await eventually(fake_telegram, amina, ui_text("reminder.checkin_thanks"))

        # To the end of the walk: 12 November, past the appointment.
        await walk_to(app, clock, diary, paris(11, 12, 18))
        listing = await schedule_text(found, person.id, found.catalogs.translator("fr"))

    # No message she did not just ask for came inside her quiet hours, Sundays included.
    for text, at in diary.arrivals:
        assert allowed(at, person, PARIS), (wall(at), text)
    # Every appointment still planned, set at least 3 hours ahead, got its reminders.
    planned = rows(
        settings,
        "SELECT a.id, a.at, a.created_at, COUNT(r.id) FROM appointments AS a"
        " LEFT JOIN reminders AS r ON r.ref = a.id AND r.person_id IS NOT NULL"
        " AND r.status = 'sent' WHERE a.status = 'planned' GROUP BY a.id",
    )
    assert len(planned) == 1
    for _, planned_at, created, sent in planned:
        ahead = datetime.fromisoformat(str(planned_at)) - datetime.fromisoformat(str(created))
        assert ahead >= timedelta(hours=3) and int(str(sent)) >= 1
    assert rows(settings, "SELECT progress, attainment FROM checkins") == [("done", 0)]
    # The operator's view lists it all, in local time.
    assert ui_text("cli.schedule_sent") in listing
    line = ui_text("cli.schedule_line", date=spoken(ELEVENTH), kind="prepare", status="")
    assert line.rstrip(", ") in listing


async def test_an_appointment_set_and_cancelled_at_night_never_bothers_her(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    clock = ManualClock(paris(10, 24, 22))  # Saturday night
    async with running_bot(settings, clock) as app:
        found = services_of(app)
        severine, worker = await worker_joins(fake_telegram, app)
        amina = await person_joins(fake_telegram, app, "Amina", worker_user=severine)
        diary = Diary(amina, clock)
        diary.record()
        joined = diary.seen
        ((person_id,),) = rows(settings, "SELECT id FROM persons")
        await found.appointments.set(worker, int(str(person_id)), paris(10, 27, 14))
        await settle(app)
        assert await found.appointments.cancel(worker, int(str(person_id)))
        # Then replaced by another one, still at night: one message on Monday morning.
        await found.appointments.set(worker, int(str(person_id)), paris(10, 28, 15))
        await walk_to(app, clock, diary, paris(10, 26, 12))
    said = [text for text, _ in diary.arrivals[joined:]]
    assert said[0] == ui_text("appointment.announce", date=spoken(paris(10, 28, 15)))
    assert wall(diary.arrivals[joined][1]) == "Mon 26 Oct 09:00"
    assert not any(day(paris(10, 27, 14)) in text for text in said), said
