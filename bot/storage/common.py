"""Storage made of every table, whatever the backend: what SQLite and PostgreSQL share."""

from __future__ import annotations

from pathlib import Path

from bot.storage.crypto import Cipher
from bot.storage.tables.agreements import AgreementsTable
from bot.storage.tables.audit import AuditTable
from bot.storage.tables.checkins import CheckinsTable
from bot.storage.tables.inbox import InboxTable
from bot.storage.tables.keys import KeysTable
from bot.storage.tables.operations import OperationsTable
from bot.storage.tables.outbox import OutboxTable
from bot.storage.tables.pending import PendingTable
from bot.storage.tables.persons import PersonsTable
from bot.storage.tables.reminders import RemindersTable
from bot.storage.tables.runs import RunsTable
from bot.storage.tables.safety import SafetyTable
from bot.storage.tables.summaries import SummariesTable
from bot.storage.tables.workers import WorkersTable


class TableStorage(
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
    CheckinsTable,
    InboxTable,
):
    """Every table's queries; a backend adds its connections, migrations and backups."""

    def __init__(self, path: Path, cipher: Cipher) -> None:
        super().__init__(cipher)
        self._path = path

    @property
    def path(self) -> Path:
        """The SQLite file, or with PostgreSQL the place the key and the erasure list sit
        beside (the data folder): files next to it belong to this database."""
        return self._path

    @property
    def backend(self) -> str:
        """'sqlite' or 'postgresql'."""
        raise NotImplementedError

    async def open(self) -> None:
        """Connect, apply pending migrations, check the key."""
        raise NotImplementedError

    async def open_without_migrating(self) -> None:
        """Connect only (`equipage doctor` looks, it does not change)."""
        raise NotImplementedError

    async def close(self) -> None:
        """Close the connections once what is open is committed (idempotent)."""
        raise NotImplementedError

    async def backup_to(self, target: Path) -> None:
        """A consistent copy to a file, without stopping the bot."""
        raise NotImplementedError

    async def schema_version(self) -> int:
        """The newest applied migration."""
        raise NotImplementedError
