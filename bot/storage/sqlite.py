"""The SQLite implementation of Storage: a reader and a writer connection, WAL, encrypted words."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Iterable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, cast

from bot.paths import private_file
from bot.storage.common import TableStorage
from bot.storage.crypto import Cipher, DecryptionError
from bot.storage.database import (
    CHECKPOINT_ATTEMPTS,
    CHECKPOINT_BACKOFF,
    CHECKPOINT_WAIT_MS,
    Row,
    Transaction,
    to_db,
)
from bot.storage.tables.keys import REBIND_VERSION, WrongKeyError, rebind_all
from bot.storage.tables.operations import copy_database
from bot.storage.turn_cache import forgetting
from bot.storage.writer import BUSY_TIMEOUT_MS, Fetched, Writer

log = logging.getLogger(__name__)


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, SQL) of every bundled migration, in order."""
    folder = resources.files("bot.storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.name, entry.read_text("utf-8")))
    return sorted(found)


class _Outside:
    """`self._conn` for the few statements run outside any transaction (checkpoints): they
    go to the writer thread, after whatever is open has been committed."""

    def __init__(self, writer: Writer) -> None:
        self._writer = writer

    async def execute(self, sql: str, parameters: Iterable[Any] = ()) -> Fetched:
        return await self._writer.outside(sql, parameters)


class SqliteStorage(TableStorage):
    """Storage over two connections owned by the application.

    Reads run on a `sqlite3` connection of the event loop's thread (WAL: a reader is never
    blocked by the writer, and a lookup costs microseconds, not a thread hand-off); writes go
    through `Writer` (bot/storage/writer.py): statements on the loop's thread, COMMITs grouped
    in one writer thread, each caller released only once its writes are durable."""

    def __init__(self, path: Path, cipher: Cipher) -> None:
        super().__init__(path, cipher)
        self._reader: sqlite3.Connection | None = None
        self._writer: Writer | None = None
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
    def backend(self) -> str:
        return "sqlite"

    @property
    def _conn(self) -> _Outside:
        # Statements outside any transaction (`execute`, then `fetchone`); hold `self._lock`.
        return _Outside(self._writing)

    def _transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """Statements run at once on the writer connection; the COMMIT is grouped (writer.py)."""
        return cast(
            AbstractAsyncContextManager[Transaction], forgetting(self._writing.transaction())
        )

    def _light_transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """Committed without an fsync when no durable COMMIT is open (writer.py `_light`)."""
        return cast(
            AbstractAsyncContextManager[Transaction],
            forgetting(self._writing.transaction(durable=False)),
        )

    async def _fetch_all(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        # Straight on the loop's thread: committed data only, never blocked by the writer.
        return self._reading.execute(sql, params).fetchall()

    async def _fetch_one(self, sql: str, params: tuple[Any, ...] = ()) -> Row | None:
        # fetchall, not fetchone: a statement left unfinished would keep its read
        # transaction, and so an old snapshot, open.
        rows = self._reading.execute(sql, params).fetchall()
        return rows[0] if rows else None

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

    async def open(self) -> None:
        """Connect, set durable pragmas, apply pending migrations."""
        await self.open_without_migrating()
        try:
            await self._migrate()
            # A wrong key stops the start here, before any answer is written with it.
            await self.ensure_key_probe()
            # After a restore, whoever was erased since the backup is erased again, first thing.
            await self.reapply_erasures(datetime.now(UTC))
        except BaseException:
            await self.close()  # its thread would otherwise keep the process alive
            raise

    async def open_without_migrating(self) -> None:
        """Connect and set durable pragmas only (`equipage doctor` looks, it does not change)."""
        # 0600 before SQLite opens it: its -wal and -shm files then get the same mode.
        private_file(self._path)
        writer = _connect(self._path)
        try:
            for pragma in (
                "PRAGMA journal_mode = WAL",
                # FULL: an answer we acknowledged survives a power cut, not just a crash.
                "PRAGMA synchronous = FULL",
                # Erased data is overwritten with zeros, not just unlinked.
                "PRAGMA secure_delete = ON",
            ):
                writer.execute(pragma)
            writer.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            reader = _connect(self._path)
            # The reader never writes: a slip would bypass the writer's durability.
            reader.execute("PRAGMA query_only = ON")
        except BaseException:
            writer.close()
            raise
        self._reader = reader
        self._writer = Writer(writer, self._lock, ride=self._ride_inbox_mark)
        for suffix in ("-wal", "-shm"):
            companion = self._path.with_name(self._path.name + suffix)
            if companion.exists():
                companion.chmod(0o600)

    async def close(self) -> None:
        """Close the connections, once what is open is committed (idempotent)."""
        writer, reader = self._writer, self._reader
        self._writer = self._reader = None
        if writer is not None:
            await writer.close()
        if reader is not None:
            reader.close()

    async def _migrate(self) -> None:
        async with self._transaction() as db:
            await db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            cursor = await db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            row = await cursor.fetchone()
        current = int(row[0]) if row else 0
        for version, name, sql in migration_files():
            if version <= current:
                continue
            async with self._transaction() as db:
                for statement in _split_sql(sql):
                    await db.execute(statement)
                if version == REBIND_VERSION:
                    try:
                        await rebind_all(db, self._cipher)
                    except DecryptionError as error:
                        raise WrongKeyError(
                            "the data key does not decrypt the stored data"
                        ) from error
                await db.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, to_db(datetime.now(UTC))),
                )
            log.info("migration_applied", extra={"version": version})

    async def backup_to(self, target: Path) -> None:
        """Copy the live database to `target`, consistently, without stopping the bot."""
        await asyncio.to_thread(copy_database, self._path, target)

    async def schema_version(self) -> int:
        """The newest applied migration."""
        row = await self._fetch_one("SELECT MAX(version) FROM schema_migrations")
        return int(row[0]) if row and row[0] is not None else 0


def _connect(path: Path) -> sqlite3.Connection:
    """A connection we manage transactions on ourselves (BEGIN, COMMIT), usable from the
    writer thread too; rows readable by column name."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.row_factory = sqlite3.Row
    for pragma in ("PRAGMA foreign_keys = ON", f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}"):
        connection.execute(pragma)
    return connection


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (our migrations hold no semicolons in literals); a
    trigger's body keeps its own semicolons: a piece ends where SQLite sees a whole statement."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    statements: list[str] = []
    pending = ""
    for part in "\n".join(lines).split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending.strip().removesuffix(";").strip())
            pending = ""
    if pending.strip(" \n;"):
        statements.append(pending.strip().removesuffix(";").strip())
    return statements
