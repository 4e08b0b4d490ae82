"""Write transactions: statements without hand-offs, group commit, durability before return."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.pending_states import SummaryTopics
from bot.storage.crypto import Cipher
from bot.storage.sqlite import SqliteStorage, _connect
from bot.storage.writer import Writer

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


class Boom(Exception):
    pass


@pytest.fixture
def path(tmp_path: Path) -> Iterator[Path]:
    database = tmp_path / "writer.sqlite3"
    with sqlite3.connect(database) as setup:
        setup.execute("PRAGMA journal_mode = WAL")
        setup.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, caller INTEGER, seq INTEGER)")
    setup.close()
    yield database


@pytest.fixture
async def writer(path: Path) -> AsyncIterator[Writer]:
    connection = _connect(path)
    connection.execute("PRAGMA synchronous = FULL")
    made = Writer(connection)
    yield made
    await made.close()


@pytest.fixture
def other(path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection: it sees a write only once that write is committed."""
    connection = sqlite3.connect(path, isolation_level=None)
    yield connection
    connection.close()


def count(connection: sqlite3.Connection, where: str = "1", *params: object) -> int:
    return int(connection.execute(f"SELECT COUNT(*) FROM t WHERE {where}", params).fetchone()[0])


async def until(condition: object, rounds: int = 10_000) -> None:
    """Let the loop run until `condition()` holds (no wall clock involved)."""
    for _ in range(rounds):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


async def test_a_write_is_committed_before_its_block_is_left(
    writer: Writer, other: sqlite3.Connection
) -> None:
    async with writer.transaction() as db:
        await db.execute("INSERT INTO t (caller, seq) VALUES (1, 1)")
        assert count(other) == 0  # not committed inside the block
    assert writer.commits == 1
    assert count(other) == 1


async def test_a_failing_body_rolls_back_only_itself_in_a_shared_commit(
    writer: Writer, other: sqlite3.Connection
) -> None:
    gate = asyncio.Event()

    async def write(caller: int, fail: bool = False, hold: bool = False) -> None:
        async with writer.transaction() as db:
            await db.execute("INSERT INTO t (caller, seq) VALUES (?, 1)", (caller,))
            if hold:  # the others queue up meanwhile: they join this transaction
                await gate.wait()
            if fail:
                raise Boom

    tasks = [
        asyncio.create_task(write(1, hold=True)),
        asyncio.create_task(write(2, fail=True)),
        asyncio.create_task(write(3)),
    ]
    await until(lambda: writer._wanting == 3)
    gate.set()
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    assert outcomes[0] is None and isinstance(outcomes[1], Boom) and outcomes[2] is None
    assert writer.commits == 1  # one COMMIT, one fsync, for the three
    assert [row[0] for row in other.execute("SELECT caller FROM t ORDER BY id")] == [1, 3]


async def test_a_failing_first_body_leaves_the_next_ones_intact(
    writer: Writer, other: sqlite3.Connection
) -> None:
    with pytest.raises(Boom):
        async with writer.transaction() as db:
            await db.execute("INSERT INTO t (caller, seq) VALUES (1, 1)")
            raise Boom
    async with writer.transaction() as db:
        await db.execute("INSERT INTO t (caller, seq) VALUES (2, 1)")
    assert [row[0] for row in other.execute("SELECT caller FROM t")] == [2]


async def test_many_writers_share_commits_and_keep_each_callers_order(
    writer: Writer, other: sqlite3.Connection
) -> None:
    callers, writes = 20, 10

    async def caller(number: int) -> None:
        for seq in range(writes):
            async with writer.transaction() as db:
                await db.execute("INSERT INTO t (caller, seq) VALUES (?, ?)", (number, seq))
            # Durable (committed) before the caller goes on.
            assert count(other, "caller = ? AND seq = ?", number, seq) == 1

    await asyncio.gather(*(caller(number) for number in range(callers)))
    assert count(other) == callers * writes
    for number in range(callers):
        seqs = [
            row[0]
            for row in other.execute("SELECT seq FROM t WHERE caller = ? ORDER BY id", (number,))
        ]
        assert seqs == list(range(writes))
    # While one COMMIT is on disk, the others' transactions queue and share the next one.
    assert writer.commits < callers * writes


async def test_a_transaction_changing_nothing_is_not_committed(
    writer: Writer, other: sqlite3.Connection
) -> None:
    async with writer.transaction() as db:
        cursor = await db.execute("DELETE FROM t WHERE caller = 99")
        assert cursor.rowcount == 0
    assert writer.commits == 0
    async with writer.transaction() as db:
        await db.execute("CREATE TABLE u (x INTEGER)")  # no row changed, still a change
    assert writer.commits == 1
    assert other.execute("SELECT COUNT(*) FROM u").fetchone()[0] == 0


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    store = SqliteStorage(tmp_path / "test.sqlite3", Cipher(os.urandom(32)))
    await store.open()
    yield store
    await store.close()


async def test_reads_see_committed_writes_only(storage: SqliteStorage) -> None:
    await storage.set_pending("telegram:1", SummaryTopics(7), NOW)
    assert await storage.get_pending("telegram:1") == SummaryTopics(7)
    async with storage._transaction() as db:
        await db.execute("DELETE FROM pending_inputs WHERE account = ?", ("telegram:1",))
        # The reader sees committed data only: the deletion is not committed yet.
        assert await storage.get_pending("telegram:1") is not None
    assert await storage.get_pending("telegram:1") is None


