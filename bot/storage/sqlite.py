"""The aiosqlite implementation of Storage: one connection, WAL, encrypted answers."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, cast

import aiosqlite

from bot.storage.base import DialogueRun, Person, RunStatus, ScaleMode
from bot.storage.crypto import Cipher

log = logging.getLogger(__name__)

_RUN_STATE = b"dialogue_runs.state"


def _to_db(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _from_db(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _required(value: str) -> datetime:
    return datetime.fromisoformat(value)


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, SQL) of every bundled migration, in order."""
    folder = resources.files("bot.storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.name, entry.read_text("utf-8")))
    return sorted(found)


class SqliteStorage:
    """Storage over one aiosqlite connection owned by the application."""

    def __init__(self, path: Path, cipher: Cipher) -> None:
        self._path = path
        self._cipher = cipher
        self._db: aiosqlite.Connection | None = None
        # aiosqlite runs statements one by one; the lock keeps a transaction's statements together.
        self._lock = asyncio.Lock()

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    async def open(self) -> None:
        """Connect, set durable pragmas, apply pending migrations."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self._path, isolation_level=None)
        self._db.row_factory = aiosqlite.Row
        for pragma in (
            "PRAGMA journal_mode = WAL",
            # FULL: an answer we acknowledged survives a power cut, not just a crash.
            "PRAGMA synchronous = FULL",
            "PRAGMA foreign_keys = ON",
            "PRAGMA busy_timeout = 5000",
        ):
            await self._db.execute(pragma)
        await self._migrate()

    async def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._db is not None:
            await self._db.close()
            self._db = None

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
                await db.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, _to_db(datetime.now(UTC))),
                )
            log.info("migration_applied", extra={"version": version})

    async def schema_version(self) -> int:
        """The newest applied migration."""
        cursor = await self._conn.execute("SELECT MAX(version) FROM schema_migrations")
        row = await cursor.fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    # --- persons -------------------------------------------------------------

    def _person(self, row: aiosqlite.Row) -> Person:
        return Person(
            id=row["id"],
            account=row["account"],
            chat_id=row["chat_id"],
            language=row["language"],
            scale_mode=cast(ScaleMode, row["scale_mode"]),
            current_run_id=row["current_run_id"],
            created_at=_required(row["created_at"]),
        )

    async def person_by_account(self, account: str) -> Person | None:
        """The person with this account, if any."""
        async with self._lock:
            cursor = await self._conn.execute("SELECT * FROM persons WHERE account = ?", (account,))
            row = await cursor.fetchone()
        return None if row is None else self._person(row)

    async def get_person(self, person_id: int) -> Person | None:
        """A person by id."""
        async with self._lock:
            cursor = await self._conn.execute("SELECT * FROM persons WHERE id = ?", (person_id,))
            row = await cursor.fetchone()
        return None if row is None else self._person(row)

    async def get_or_create_person(
        self, account: str, *, chat_id: int | None, language: str, now: datetime
    ) -> Person:
        """Find the person, or create them; refresh chat id and last contact."""
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO persons (account, chat_id, language, created_at, last_seen_at)"
                " VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (account) DO UPDATE SET"
                " chat_id = COALESCE(excluded.chat_id, chat_id),"
                " last_seen_at = excluded.last_seen_at",
                (account, chat_id, language, _to_db(now), _to_db(now)),
            )
            cursor = await db.execute("SELECT * FROM persons WHERE account = ?", (account,))
            row = await cursor.fetchone()
        assert row is not None
        return self._person(row)

    async def set_language(self, person_id: int, language: str) -> None:
        """Remember the person's language."""
        async with self._transaction() as db:
            await db.execute("UPDATE persons SET language = ? WHERE id = ?", (language, person_id))

    async def set_current_run(self, person_id: int, run_id: int | None) -> None:
        """Which run free text goes to; None when the person left the dialogue."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE persons SET current_run_id = ? WHERE id = ?", (run_id, person_id)
            )

    # --- dialogue runs -------------------------------------------------------

    def _run(self, row: aiosqlite.Row) -> DialogueRun:
        state = json.loads(self._cipher.decrypt(row["state"], _RUN_STATE))
        return DialogueRun(
            id=row["id"],
            person_id=row["person_id"],
            dialogue_id=row["dialogue_id"],
            dialogue_version=row["dialogue_version"],
            status=cast(RunStatus, row["status"]),
            state=state,
            started_at=_required(row["started_at"]),
            updated_at=_required(row["updated_at"]),
            finished_at=_from_db(row["finished_at"]),
        )

    def _seal(self, state: dict[str, Any]) -> bytes:
        return self._cipher.encrypt(
            json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
            _RUN_STATE,
        )

    async def _fetch_runs(self, sql: str, params: tuple[Any, ...]) -> list[DialogueRun]:
        async with self._lock:
            cursor = await self._conn.execute(sql, params)
            rows = await cursor.fetchall()
        return [self._run(row) for row in rows]

    async def get_run(self, run_id: int) -> DialogueRun | None:
        """A run by id."""
        runs = await self._fetch_runs("SELECT * FROM dialogue_runs WHERE id = ?", (run_id,))
        return runs[0] if runs else None

    async def active_run(self, person_id: int, dialogue_id: str) -> DialogueRun | None:
        """The person's run in progress for this dialogue."""
        runs = await self._fetch_runs(
            "SELECT * FROM dialogue_runs WHERE person_id = ? AND dialogue_id = ?"
            " AND status = 'active'",
            (person_id, dialogue_id),
        )
        return runs[0] if runs else None

    async def active_runs(self, person_id: int) -> list[DialogueRun]:
        """All the person's runs in progress."""
        return await self._fetch_runs(
            "SELECT * FROM dialogue_runs WHERE person_id = ? AND status = 'active' ORDER BY id",
            (person_id,),
        )

    async def finished_runs(self, person_id: int, dialogue_id: str) -> list[DialogueRun]:
        """Kept versions of a dialogue, newest first."""
        return await self._fetch_runs(
            "SELECT * FROM dialogue_runs WHERE person_id = ? AND dialogue_id = ?"
            " AND status = 'finished' ORDER BY finished_at DESC, id DESC",
            (person_id, dialogue_id),
        )

    async def start_run(
        self, person_id: int, dialogue_id: str, version: int, state: dict[str, Any], now: datetime
    ) -> DialogueRun:
        """Create a run in progress and make it the person's current one."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO dialogue_runs (person_id, dialogue_id, dialogue_version, status,"
                " state, started_at, updated_at) VALUES (?, ?, ?, 'active', ?, ?, ?)",
                (person_id, dialogue_id, version, self._seal(state), _to_db(now), _to_db(now)),
            )
            run_id = cursor.lastrowid
            await db.execute(
                "UPDATE persons SET current_run_id = ?, last_seen_at = ? WHERE id = ?",
                (run_id, _to_db(now), person_id),
            )
        assert run_id is not None
        return DialogueRun(
            id=run_id,
            person_id=person_id,
            dialogue_id=dialogue_id,
            dialogue_version=version,
            status="active",
            state=state,
            started_at=now,
            updated_at=now,
            finished_at=None,
        )

    async def save_turn(
        self,
        run: DialogueRun,
        state: dict[str, Any],
        *,
        finished: bool,
        scale_mode: ScaleMode | None,
        now: datetime,
    ) -> DialogueRun:
        """Store an answer's new state (and a scale-mode change) in one transaction."""
        status: RunStatus = "finished" if finished else "active"
        async with self._transaction() as db:
            await db.execute(
                "UPDATE dialogue_runs SET state = ?, status = ?, updated_at = ?, finished_at = ?"
                " WHERE id = ?",
                (self._seal(state), status, _to_db(now), _to_db(now) if finished else None, run.id),
            )
            if scale_mode is not None:
                await db.execute(
                    "UPDATE persons SET scale_mode = ? WHERE id = ?", (scale_mode, run.person_id)
                )
            if finished:
                await db.execute(
                    "UPDATE persons SET current_run_id = NULL WHERE id = ? AND current_run_id = ?",
                    (run.person_id, run.id),
                )
            await db.execute(
                "UPDATE persons SET last_seen_at = ? WHERE id = ?", (_to_db(now), run.person_id)
            )
        return DialogueRun(
            id=run.id,
            person_id=run.person_id,
            dialogue_id=run.dialogue_id,
            dialogue_version=run.dialogue_version,
            status=status,
            state=state,
            started_at=run.started_at,
            updated_at=now,
            finished_at=now if finished else None,
        )


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (our migrations hold no semicolons in literals)."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]
