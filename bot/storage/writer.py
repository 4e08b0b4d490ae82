"""Write transactions without a thread hand-off per statement, and group commit.

A write transaction's statements run on the event loop's thread, straight on the writer's
own `sqlite3` connection (a statement is a few microseconds of C; handing each one to
another thread cost far more). Only its COMMIT, the slow part (the fsync that
`synchronous = FULL` asks for), goes to the writer thread, so the loop keeps serving other
chats meanwhile.

Group commit: SQLite runs one transaction at a time on a connection, so the transactions
that want to write while the previous COMMIT is on disk run back to back inside ONE SQLite
transaction, each in its own SAVEPOINT (a failing one rolls back only itself), then one
COMMIT makes them all durable with one fsync. Every caller leaves its `transaction()` block
only after the COMMIT holding its writes has returned: an answer is never sent before what
it acknowledges is on disk.

A transaction whose statements changed no row (a DELETE matching nothing) is not committed
and makes nobody wait: nothing of it needs to reach the disk.

A rider (`ride`, set by the storage) may add statements to a body that changed rows, in the
body's own savepoint: the inbox's "processed" mark rides on the first write made while
handling an update, so the update's effect and its mark commit together (bot/handling.py).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any, TypeVar

_T = TypeVar("_T")

# The most transactions sharing one COMMIT: under a steady stream of writers, a group still
# closes and commits (their callers wait at most this many bodies plus one fsync).
GROUP_LIMIT = 64
# SQLite's default: a checkpoint once the log holds this many pages (restored after a light
# commit, which turns it off for itself).
AUTOCHECKPOINT_PAGES = 1000
# SQLite's own wait for the other statements (the COMMIT in its thread, checkpoints).
BUSY_TIMEOUT_MS = 5000
# How long a write waits for another connection's write (an admin command, a backup) before
# it fails; meanwhile the event loop keeps serving (the wait is an asyncio sleep, not SQLite's).
BEGIN_PATIENCE = 5.0

# Statements that change rows only (counted by `total_changes`); any other statement (DDL,
# PRAGMA) is taken as a write, so a transaction made of it is committed.
_ROW_STATEMENTS = ("SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "WITH", "VALUES")

# Adds statements to a body that wrote; returns what to run once they are committed, if any.
Rider = Callable[["Statements"], Awaitable[Callable[[], None] | None]]


class Cursor:
    """The part of `aiosqlite.Cursor` the tables use, over a `sqlite3` cursor (no hand-off:
    every method completes at once)."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid


class Fetched:
    """A cursor whose rows were all read in the writer thread."""

    def __init__(self, rows: list[Any], rowcount: int, lastrowid: int | None) -> None:
        self._rows = rows
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows


class Statements:
    """What a transaction body gets: the part of `aiosqlite.Connection` the tables use,
    run synchronously on the writer connection, inside the open transaction."""

    dialect = "sqlite"

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        # Set when a statement other than row reads and writes ran (DDL): always committed.
        self.altered = False

    async def next_id(self, table: str) -> int:
        """A fresh id for `table`'s next row: one writer at a time, so MAX + 1 is free; and
        above the highest id the table ever held (migration 0015), so an id deleted with its
        row (an erasure) is never given again to someone an old button could then reach."""
        row = self._connection.execute(
            f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0),"
            " COALESCE((SELECT highest FROM id_high_water WHERE name = ?), 0)) + 1",
            (table,),
        ).fetchone()
        return int(row[0])

    def _note(self, sql: str) -> None:
        if not sql.lstrip()[:7].upper().startswith(_ROW_STATEMENTS):
            self.altered = True

    async def execute(self, sql: str, parameters: Iterable[Any] = ()) -> Cursor:
        self._note(sql)
        return Cursor(self._connection.execute(sql, tuple(parameters)))

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> Cursor:
        self._note(sql)
        return Cursor(self._connection.executemany(sql, [tuple(row) for row in parameters]))

    async def execute_fetchall(self, sql: str, parameters: Iterable[Any] = ()) -> list[Any]:
        self._note(sql)
        return self._connection.execute(sql, tuple(parameters)).fetchall()


