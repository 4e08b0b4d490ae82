"""What a test can find in the database by reading it raw, whatever the backend."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import asyncpg

from bot.config import Settings
from bot.storage.common import TableStorage
from bot.storage.postgresql import PostgresStorage

# What a broken constraint raises, on either backend.
INTEGRITY_ERRORS = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)


async def everything_stored(storage: TableStorage) -> bytes:
    """Every byte SQLite keeps (file, WAL), or every row of every PostgreSQL table as text
    (bytea shown in hex, as a thief reading the tables would see it)."""
    if isinstance(storage, PostgresStorage):
        connection = await asyncpg.connect(storage.url)
        try:
            tables = await connection.fetch(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            )
            dump: list[str] = []
            for (table,) in tables:
                rows = await connection.fetch(f"SELECT t::text FROM {table} t")
                dump.extend(str(row[0]) for row in rows)
            return "\n".join(dump).encode("utf-8")
        finally:
            await connection.close()
    folder = storage.path.parent
    return b"".join(part.read_bytes() for part in folder.glob(storage.path.name + "*"))


def rows(settings: Settings, sql: str, parameters: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows of a query (`?` placeholders) on the test's database, whichever backend, read
    from outside the bot (its own connection), as tuples."""
    if settings.database_url is None:
        with sqlite3.connect(settings.database) as db:
            return list(db.execute(sql, parameters))
    url = settings.database_url
    parts = sql.split("?")
    text = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))

    async def query() -> list[tuple[Any, ...]]:
        connection = await asyncpg.connect(url)
        try:
            return [tuple(row) for row in await connection.fetch(text, *parameters)]
        finally:
            await connection.close()

    # A test's event loop is running here: the query gets a loop of its own, in a thread.
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, query()).result()


def stored_bytes(settings: Settings) -> bytes:
    """`everything_stored` from a test's settings, while the bot runs or after."""
    if settings.database_url is None:
        folder, name = settings.database.parent, settings.database.name
        return b"".join(part.read_bytes() for part in folder.glob(name + "*"))
    tables = rows(
        settings,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()",
    )
    dump = [
        str(row[0])
        for (table,) in tables
        for row in rows(settings, f"SELECT t::text FROM {table} t")
    ]
    return "\n".join(dump).encode("utf-8")


async def settled(condition: Callable[[], bool], timeout: float = 60.0) -> None:  # noqa: ASYNC109
    """Wait until `condition` (a read of the database) holds, checking a few times a second:
    the database tells nobody when it changes, so a waiter on the fake Telegram's changes
    would not wake for it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await asyncio.to_thread(condition):
        if loop.time() > deadline:
            raise AssertionError(f"database condition not met within {timeout} s")
        await asyncio.sleep(0.2)
