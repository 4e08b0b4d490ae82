"""The connections, their transactions, encryption and time helpers.

Reads run on a `sqlite3` connection of the event loop's thread (WAL: a reader is never
blocked by the writer, and a lookup costs microseconds, not a thread hand-off); writes go
through `Writer` (bot/storage/writer.py): statements on the loop's thread, COMMITs grouped
in one writer thread, each caller released only once its writes are durable."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any, TypeAlias, cast

import aiosqlite

from bot.storage.crypto import Cipher
from bot.storage.writer import BUSY_TIMEOUT_MS, Fetched, Writer

log = logging.getLogger(__name__)

# Where a ciphertext lives: its row's key and the person the row belongs to (None: nobody yet).
At: TypeAlias = tuple[int | str, int | str | None]


def bound(purpose: bytes, at: At) -> bytes:
    """The associated data of a blob: table.column, row and person, so a blob copied into
    another row (or another person's) fails to decrypt."""
    row, person = at
    return b"%s|row=%s|person=%s" % (
        purpose,
        str(row).encode("utf-8"),
        b"-" if person is None else str(person).encode("utf-8"),
    )


async def next_id(db: aiosqlite.Connection, table: str) -> int:
    """The id SQLite would give the next row (inside the writing transaction): a blob is bound
    to its row before the row is inserted."""
    cursor = await db.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


CHECKPOINT_WAIT_MS = 100
CHECKPOINT_ATTEMPTS = 8
CHECKPOINT_BACKOFF = 0.05


def _utf8(text: str) -> bytes:
    """UTF-8 bytes of any str: lone surrogates become U+FFFD instead of an error."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode("utf-8")


def to_db(moment: datetime) -> str:
    """A moment as stored: ISO 8601 in UTC, so text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(value: str | None) -> datetime | None:
    """Reverse `to_db`, keeping None."""
    return None if value is None else datetime.fromisoformat(value)


def required(value: str) -> datetime:
    """Reverse `to_db` for a NOT NULL column."""
    return datetime.fromisoformat(value)


class _Outside:
    """`self._conn` for the few statements run outside any transaction (checkpoints): they
    go to the writer thread, after whatever is open has been committed."""

    def __init__(self, writer: Writer) -> None:
        self._writer = writer

    async def execute(self, sql: str, parameters: tuple[Any, ...] = ()) -> Fetched:
        return await self._writer.outside(sql, parameters)


class Database:
    """Owns the connections; table mixins build on its transaction and sealing helpers."""

    def __init__(self, cipher: Cipher) -> None:
        self._cipher = cipher
        self._reader: sqlite3.Connection | None = None
        self._writer: Writer | None = None
        # An erasure whose WAL could not be folded back yet: old pages may still hold its data.
        self.checkpoint_owed = False
        self.checkpoint_busy_rounds = 0
        # One write transaction body at a time (the writer's lock); held around statements
        # run outside a transaction too.
        self._lock = asyncio.Lock()

    @property
    def _writing(self) -> Writer:
        if self._writer is None:
            raise RuntimeError("storage is not open")
        return self._writer

    @property
    def _reading(self) -> sqlite3.Connection:
        if self._reader is None:
            raise RuntimeError("storage is not open")
        return self._reader

    @property
    def _conn(self) -> aiosqlite.Connection:
        # Quacks like the part of aiosqlite's connection the table modules use outside a
        # transaction (`execute`, then `fetchone`); hold `self._lock` around it.
        return cast(aiosqlite.Connection, _Outside(self._writing))

    def _transaction(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        """`async with self._transaction() as db:` the block's statements commit together
        (or roll back on an exception); the block is left once they are on disk. `db` has
        the part of aiosqlite's connection the tables use (execute, executemany, cursors'
        fetchone/fetchall/rowcount/lastrowid), run at once on the writer connection."""
        return cast(AbstractAsyncContextManager[aiosqlite.Connection], self._writing.transaction())

    async def fold_wal(self, attempts: int = CHECKPOINT_ATTEMPTS) -> bool:
        """Fold the WAL back into the database and truncate it, so no old copy of erased pages
        lingers; retried while another reader (a backup, an admin command) holds it open.

        True when done; False leaves `checkpoint_owed` set for the next round to retry."""
        writer = self._writing
        for attempt in range(attempts):
            async with self._lock:
                # Short waits (in the writer thread): a long one would stall every write.
                await writer.outside(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
                try:
                    result = await (
                        await writer.outside("PRAGMA wal_checkpoint(TRUNCATE)")
                    ).fetchone()
                finally:
                    await writer.outside(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # (busy, frames in the log, frames checkpointed); busy = 1 when a reader blocked it.
            if result is not None and result[0] == 0:
                self.checkpoint_owed = False
                return True
            self.checkpoint_busy_rounds += 1
            await asyncio.sleep(min(CHECKPOINT_BACKOFF * 2**attempt, 2.0))
        self.checkpoint_owed = True
        log.warning("erase_checkpoint_incomplete", extra={"attempts": attempts})
        return False

    async def _fetch_all(self, sql: str, params: tuple[Any, ...] = ()) -> list[aiosqlite.Row]:
        # Straight on the loop's thread: committed data only, never blocked by the writer.
        return self._reading.execute(sql, params).fetchall()

    async def _fetch_one(self, sql: str, params: tuple[Any, ...] = ()) -> aiosqlite.Row | None:
        # fetchall, not fetchone: a statement left unfinished would keep its read
        # transaction, and so an old snapshot, open.
        rows = self._reading.execute(sql, params).fetchall()
        return rows[0] if rows else None

    def _seal_json(self, value: Any, purpose: bytes, at: At) -> bytes:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        # "surrogatepass" then "replace": a lone surrogate that got this far is kept as U+FFFD
        # rather than failing the write (and losing the answer).
        data = _utf8(text)
        return self._cipher.encrypt(data, bound(purpose, at))

    def _open_json(self, blob: bytes, purpose: bytes, at: At) -> Any:
        return json.loads(self._cipher.decrypt(blob, bound(purpose, at)))

    def _seal_text(self, text: str | None, purpose: bytes, at: At) -> bytes | None:
        if text is None:
            return None
        return self._cipher.encrypt(_utf8(text), bound(purpose, at))

    def _open_text(self, blob: bytes | None, purpose: bytes, at: At) -> str | None:
        if blob is None:
            return None
        return self._cipher.decrypt(blob, bound(purpose, at)).decode("utf-8")
