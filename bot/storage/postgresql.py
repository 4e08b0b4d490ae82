"""The PostgreSQL implementation of Storage (asyncpg): for a federation running several replicas.

The tables' SQL is the SQLite one (`?` placeholders); `translate` turns it into PostgreSQL's
(`$1`, …) once per statement text. Ids come from each table's sequence, so two replicas never
bind a ciphertext to the same row id.

Write transactions are serialised, as SQLite's are: in this process by a lock taken before a
connection is borrowed (a queue of writers holds no connection), and across processes (an
admin command beside the bot, a replica) by a transaction-level advisory lock. The table
code relies on that (a check then a write in one transaction, as under SQLite's BEGIN
IMMEDIATE); it bounds throughput to one write transaction at a time (benchmarks/backends.py
measures it). Reads take any pooled connection and see committed data only. Webhook
replicas all work, sharing lanes and jobs through claims (bot/storage/claims.py); in polling
mode one is active at a time (bot/storage/leadership.py).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import asyncpg

from bot.storage.common import TableStorage
from bot.storage.crypto import Cipher
from bot.storage.database import Row, Transaction, to_db
from bot.storage.turn_cache import forgetting

log = logging.getLogger(__name__)

# The advisory lock every write transaction takes (any constant: it names "the writer").
WRITE_LOCK = 0x45515550  # "EQUP"
DEFAULT_POOL_SIZE = 10
DEFAULT_STATEMENT_TIMEOUT = 30.0

_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)
_QUERY = ("SELECT", "WITH", "VALUES", "SHOW")


def translate(sql: str, serial: frozenset[str] = frozenset()) -> tuple[str, bool]:
    """SQLite's SQL as PostgreSQL's: `?` -> `$n`, `X''` -> an empty bytea; an INSERT into a
    table of `serial` (those with a sequence-backed id) returns the id, for `lastrowid`.
    Second item: whether the statement returns rows.

    Our statements hold no `?` inside a string literal: a `?` is always a parameter."""
    parts = sql.split("?")
    text = parts[0] + "".join(f"${number}{part}" for number, part in enumerate(parts[1:], 1))
    text = text.replace("X''", "'\\x'::bytea")
    inserting = _INSERT.match(text)
    if inserting and inserting.group(1) in serial and "RETURNING" not in text.upper():
        text += " RETURNING id"
    returns = text.lstrip()[:6].upper().startswith(_QUERY) or "RETURNING" in text.upper()
    return text, returns


def _rowcount(status: str) -> int:
    """Rows a command touched, from its status ("UPDATE 3", "INSERT 0 1", "DELETE 0")."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else -1


class PgCursor:
    """The part of a cursor the tables use, over rows already fetched."""

    def __init__(self, rows: list[asyncpg.Record], rowcount: int, lastrowid: int | None) -> None:
        self._rows = rows
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows


class PgStatements:
    """What a transaction body gets on PostgreSQL (see `Transaction`)."""

    dialect = "postgresql"

    def __init__(self, connection: asyncpg.Connection, serial: frozenset[str]) -> None:
        self._connection = connection
        self._serial = serial
        # Whether a statement changed a row: only then does the inbox's mark ride along.
        self.altered = False

    async def execute(self, sql: str, parameters: Iterable[Any] = ()) -> PgCursor:
        text, returns = translate(sql, self._serial)
        arguments = tuple(parameters)
        if returns:
            rows = await self._connection.fetch(text, *arguments)
            inserted = _INSERT.match(text) is not None and text.endswith(" RETURNING id")
            lastrowid = int(rows[-1][0]) if inserted and rows else None
            # As sqlite3 counts: rows written by an INSERT/UPDATE … RETURNING, -1 for a query.
            written = "RETURNING" in text.upper()
            self.altered = self.altered or (written and bool(rows))
            return PgCursor(list(rows), len(rows) if written else -1, lastrowid)
        status = await self._connection.execute(text, *arguments)
        changed = _rowcount(status)
        self.altered = self.altered or changed > 0
        return PgCursor([], changed, None)

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> PgCursor:
        text, _returns = translate(sql)
        rows = [tuple(row) for row in parameters]
        await self._connection.executemany(text, rows)
        self.altered = self.altered or bool(rows)
        return PgCursor([], -1, None)

    async def next_id(self, table: str) -> int:
        """The next value of the table's id sequence: unique across replicas, never reused."""
        value = await self._connection.fetchval(
            "SELECT nextval(pg_get_serial_sequence($1, 'id'))", table
        )
        return int(value)


