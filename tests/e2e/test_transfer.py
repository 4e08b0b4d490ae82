"""After an admin transfers a person, what was planned follows the person to the new worker."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import Settings
from tests.clock import ManualClock
from tests.conftest import running_bot
from tests.e2e.helpers import App, eventually, person_joins, services_of, ui_start, worker_joins
from tests.fakegram import FakeTelegram

PARIS = ZoneInfo("Europe/Paris")
# Tuesday 1 December 2026, 10:00 in Paris.
START = datetime(2026, 12, 1, 10, 0, tzinfo=PARIS).astimezone(UTC)


def rows(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(settings.database) as db:
        return list(db.execute(sql))


async def walk(app: App, clock: ManualClock, hours: int) -> None:
    reminders = services_of(app).reminders
    for _ in range(hours):
        clock.advance(hours=1)
        await reminders.scan()


async def test_transfer_then_daily_list_goes_to_the_new_worker(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    clock = ManualClock(START)
    async with running_bot(settings, clock) as app:
        found = services_of(app)
        severine, first = await worker_joins(fake_telegram, app)
        karim, second = await worker_joins(fake_telegram, app, first_name="Karim")
        amina = await person_joins(fake_telegram, app, "Amina", worker_user=severine)
        person_id = (await found.workers.persons(first))[0].person_id
        at = datetime(2026, 12, 4, 14, 30, tzinfo=PARIS)
        await found.appointments.set(first, person_id, at)

        await found.workers.transfer(person_id, second.id)

        # The appointment and the worker's reminder about it now belong to the new worker.
        assert rows(settings, "SELECT worker_id FROM appointments") == [(second.id,)]
        digests = rows(
            settings, "SELECT worker_id FROM reminders WHERE kind = 'digest' AND status = 'pending'"
        )
        assert digests == [(second.id,)]

        await walk(app, clock, 2 * 24)  # to Thursday 3 December, the day before
        listing_title = found.catalogs.translator().message("reminder.digest_title")
        notice = found.catalogs.translator().message("reminder.discreet")
        await eventually(fake_telegram, karim, notice)
        await karim.click(ui_start("reminder.open"))
        listing = await eventually(fake_telegram, karim, listing_title)
        assert "Amina" in listing.text
        # The first worker gets no list about a person who is no longer theirs.
        assert not any(listing_title in m.text for m in severine.messages)
        assert amina.messages  # the person was told about the change
    assert clock.now() - START >= timedelta(days=2)


async def test_old_worker_keeps_the_list_of_their_own_appointments(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    clock = ManualClock(START)
    async with running_bot(settings, clock) as app:
        found = services_of(app)
        severine, first = await worker_joins(fake_telegram, app)
        _, second = await worker_joins(fake_telegram, app, first_name="Karim")
        await person_joins(fake_telegram, app, "Amina", worker_user=severine)
        await person_joins(fake_telegram, app, "Bilal", worker_user=severine)
        listed = {p.pseudonym: p.person_id for p in await found.workers.persons(first)}
        await found.appointments.set(
            first, listed["Amina"], datetime(2026, 12, 4, 14, 30, tzinfo=PARIS)
        )
        await found.appointments.set(
            first, listed["Bilal"], datetime(2026, 12, 4, 16, 0, tzinfo=PARIS)
        )

        await found.workers.transfer(listed["Amina"], second.id)

        pending = rows(
            settings,
            "SELECT worker_id FROM reminders WHERE kind = 'digest' AND status = 'pending'"
            " ORDER BY worker_id",
        )
        assert pending == [(first.id,), (second.id,)]
        await walk(app, clock, 2 * 24)
        translator = found.catalogs.translator()
        await eventually(fake_telegram, severine, translator.message("reminder.discreet"))
        await severine.click(ui_start("reminder.open"))
        listing = await eventually(
            fake_telegram, severine, translator.message("reminder.digest_title")
        )
        assert "Bilal" in listing.text and "Amina" not in listing.text
