"""What a test can find in the database by reading it raw, whatever the backend."""

from __future__ import annotations

import sqlite3

import asyncpg

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