async def test_clearing_nothing_pending_opens_no_write_transaction(
    storage: SqliteStorage,
) -> None:
    statements: list[str] = []
    storage._writing._connection.set_trace_callback(statements.append)
    commits = storage._writing.commits
    await storage.clear_pending("telegram:1")
    assert statements == []
    assert storage._writing.commits == commits
    await storage.set_pending("telegram:1", SummaryTopics(7), NOW)
    await storage.clear_pending("telegram:1")
    assert await storage.get_pending("telegram:1") is None
    assert storage._writing.commits == commits + 2


async def test_a_failed_commit_reaches_every_caller_of_its_group(
    writer: Writer, other: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_commit = writer._commit

    def failing_commit() -> None:
        writer._connection.execute("ROLLBACK")  # as SQLite does on an I/O error
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(writer, "_commit", failing_commit)
    gate = asyncio.Event()

    async def write(caller: int, hold: bool = False) -> None:
        async with writer.transaction() as db:
            await db.execute("INSERT INTO t (caller, seq) VALUES (?, 1)", (caller,))
            if hold:
                await gate.wait()

    tasks = [asyncio.create_task(write(1, hold=True)), asyncio.create_task(write(2))]
    await until(lambda: writer._wanting == 2)
    gate.set()
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(outcome, sqlite3.OperationalError) for outcome in outcomes)
    assert count(other) == 0
    monkeypatch.setattr(writer, "_commit", real_commit)
    async with writer.transaction() as db:  # the writer goes on afterwards
        await db.execute("INSERT INTO t (caller, seq) VALUES (3, 1)")
    assert count(other) == 1


async def test_two_storages_in_one_process_wait_for_each_other_without_freezing(
    tmp_path: Path,
) -> None:
    """Found in CI: an admin command run in the bot's process (as the tests do) began its
    write while the bot's transaction was open; SQLite's busy wait froze the event loop, so
    the bot's transaction could never finish, and the admin command failed with "database
    is locked". The wait is now an asyncio sleep: both writes go through."""
    cipher = Cipher(os.urandom(32))
    bot = SqliteStorage(tmp_path / "db.sqlite3", cipher)
    admin = SqliteStorage(tmp_path / "db.sqlite3", cipher)
    await bot.open()
    await admin.open()
    try:
        holding = asyncio.Event()
        release = asyncio.Event()

        async def bot_turn() -> None:
            async with bot._transaction() as db:
                await db.execute("CREATE TABLE IF NOT EXISTS t (v TEXT)")
                await db.execute("INSERT INTO t (v) VALUES ('bot')")
                holding.set()
                await release.wait()  # the turn is still writing when the admin starts

        async def admin_command() -> None:
            await holding.wait()
            async with admin._transaction() as db:
                await db.execute("INSERT INTO t (v) VALUES ('admin')")

        async def let_go() -> None:
            await holding.wait()
            await asyncio.sleep(0.05)  # the admin is now waiting for the lock
            release.set()

        await asyncio.wait_for(asyncio.gather(bot_turn(), admin_command(), let_go()), 10)
        with sqlite3.connect(tmp_path / "db.sqlite3") as check:
            assert sorted(v for (v,) in check.execute("SELECT v FROM t")) == ["admin", "bot"]
    finally:
        await admin.close()
        await bot.close()


async def test_a_light_write_commits_at_once_and_the_safety_level_comes_back(
    writer: Writer, other: sqlite3.Connection
) -> None:
    """`durable=False` (a question marked seen): committed on the loop's thread, visible to
    other connections at once; every other COMMIT keeps synchronous = FULL (2)."""
    async with writer.transaction(durable=False) as db:
        await db.execute("INSERT INTO t (caller, seq) VALUES (1, 1)")
        assert count(other) == 0
    assert count(other) == 1
    assert (writer.commits, writer.light_commits) == (1, 1)
    level = writer._connection.execute("PRAGMA synchronous").fetchone()[0]
    pages = writer._connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    assert (level, pages) == (2, 1000)

    with pytest.raises(Boom):
        async with writer.transaction(durable=False) as db:
            await db.execute("INSERT INTO t (caller, seq) VALUES (2, 1)")
            raise Boom
    assert count(other) == 1 and writer.light_commits == 1
    async with writer.transaction() as db:
        await db.execute("INSERT INTO t (caller, seq) VALUES (3, 1)")
    assert count(other) == 2 and writer.commits == 2


async def test_a_light_write_joins_an_open_group_and_is_durable_with_it(
    writer: Writer, other: sqlite3.Connection
) -> None:
    gate = asyncio.Event()

    async def durable() -> None:
        async with writer.transaction() as db:
            await db.execute("INSERT INTO t (caller, seq) VALUES (1, 1)")
            await gate.wait()

    async def light() -> None:
        async with writer.transaction(durable=False) as db:
            await db.execute("INSERT INTO t (caller, seq) VALUES (2, 1)")

    tasks = [asyncio.create_task(durable()), asyncio.create_task(light())]
    await until(lambda: writer._wanting == 2)
    gate.set()
    await asyncio.gather(*tasks)
    assert (writer.commits, writer.light_commits) == (1, 0)
    assert count(other) == 2
