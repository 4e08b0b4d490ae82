"""Erased persons, remembered by opaque token, so that restoring a backup never brings one back.

The tokens live in the `erasures` table and in a file beside the database, which no backup
contains. At every start the two are merged: a token in the file but not in the table means
the database is older than the erasure (a backup was restored), and the person is erased again."""

from __future__ import annotations

import hashlib
import logging
import os
from datetime import datetime
from pathlib import Path

from bot.domain import OutboxMessage
from bot.storage.database import Database, Transaction, to_db

log = logging.getLogger(__name__)

ERASED_FILE_NAME = "equipage.erased"


def erasure_token(account: str, created_at: str) -> str:
    """Opaque and stable across backups: one-way, and a later return of the same account
    (another `created_at`) is a new person who is not erased."""
    digest = hashlib.sha256(f"equipage-erased|{account}|{created_at}".encode())
    return digest.hexdigest()[:32]


def erased_file(database: Path) -> Path:
    """The list of erased persons' tokens, beside the database."""
    return database.parent / ERASED_FILE_NAME


def read_erased_file(path: Path) -> set[str]:
    """Tokens in the file (none if it does not exist yet)."""
    if not path.exists():
        return set()
    return {line.strip() for line in path.read_text("ascii").splitlines() if line.strip()}


def append_erased_file(path: Path, tokens: list[str]) -> None:
    """Add tokens durably (fsync): the erasure must outlive a crash right after it."""
    if not tokens:
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="ascii") as listing:
        listing.write("".join(f"{token}\n" for token in tokens))
        listing.flush()
        os.fsync(listing.fileno())


class ErasuresTable(Database):
    """Queries on `erasures`, and the file kept beside the database."""

    _path: Path

    async def _record_erasure(
        self, db: Transaction, person_id: int, reason: str, now: datetime
    ) -> str | None:
        """Inside the erasing transaction: the person's token, recorded; None if no such row."""
        cursor = await db.execute(
            "SELECT account, created_at FROM persons WHERE id = ?", (person_id,)
        )
        row = await cursor.fetchone()
        if row is None:
            return None
        token = erasure_token(row[0], row[1])
        await db.execute(
            "INSERT INTO erasures (token, reason, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (token, reason, to_db(now)),
        )
        return token

    def _remember_outside(self, token: str | None) -> None:
        if token is not None:
            append_erased_file(erased_file(self._path), [token])

    async def erasure_reasons(self) -> list[str]:
        """Why each recorded erasure happened, oldest first (no person can be told from it)."""
        rows = await self._fetch_all("SELECT reason FROM erasures ORDER BY id")
        return [row["reason"] for row in rows]

    async def reapply_erasures(self, now: datetime) -> int:
        """Erase again whoever the file lists but the database still holds; returns how many."""
        path = erased_file(self._path)
        outside = read_erased_file(path)
        inside = {row["token"] for row in await self._fetch_all("SELECT token FROM erasures")}
        # A lost or older file is completed from the database.
        append_erased_file(path, sorted(inside - outside))
        missing = outside - inside
        if not missing:
            return 0
        erased = 0
        for row in await self._fetch_all("SELECT id, account, created_at FROM persons"):
            if erasure_token(row["account"], row["created_at"]) in missing:
                await self.erase_person(row["id"], row["account"], now, None, reason="restore")
                erased += 1
        async with self._transaction() as db:
            await db.executemany(
                "INSERT INTO erasures (token, reason, at) VALUES (?, 'restore', ?)"
                " ON CONFLICT DO NOTHING",
                [(token, to_db(now)) for token in missing],
            )
        if erased:
            log.warning("erasures_reapplied", extra={"erased": erased})
        return erased

    async def erase_person(
        self,
        person_id: int,
        account: str,
        now: datetime,
        goodbye: OutboxMessage | None,
        *,
        reason: str = "person",
    ) -> None:
        """Delete everything about a person (PersonsTable does it)."""
        raise NotImplementedError
