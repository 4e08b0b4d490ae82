"""An update's "processed" mark commits in the same transaction as its first change."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain import Arrival
from bot.handling import Handling, bookkeeping, current_handling
from bot.storage.crypto import Cipher
from bot.storage.sqlite import SqliteStorage

NOW = datetime(2026, 11, 30, 10, tzinfo=UTC)


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    store = SqliteStorage(tmp_path / "test.sqlite3", Cipher(os.urandom(32)))
    await store.open()
    await store.inbox_store([Arrival(7, 70, False, False, {"update_id": 7})], NOW)
    yield store
    await store.close()


def status(storage: SqliteStorage, path: Path) -> str:
    with sqlite3.connect(path / "test.sqlite3") as db:
        return str(db.execute("SELECT status FROM inbox WHERE update_id = 7").fetchone()[0])


async def handling_update_7(work: object) -> Handling:
    """Run `work()` as the handlers of update 7 would (in their own task)."""

    async def never() -> None:
        raise AssertionError("the mark must ride on the write")

    handling = Handling(7, NOW, never, task=None)

    async def run() -> None:
        handling.task = asyncio.current_task()
        current_handling.set(handling)
        await work()  # type: ignore[operator]

    await asyncio.create_task(run())
    return handling


async def test_the_first_write_carries_the_mark(storage: SqliteStorage, tmp_path: Path) -> None:
    handling = await handling_update_7(lambda: storage.beat("effect", NOW))
    assert handling.marked and not handling.gone
    assert status(storage, tmp_path) == "processed"


async def test_a_failed_change_takes_the_mark_back_with_it(
    storage: SqliteStorage, tmp_path: Path
) -> None:
    async def failing() -> None:
        async with storage._transaction() as db:
            await db.execute("INSERT INTO heartbeats (name, beat_at) VALUES ('x', 'y')")
            raise RuntimeError("the handler failed mid-transaction")

    with pytest.raises(RuntimeError):
        await handling_update_7(failing)
    assert status(storage, tmp_path) == "pending"
    assert await storage.heartbeats() == {}


async def test_bookkeeping_and_empty_writes_carry_no_mark(
    storage: SqliteStorage, tmp_path: Path
) -> None:
    async def bookkeeping_only() -> None:
        with bookkeeping():
            await storage.beat("contact", NOW)
        async with storage._transaction() as db:
            await db.execute("DELETE FROM heartbeats WHERE name = 'nothing'")

    handling = await handling_update_7(bookkeeping_only)
    assert not handling.marked
    assert status(storage, tmp_path) == "pending"


async def test_a_task_started_by_the_handlers_carries_no_mark(
    storage: SqliteStorage, tmp_path: Path
) -> None:
    async def kicks_a_courier() -> None:
        await asyncio.create_task(storage.beat("courier", NOW))

    handling = await handling_update_7(kicks_a_courier)
    assert not handling.marked
    assert status(storage, tmp_path) == "pending"
