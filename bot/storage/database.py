"""The one aiosqlite connection, its transactions, encryption and time helpers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeAlias

import aiosqlite

from bot.storage.crypto import Cipher

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


def to_db(moment: datetime) -> str:
    """A moment as stored: ISO 8601 in UTC, so text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(value: str | None) -> datetime | None:
    """Reverse `to_db`, keeping None."""
    return None if value is None else datetime.fromisoformat(value)


def required(value: str) -> datetime:
    """Reverse `to_db` for a NOT NULL column."""
    return datetime.fromisoformat(value)


class Database:
    """Owns the connection; table mixins build on its transaction and sealing helpers."""

    def __init__(self, cipher: Cipher) -> None:
        self._cipher = cipher
        self._db: aiosqlite.Connection | None = None
        # aiosqlite runs statements one by one; the lock keeps a transaction's statements together.
        self._lock = asyncio.Lock()

    @property
    def _conn(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("storage is not open")
        return self._db

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")

    async def _fetch_all(self, sql: str, params: tuple[Any, ...] = ()) -> list[aiosqlite.Row]:
        # One hand-off to aiosqlite's thread instead of two (execute, then fetchall).
        async with self._lock:
            return list(await self._conn.execute_fetchall(sql, params))

    async def _fetch_one(self, sql: str, params: tuple[Any, ...] = ()) -> aiosqlite.Row | None:
        rows = await self._fetch_all(sql, params)
        return rows[0] if rows else None

    def _seal_json(self, value: Any, purpose: bytes, at: At) -> bytes:
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return self._cipher.encrypt(data, bound(purpose, at))

    def _open_json(self, blob: bytes, purpose: bytes, at: At) -> Any:
        return json.loads(self._cipher.decrypt(blob, bound(purpose, at)))

    def _seal_text(self, text: str | None, purpose: bytes, at: At) -> bytes | None:
        if text is None:
            return None
        return self._cipher.encrypt(text.encode("utf-8"), bound(purpose, at))

    def _open_text(self, blob: bytes | None, purpose: bytes, at: At) -> str | None:
        if blob is None:
            return None
        return self._cipher.decrypt(blob, bound(purpose, at)).decode("utf-8")
