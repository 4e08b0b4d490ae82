"""One queued message that cannot be rendered never holds back the messages behind it."""

from __future__ import annotations

import sqlite3

from bot.config import Settings
from bot.domain import OutboxMessage
from tests.conftest import running_bot
from tests.e2e.helpers import eventually, services_of, worker_joins
from tests.fakegram import FakeTelegram


def outbox(settings: Settings) -> dict[str, tuple[object, object, object]]:
    with sqlite3.connect(settings.database) as db:
        rows = db.execute("SELECT dedupe_key, delivered_at, failed_at, failure FROM outbox")
        return {str(key): (delivered, failed, failure) for key, delivered, failed, failure in rows}


async def test_an_unrenderable_message_is_set_aside_and_the_next_one_arrives(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    async with running_bot(settings) as app:
        found = services_of(app)
        severine, worker = await worker_joins(fake_telegram, app)
        now = found.clock.now()
        # A summary notice whose summary id is missing: rendering raises KeyError.
        poisoned = OutboxMessage(
            dedupe_key="poisoned",
            recipient_kind="worker",
            recipient_id=worker.id,
            kind="summary",
            params={},
        )
        good = OutboxMessage(
            dedupe_key="good",
            recipient_kind="worker",
            recipient_id=worker.id,
            kind="person_joined",
            params={"pseudonym": "Bilal"},
        )
        await found.storage.enqueue(poisoned, now)
        await found.storage.enqueue(good, now)
        found.outbox_signal.wake()

        expected = found.catalogs.translator().message("worker.person_joined", pseudonym="Bilal")
        await eventually(fake_telegram, severine, expected)
        await fake_telegram.wait_for(lambda: outbox(settings)["poisoned"][1] is not None)

    rows = outbox(settings)
    assert rows["good"][0] is not None
    assert rows["poisoned"][0] is None and rows["poisoned"][2] == "unrenderable"


async def test_an_unreadable_row_is_set_aside_and_the_next_one_arrives(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    async with running_bot(settings) as app:
        found = services_of(app)
        severine, worker = await worker_joins(fake_telegram, app)
        now = found.clock.now()
        good = OutboxMessage(
            dedupe_key="good",
            recipient_kind="worker",
            recipient_id=worker.id,
            kind="person_joined",
            params={"pseudonym": "Bilal"},
        )
        await found.storage.enqueue(good, now)
        # A corrupted row, older than the good one (it would be tried first).
        with sqlite3.connect(settings.database) as db:
            db.execute(
                "UPDATE outbox SET payload = X'00112233', dedupe_key = 'corrupted'"
                " WHERE dedupe_key = 'good'"
            )
        await found.storage.enqueue(good, now)
        found.outbox_signal.wake()

        expected = found.catalogs.translator().message("worker.person_joined", pseudonym="Bilal")
        await eventually(fake_telegram, severine, expected)
        await fake_telegram.wait_for(lambda: outbox(settings)["corrupted"][1] is not None)

    assert outbox(settings)["corrupted"][2] == "unreadable"
