"""Moving up: a SQLite database copied, as it is, into an empty PostgreSQL database.

Every table, every row, with the same ids: ciphertexts are bound to their row and person
(see `bound`), so they are copied untouched and the same key opens them. The schema is created
and the rows copied in ONE PostgreSQL transaction; the row counts of both sides are compared
before it commits. Any difference, or any error, and nothing is kept: the database stays empty.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import asyncpg

from bot.storage.database import to_db
from bot.storage.postgresql import WRITE_LOCK, migration_files
from bot.storage.sqlite import migration_files as sqlite_migration_files

# Parents before children (foreign keys). A table a later migration adds and this list does
# not name yet is copied after these. persons.current_run_id points at dialogue_runs, which
# points back at persons: that column is filled in once both are copied.
ORDER = (
    "workers",
    "invitations",
    "persons",
    "dialogue_runs",
    "summaries",
    "agreements",
    "appointments",
    "reminders",
    "checkins",
    "safety_held",
    "safety_calls",
    "safety_shown",
    "outbox",
    "pending_inputs",
    "audit",
    "inbox",
    "heartbeats",
    "key_probe",
    "erasures",
)
DEFERRED = {("persons", "current_run_id")}
# Each backend keeps its own record of the migrations it applied.
NOT_COPIED = {"schema_migrations", "sqlite_sequence"}


class TransferRefused(Exception):
    """The copy cannot start, or did not match; `key` names the catalogue sentence."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Copied:
    """One table copied: its name and its row count (the same on both sides)."""

    table: str
    rows: int


def _read_only(database: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{quote(os.path.abspath(database))}?mode=ro", uri=True)


def _tables(source: sqlite3.Connection) -> list[str]:
    names = {
        row[0]
        for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if row[0] not in NOT_COPIED
    }
    return [name for name in ORDER if name in names] + sorted(names - set(ORDER))


def _columns(source: sqlite3.Connection, table: str) -> list[str]:
    return [str(row[1]) for row in source.execute(f"PRAGMA table_info({table})")]


async def copy_to_postgresql(
    database: Path, url: str, progress: Callable[[Copied], object] = lambda _: None
) -> list[Copied]:
    """Copy the SQLite file `database` (its bot stopped) into the empty database at `url`."""
    # The copy is a one-off command with the bot stopped: reading SQLite synchronously is fine.
    with closing(_read_only(database)) as source:
        version = source.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
        expected = sqlite_migration_files()[-1][0]
        if version != expected or migration_files()[-1][0] != expected:
            raise TransferRefused(
                "cli.migrate_versions", source=version, target=migration_files()[-1][0]
            )
        connection = await asyncpg.connect(url)
        try:
            present = await connection.fetchval(
                "SELECT COUNT(*) FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            )
            if present:
                raise TransferRefused("cli.migrate_not_empty")
            async with connection.transaction():
                await connection.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK)
                await _create_schema(connection)
                copied = [
                    await _copy_table(source, connection, table, progress)
                    for table in _tables(source)
                ]
                await _fill_deferred(source, connection)
                await _advance_sequences(connection)
        finally:
            await connection.close()
    return copied


async def _create_schema(connection: asyncpg.Connection) -> None:
    """Every PostgreSQL migration, recorded as applied (inside the copy's transaction)."""
    for version, name, sql in migration_files():
        await connection.execute(sql)
        if version == migration_files()[0][0]:
            # The first script may be the one that creates schema_migrations.
            await connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
        await connection.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            version,
            name,
            to_db(datetime.now(UTC)),
        )


async def _copy_table(
    source: sqlite3.Connection,
    connection: asyncpg.Connection,
    table: str,
    progress: Callable[[Copied], object],
) -> Copied:
    columns = _columns(source, table)
    selected = ", ".join("NULL" if (table, column) in DEFERRED else column for column in columns)
    records = [tuple(row) for row in source.execute(f"SELECT {selected} FROM {table}")]
    if records:
        # COPY: one round trip for the whole table, values sent as they are (bytes as BYTEA).
        await connection.copy_records_to_table(table, records=records, columns=columns)
    stored = await connection.fetchval(f"SELECT COUNT(*) FROM {table}")
    if stored != len(records):
        raise TransferRefused(
            "cli.migrate_mismatch", table=table, source=len(records), target=stored
        )
    entry = Copied(table, len(records))
    progress(entry)
    return entry


async def _fill_deferred(source: sqlite3.Connection, connection: asyncpg.Connection) -> None:
    for table, column in sorted(DEFERRED):
        pairs = [
            (row[0], row[1])
            for row in source.execute(
                f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL"
            )
        ]
        await connection.executemany(f"UPDATE {table} SET {column} = $2 WHERE id = $1", pairs)


async def _advance_sequences(connection: asyncpg.Connection) -> None:
    """Each id sequence starts after the highest id the table ever held (copied, or deleted
    since and kept in id_high_water): new rows never collide nor take an erased row's id."""
    serial = await connection.fetch(
        "SELECT table_name, pg_get_serial_sequence(table_name, 'id')"
        " FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND column_name = 'id'"
    )
    for table, sequence in serial:
        if sequence is not None:
            await connection.execute(
                f"SELECT setval($1, GREATEST(COALESCE((SELECT MAX(id) FROM {table}), 0),"
                " COALESCE((SELECT highest FROM id_high_water WHERE name = $2), 0)) + 1, false)",
                sequence,
                table,
            )
