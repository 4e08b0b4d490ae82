"""Retention: persons silent for longer than the retention period are erased, nobody else."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage.crypto import Cipher
from bot.storage.sqlite import SqliteStorage
from bot.usecases.outbox import OutboxSignal
from bot.usecases.rights import Rights

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


class FixedClock:
    def now(self) -> datetime:
        return NOW


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    store = SqliteStorage(tmp_path / "db.sqlite3", Cipher(os.urandom(32)))
    await store.open()
    yield store
    await store.close()


async def test_only_persons_silent_past_the_retention_period_are_erased(
    storage: SqliteStorage,
) -> None:
    old = await storage.get_or_create_person(
        "telegram:1", chat_id=1, language="fr", now=NOW - timedelta(days=731)
    )
    await storage.start_run(
        old.id, "probleme", 1, {"answers": {"x": "mots"}}, NOW - timedelta(days=731)
    )
    recent = await storage.get_or_create_person(
        "telegram:2", chat_id=2, language="fr", now=NOW - timedelta(days=729)
    )
    rights = Rights(storage, {}, FixedClock(), OutboxSignal())
    assert [p.id for p in await rights.expired(730)] == [old.id]
    assert await rights.purge(730) == 1
    assert await storage.person_by_account("telegram:1") is None
    assert await storage.active_runs(old.id) == []
    assert await storage.person_by_account("telegram:2") is not None
    assert recent.id != old.id
    # A shorter period, configured by the service, reaches the other one too.
    assert await rights.purge(30) == 1
