"""The one aiosqlite connection, its transactions, encryption and time helpers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import aiosqlite

from bot.storage.crypto import Cipher


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

    def _seal_json(self, value: Any, purpose: bytes) -> bytes:
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return self._cipher.encrypt(data, purpose)

    def _open_json(self, blob: bytes, purpose: bytes) -> Any:
        return json.loads(self._cipher.decrypt(blob, purpose))

    def _seal_text(self, text: str | None, purpose: bytes) -> bytes | None:
        return None if text is None else self._cipher.encrypt(text.encode("utf-8"), purpose)

    def _open_text(self, blob: bytes | None, purpose: bytes) -> str | None:
        return None if blob is None else self._cipher.decrypt(blob, purpose).decode("utf-8")
