"""The SQLite implementation of Storage: a reader and a writer connection, WAL, encrypted words."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from bot.paths import private_file
from bot.storage.crypto import Cipher, DecryptionError
from bot.storage.database import to_db
from bot.storage.tables.agreements import AgreementsTable
from bot.storage.tables.audit import AuditTable
from bot.storage.tables.inbox import InboxTable
from bot.storage.tables.keys import REBIND_VERSION, KeysTable, WrongKeyError, rebind_all
from bot.storage.tables.operations import OperationsTable, copy_database
from bot.storage.tables.outbox import OutboxTable
from bot.storage.tables.pending import PendingTable
from bot.storage.tables.persons import PersonsTable
from bot.storage.tables.reminders import RemindersTable
from bot.storage.tables.runs import RunsTable
from bot.storage.tables.safety import SafetyTable
from bot.storage.tables.summaries import SummariesTable
from bot.storage.tables.workers import WorkersTable
from bot.storage.writer import BUSY_TIMEOUT_MS, Writer

log = logging.getLogger(__name__)


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, SQL) of every bundled migration, in order."""
    folder = resources.files("bot.storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.name, entry.read_text("utf-8")))
    return sorted(found)


class SqliteStorage(
    PersonsTable,
    RunsTable,
    WorkersTable,
    OutboxTable,
    SummariesTable,
    AgreementsTable,
    PendingTable,
    SafetyTable,
    AuditTable,
    KeysTable,
    OperationsTable,
    RemindersTable,
    InboxTable,
):
    """Storage over two connections owned by the application (see bot.storage.database)."""

    def __init__(self, path: Path, cipher: Cipher) -> None:
        super().__init__(cipher)
        self._path = path

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

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
    """Split a migration into statements (our migrations hold no semicolons in literals)."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]
