"""After an erasure the WAL is folded back and truncated, even while another reader is open."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage.crypto import Cipher
from bot.storage.sqlite import SqliteStorage

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
ACCOUNT = "telegram:918273645"


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    store = SqliteStorage(tmp_path / "db.sqlite3", Cipher(os.urandom(32)))
    await store.open()
    yield store
    await store.close()


def _traces(storage: SqliteStorage) -> list[str]:
    """Files where the erased account id can still be read."""
    found = []
    for suffix in ("", "-wal"):
        path = storage.path.with_name(storage.path.name + suffix)
        if path.exists() and ACCOUNT.encode() in path.read_bytes():
            found.append(path.name)
    return found


async def _until(condition: object, seconds: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():  # type: ignore[operator]
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_an_erasure_with_another_reader_open_retries_until_the_wal_is_folded(
    storage: SqliteStorage,
) -> None:
    """The audit: a backup holding a read open kept the erased id in the file and the WAL."""
    person = await storage.get_or_create_person(ACCOUNT, chat_id=1, language="fr", now=NOW)
    with closing(sqlite3.connect(storage.path)) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM persons").fetchone()  # a read snapshot held open
        erasing = asyncio.create_task(storage.erase_person(person.id, ACCOUNT, NOW, None))
        await _until(lambda: storage.checkpoint_busy_rounds > 0)
        assert not erasing.done()  # still retrying, not given up
        reader.execute("COMMIT")
    await asyncio.wait_for(erasing, 60)
    assert not storage.checkpoint_owed
    assert storage.path.with_name(storage.path.name + "-wal").stat().st_size == 0
    assert _traces(storage) == []


async def test_a_reader_that_never_lets_go_leaves_the_checkpoint_owed(
    storage: SqliteStorage,
) -> None:
    person = await storage.get_or_create_person(ACCOUNT, chat_id=1, language="fr", now=NOW)
    with closing(sqlite3.connect(storage.path)) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM persons").fetchone()
        await storage.erase_person(person.id, ACCOUNT, NOW, None)
        assert storage.checkpoint_owed
        reader.execute("COMMIT")
    # The next round (the daily purge job starts with it) finishes the job.
    assert await storage.fold_wal()
    assert not storage.checkpoint_owed
    assert _traces(storage) == []