class _Group:
    """One SQLite transaction on the writer connection, shared by consecutive bodies."""

    def __init__(self, done: asyncio.Future[None]) -> None:
        self.done = done  # resolved when its COMMIT (or its no-op ROLLBACK) returned
        self.bodies = 0  # bodies that completed inside it
        self.writes = 0  # of which changed something


class Writer:
    """Owns the writer connection and the one thread its COMMITs run in."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        lock: asyncio.Lock | None = None,
        group_limit: int = GROUP_LIMIT,
        ride: Rider | None = None,
    ) -> None:
        self._connection = connection
        self._group_limit = group_limit
        self._ride = ride
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
        # One body at a time: bodies may await, and savepoints nest only in order.
        self.lock = asyncio.Lock() if lock is None else lock
        self._group: _Group | None = None
        self._committing: asyncio.Future[None] | None = None
        self._wanting = 0  # callers inside transaction(), running or waiting for the lock
        self.commits = 0
        self.light_commits = 0  # of which without an fsync (`durable=False`)

    @asynccontextmanager
    async def transaction(self, durable: bool = True) -> AsyncIterator[Statements]:
        """A write transaction: the block's statements commit together or not at all, and
        the block is left only once they are durable (see the module doc).

        `durable=False`: a write whose loss in a power cut (never in a crash of the process)
        costs nothing that matters. When no group is open, it commits at once on the loop's
        thread without an fsync (see `_light`); it joins an open group as any body."""
        group: _Group | None = None
        committed: Callable[[], None] | None = None
        self._wanting += 1
        try:
            async with self.lock:
                while self._committing is not None:  # the connection is the thread's now
                    await asyncio.wait([self._committing])
                if self._group is None and not durable:
                    async with self._light() as statements:
                        yield statements
                    return
                group = self._group
                if group is None:
                    await self._begin()
                    group = self._group = _Group(asyncio.get_running_loop().create_future())
                # Earlier bodies share this transaction: a failure must undo only ours.
                alone = group.bodies == 0
                if not alone:
                    self._connection.execute("SAVEPOINT body")
                changes = self._connection.total_changes
                statements = Statements(self._connection)
                try:
                    yield statements
                    wrote = statements.altered or self._connection.total_changes != changes
                    if wrote and self._ride is not None:
                        # Inside the body's savepoint: it commits (or is undone) with the body.
                        committed = await self._ride(statements)
                except BaseException:
                    self._undo(group, alone)
                    group = None
                    raise
                if not alone:
                    self._connection.execute("RELEASE body")
                group.bodies += 1
                if wrote:
                    group.writes += 1
        finally:
            self._wanting -= 1
            self._settle()
        # Wait for the COMMIT when this body wrote, or read what earlier bodies wrote (that
        # is not on disk yet); a transaction that changed nothing in an empty group does not.
        if group is not None and group.writes:
            await asyncio.shield(group.done)
        if committed is not None:
            committed()

    @asynccontextmanager
    async def _light(self) -> AsyncIterator[Statements]:
        """One transaction committed on the loop's thread, without an fsync: in WAL mode,
        with `synchronous = NORMAL` for it, the COMMIT appends to the log in the system's
        cache. A crash of the process loses nothing; a power cut may lose it, and only with
        whatever followed it (the log is replayed in order): the next durable COMMIT's fsync
        makes it durable too. No checkpoint runs here (the writer thread's COMMITs do them):
        its fsyncs would stall the loop. The safety level cannot change inside a
        transaction, hence the pragmas around it."""
        connection = self._connection
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            await self._begin()
            try:
                yield Statements(connection)
                connection.execute("COMMIT")
            except BaseException:
                # Also a failed COMMIT: the safety level can change only outside a transaction.
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            self.commits += 1
            self.light_commits += 1
        finally:
            connection.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}")
            connection.execute("PRAGMA synchronous = FULL")

    async def _begin(self) -> None:
        """BEGIN IMMEDIATE without blocking the event loop while another connection writes:
        SQLite's own busy wait would freeze every chat (and, in one process, the very writer
        it waits for). Retried with asyncio sleeps for BEGIN_PATIENCE seconds."""
        deadline = time.monotonic() + BEGIN_PATIENCE
        delay = 0.002
        self._connection.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    self._connection.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as error:
                    if not _busy(error) or time.monotonic() >= deadline:
                        raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.1)
        finally:
            self._connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _undo(self, group: _Group, alone: bool) -> None:
        """Roll back a failed body, and only it."""
        if not self._connection.in_transaction:
            # SQLite rolled the whole transaction back itself (full disk, I/O error): the
            # earlier bodies of the group are lost too, and their callers are told so.
            self._group = None
            if alone:
                group.done.set_result(None)
            else:
                group.done.set_exception(sqlite3.OperationalError("transaction rolled back"))
                group.done.exception()
        elif alone:
            self._connection.execute("ROLLBACK")
            self._group = None
            group.done.set_result(None)
        else:
            self._connection.execute("ROLLBACK TO body")
            self._connection.execute("RELEASE body")

    def _settle(self, force: bool = False) -> None:
        """Close the open group when no other body is about to join it (or it is full)."""
        group = self._group
        if group is None or self._committing is not None:
            return
        if not force and self._wanting > 0 and group.bodies < self._group_limit:
            return
        self._group = None
        if not group.writes:
            # Nothing changed: no COMMIT, no fsync.
            self._connection.execute("ROLLBACK")
            group.done.set_result(None)
            return
        self._committing = group.done
        committed = self._hand_off(self._commit)
        committed.add_done_callback(lambda outcome: self._committed(group, outcome))

    def _commit(self) -> None:
        """In the writer thread: the fsync happens here."""
        try:
            self._connection.execute("COMMIT")
        except BaseException:
            if self._connection.in_transaction:
                self._connection.execute("ROLLBACK")
            raise

    def _committed(self, group: _Group, outcome: asyncio.Future[None]) -> None:
        self._committing = None
        self.commits += 1
        error = asyncio.CancelledError() if outcome.cancelled() else outcome.exception()
        if error is None:
            group.done.set_result(None)
        else:
            group.done.set_exception(error)
            group.done.exception()  # its callers see it; nobody left waiting is not an error
        self._settle()

    async def flush(self) -> None:
        """Commit whatever is open now and wait for it (before a statement outside any
        transaction, or closing)."""
        while True:
            if self._committing is not None:
                await asyncio.wait([self._committing])
            elif self._group is not None:
                self._settle(force=True)
            else:
                return

    async def outside(self, sql: str, parameters: Iterable[Any] = ()) -> Fetched:
        """A statement outside any transaction (a checkpoint, a PRAGMA), in the writer
        thread: it may wait on other connections. Call it holding `lock`."""
        await self.flush()

        def run() -> Fetched:
            cursor = self._connection.execute(sql, tuple(parameters))
            return Fetched(cursor.fetchall(), cursor.rowcount, cursor.lastrowid)

        return await self.in_thread(run)

    async def in_thread(self, work: Callable[[], _T]) -> _T:
        """Run `work()` in the writer thread and wait for it."""
        return await self._hand_off(work)

    def _hand_off(self, work: Callable[[], _T]) -> asyncio.Future[_T]:
        """`work()` in the writer thread: the one kind of hand-off this module makes."""
        return asyncio.get_running_loop().run_in_executor(self._thread, work)

    async def close(self) -> None:
        """Commit what is open, then close the connection and stop the thread."""
        async with self.lock:
            await self.flush()
        self._thread.shutdown(wait=True)
        self._connection.close()


def _busy(error: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY: another connection holds the write lock."""
    return "locked" in str(error) or "busy" in str(error)