async def _reset(connection: asyncpg.Connection) -> None:
    """Before a connection goes back to the pool. asyncpg's default (RESET ALL, unlisten,
    unlock) costs a round trip on every read; we set nothing per session, take no session
    lock on pooled connections, and listen to nothing: only an open transaction must go."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, SQL) of every PostgreSQL migration, in order (a baseline equal to the
    SQLite schema at its number, then one file per later SQLite migration, same number)."""
    folder = resources.files("bot.storage") / "migrations" / "postgresql"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.name, entry.read_text("utf-8")))
    return sorted(found)


class PostgresStorage(TableStorage):
    """Storage on a PostgreSQL server, through a pool of connections."""

    def __init__(
        self,
        url: str,
        cipher: Cipher,
        anchor: Path,
        *,
        pool_size: int = DEFAULT_POOL_SIZE,
        statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT,
    ) -> None:
        # The key file and the erasure list live beside `anchor`, as beside a SQLite file.
        super().__init__(anchor, cipher)
        self._url = url
        self._pool_size = pool_size
        self._statement_timeout = statement_timeout
        self._pool: asyncpg.Pool | None = None
        self._write_turn = asyncio.Lock()
        # Tables whose id comes from a sequence (read from the schema once it is migrated).
        self._serial: frozenset[str] = frozenset()

    @property
    def backend(self) -> str:
        return "postgresql"

    @property
    def url(self) -> str:
        """The server's address (with its password, if any: never log it)."""
        return self._url

    @property
    def _pooled(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("storage is not open")
        return self._pool

    async def open(self) -> None:
        """Connect, apply pending migrations, check the key, erase again whoever must be."""
        await self.open_without_migrating()
        try:
            await self._migrate()
            await self._learn_serial()
            await self.ensure_key_probe()
            await self.reapply_erasures(datetime.now(UTC))
        except BaseException:
            await self.close()
            raise

    async def open_without_migrating(self) -> None:
        """Connect only."""
        milliseconds = str(int(self._statement_timeout * 1000))
        self._pool = await asyncpg.create_pool(
            self._url,
            min_size=1,
            max_size=self._pool_size,
            # A statement stuck on a lock or a slow plan fails instead of stalling every chat.
            server_settings={"statement_timeout": milliseconds, "application_name": "equipage"},
            reset=_reset,
        )
        await self._learn_serial()

    async def _learn_serial(self) -> None:
        """Which tables number their rows with a sequence (those an INSERT returns the id of)."""
        rows = await self._pooled.fetch(
            "SELECT table_name FROM information_schema.columns WHERE table_schema ="
            " current_schema() AND column_name = 'id' AND column_default LIKE 'nextval(%'"
        )
        self._serial = frozenset(str(row[0]) for row in rows)

    async def close(self) -> None:
        """Close the pool once what is open has finished (idempotent)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[Transaction]:
        committed = None
        async with (
            self._write_turn,
            self._pooled.acquire() as connection,
            connection.transaction(),
        ):
            # Across replicas: one write transaction at a time, released at COMMIT.
            await connection.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK)
            statements = PgStatements(connection, self._serial)
            yield statements
            if statements.altered:
                # As on SQLite (bot/storage/writer.py): the update being handled is marked
                # processed in the transaction of its first write, so both commit or neither.
                committed = await self._ride_inbox_mark(statements)
        if committed is not None:
            committed()

    def _transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """One write transaction, committed (synchronous_commit: on disk) when the block ends."""
        return forgetting(self._writing())

    async def _fetch_all(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        text, _returns = translate(sql)
        return list(await self._pooled.fetch(text, *params))

    async def _migrate(self) -> None:
        async with self._transaction() as db:
            await db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            cursor = await db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            row = await cursor.fetchone()
        current = int(row[0]) if row else 0
        for version, name, sql in migration_files():
            if version <= current:
                continue
            async with self._pooled.acquire() as connection, connection.transaction():
                await connection.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK)
                # Another replica may have applied it while this one waited for the lock.
                done = await connection.fetchval(
                    "SELECT 1 FROM schema_migrations WHERE version = $1", version
                )
                if done:
                    continue
                await connection.execute(sql)  # a whole script: no parameters, several statements
                await connection.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                    version,
                    name,
                    to_db(datetime.now(UTC)),
                )
            log.info("migration_applied", extra={"version": version})

    async def backup_to(self, target: Path) -> None:
        """Not by file copy: PostgreSQL's own tools (pg_dump, pg_basebackup) back it up."""
        raise NotImplementedError("pg_dump")

    async def schema_version(self) -> int:
        """The newest applied migration (0 on an empty database)."""
        found = await self._fetch_one("SELECT to_regclass('schema_migrations') IS NOT NULL")
        if found is None or not found[0]:
            return 0
        row = await self._fetch_one("SELECT MAX(version) FROM schema_migrations")
        return int(row[0]) if row and row[0] is not None else 0
