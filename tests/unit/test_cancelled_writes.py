"""A job or the courier cancelled in the middle of a write (a stop's timeout) leaves storage
usable: its own writes are undone, others' are kept, and the next write goes through."""

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

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    store = SqliteStorage(tmp_path / "test.sqlite3", Cipher(os.urandom(32)))
    await store.open()
    yield store
    await store.close()


def beats(storage: SqliteStorage) -> set[str]:
    """The heartbeats another connection sees (committed ones only)."""
    with closing(sqlite3.connect(storage.path)) as other:
        return {row[0] for row in other.execute("SELECT name FROM heartbeats")}


async def until(condition: object, rounds: int = 10_000) -> None:
    """Let the loop run until `condition()` holds (no wall clock involved)."""
    for _ in range(rounds):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


async def write_then_wait(storage: SqliteStorage, name: str, inside: asyncio.Event) -> None:
    """A transaction that writes, then waits on something else (where a cancel lands)."""
    async with storage._transaction() as db:
        await db.execute("INSERT INTO heartbeats (name, beat_at) VALUES (?, 'x')", (name,))
        inside.set()
        await asyncio.Event().wait()  # never set: only a cancel gets it out


async def cancelled(task: asyncio.Task[None]) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_write_cancelled_inside_its_transaction_is_undone_and_the_next_one_works(
    storage: SqliteStorage,
) -> None:
    inside = asyncio.Event()
    job = asyncio.create_task(write_then_wait(storage, "cancelled", inside))
    await inside.wait()
    await cancelled(job)
    await asyncio.wait_for(storage.beat("after", NOW), 30)
    assert beats(storage) == {"after"}


async def test_a_write_cancelled_while_sharing_a_commit_undoes_only_itself(
    storage: SqliteStorage,
) -> None:
    first_inside, release_first = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with storage._transaction() as db:
            await db.execute("INSERT INTO heartbeats (name, beat_at) VALUES ('first', 'x')")
            first_inside.set()
            await release_first.wait()

    kept = asyncio.create_task(first())
    await first_inside.wait()
    second_inside = asyncio.Event()
    # Waits for the first body, then joins its transaction (a savepoint of its own).
    job = asyncio.create_task(write_then_wait(storage, "cancelled", second_inside))
    await asyncio.sleep(0)
    release_first.set()
    await second_inside.wait()
    group = storage._writing._group
    assert group is not None and group.bodies == 1  # it did join the first one's transaction
    await cancelled(job)
    await asyncio.wait_for(kept, 30)
    await asyncio.wait_for(storage.beat("after", NOW), 30)
    assert beats(storage) == {"first", "after"}


async def test_a_write_cancelled_while_its_commit_is_on_disk_is_kept(
    storage: SqliteStorage,
) -> None:
    job = asyncio.create_task(storage.beat("committing", NOW))
    await until(lambda: storage._writing._committing is not None)
    await cancelled(job)
    # The COMMIT was already under way: it completes, and the next write follows it.
    await asyncio.wait_for(storage.beat("after", NOW), 30)
    assert beats(storage) == {"committing", "after"}


async def test_a_write_cancelled_while_waiting_for_the_writer_leaves_it_usable(
    storage: SqliteStorage,
) -> None:
    inside, release = asyncio.Event(), asyncio.Event()

    async def holder() -> None:
        async with storage._transaction() as db:
            await db.execute("INSERT INTO heartbeats (name, beat_at) VALUES ('holder', 'x')")
            inside.set()
            await release.wait()

    held = asyncio.create_task(holder())
    await inside.wait()
    waiting = asyncio.create_task(storage.beat("waiting", NOW))
    await asyncio.sleep(0)
    await cancelled(waiting)
    release.set()
    await asyncio.wait_for(held, 30)
    await asyncio.wait_for(storage.beat("after", NOW), 30)
    assert beats(storage) == {"holder", "after"}
