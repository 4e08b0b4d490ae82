"""One queued message that cannot be rendered never holds back the messages behind it."""

from __future__ import annotations

import sqlite3

import pytest

from bot import messages
from bot.config import Settings
from bot.domain import OutboxMessage
from bot.messages import CallRequested, PersonJoined, SummaryToWorker
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
        # A summary notice whose summary does not exist: rendering raises LookupError.
        poisoned = OutboxMessage(
            dedupe_key="poisoned",
            recipient_kind="worker",
            recipient_id=worker.id,
            body=SummaryToWorker(summary_id=999_999),
        )
        good = OutboxMessage(
            dedupe_key="good",
            recipient_kind="worker",
            recipient_id=worker.id,
            body=PersonJoined("Bilal"),
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
            body=PersonJoined("Bilal"),
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


@pytest.mark.parametrize("change", ["unknown kind", "unknown version"])
async def test_a_message_from_another_version_is_set_aside_and_the_next_one_arrives(
    fake_telegram: FakeTelegram, settings: Settings, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """A row written by a newer bot (a kind, or a version of a kind, this one does not know)
    is set aside as unrenderable, and never holds back the message behind it."""
    async with running_bot(settings) as app:
        found = services_of(app)
        severine, worker = await worker_joins(fake_telegram, app)
        now = found.clock.now()
        foreign = OutboxMessage("foreign", "worker", worker.id, CallRequested("Bilal"))
        good = OutboxMessage("good", "worker", worker.id, PersonJoined("Bilal"))
        if change == "unknown kind":
            monkeypatch.delitem(messages.BY_KIND, CallRequested.kind)
            await found.storage.enqueue(foreign, now)
        else:
            with monkeypatch.context() as newer:
                newer.setattr(CallRequested, "version", CallRequested.version + 1)
                await found.storage.enqueue(foreign, now)
        await found.storage.enqueue(good, now)
        found.outbox_signal.wake()

        expected = found.catalogs.translator().message("worker.person_joined", pseudonym="Bilal")
        await eventually(fake_telegram, severine, expected)
        await fake_telegram.wait_for(lambda: outbox(settings)["foreign"][1] is not None)

    rows = outbox(settings)
    assert rows["good"][0] is not None
    assert rows["foreign"][0] is None and rows["foreign"][2] == "unrenderable"
