"""What every backend shares: the transaction interface the tables use, encryption, time.

The tables' SQL is written once, with `?` placeholders, for both backends: SQLite
(bot/storage/sqlite.py, the default) and PostgreSQL (bot/storage/postgresql.py, for several
replicas), which translates it."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any, Protocol, TypeAlias

from bot.storage.crypto import Cipher

log = logging.getLogger(__name__)

# Where a ciphertext lives: its row's key and the person the row belongs to (None: nobody yet).
At: TypeAlias = tuple[int | str, int | str | None]
# A row as either backend returns it (sqlite3.Row, asyncpg.Record): by index or column name.
Row: TypeAlias = Any


def bound(purpose: bytes, at: At) -> bytes:
    """The associated data of a blob: table.column, row and person, so a blob copied into
    another row (or another person's) fails to decrypt."""
    row, person = at
    return b"%s|row=%s|person=%s" % (
        purpose,
        str(row).encode("utf-8"),
        b"-" if person is None else str(person).encode("utf-8"),
    )


async def next_id(db: Transaction, table: str) -> int:
    """The id the next row of `table` gets (inside the writing transaction): a blob is bound
    to its row before the row is inserted."""
    return await db.next_id(table)


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


class Cursor(Protocol):
    """What a statement in a transaction returns, on either backend."""

    @property
    def rowcount(self) -> int: ...

    @property
    def lastrowid(self) -> int | None: ...

    async def fetchone(self) -> Any: ...

    async def fetchall(self) -> list[Any]: ...


class Transaction(Protocol):
    """What a transaction body gets (`async with self._transaction() as db`): the same SQL
    (`?` placeholders) runs on SQLite and PostgreSQL; rows are readable by index and name."""

    # "sqlite" or "postgresql": for the rare statement that cannot be written for both.
    dialect: str

    async def execute(self, sql: str, parameters: Iterable[Any] = ()) -> Cursor: ...

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> Cursor: ...

    async def next_id(self, table: str) -> int: ...


class Database:
    """What the table mixins build on: transactions, reads, sealing. A backend (SQLite in
    bot/storage/sqlite.py, PostgreSQL in bot/storage/postgresql.py) provides the first two."""

    def __init__(self, cipher: Cipher) -> None:
        self._cipher = cipher
        # An erasure whose deleted pages may still hold its data somewhere (SQLite's WAL).
        self.checkpoint_owed = False
        self.checkpoint_busy_rounds = 0

    @property
    def cipher(self) -> Cipher:
        """The keys this storage seals and opens with."""
        return self._cipher

    def _transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """`async with self._transaction() as db:` the block's statements commit together
        (or roll back on an exception); the block is left once they are durable."""
        raise NotImplementedError

    def _light_transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """A write transaction whose loss in a power cut (never in a crash of the process)
        costs nothing that matters: a backend may commit it without waiting for the disk
        (SQLite: bot/storage/writer.py). Durable, like any other, by default."""
        return self._transaction()

    async def _fetch_all(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        """Committed rows, read outside any transaction."""
        raise NotImplementedError

    async def _fetch_one(self, sql: str, params: tuple[Any, ...] = ()) -> Row | None:
        rows = await self._fetch_all(sql, params)
        return rows[0] if rows else None

    async def fold_wal(self, attempts: int = CHECKPOINT_ATTEMPTS) -> bool:
        """Make sure no old copy of rows just deleted or rewritten lingers in a log the backend
        keeps beside the tables (SQLite's WAL); True when done. Nothing to do by default."""
        return True

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
