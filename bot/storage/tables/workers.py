"""Workers and invitations (single-use, expiring, stored only as a hash)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from bot.domain import Invitation, InvitationKind, Worker
from bot.storage.database import Database, Row, from_db, next_id, required, to_db

INVITATION_PSEUDONYM = b"invitations.pseudonym"


class WorkersTable(Database):
    """Queries on `workers` and `invitations`."""

    def _worker(self, row: Row) -> Worker:
        return Worker(
            id=row["id"],
            name=row["name"],
            structure=row["structure"],
            account=row["account"],
            chat_id=row["chat_id"],
            language=row["language"],
            active=bool(row["active"]),
            reachable=bool(row["reachable"]),
            created_at=required(row["created_at"]),
            joined_at=from_db(row["joined_at"]),
            quiet_from=row["quiet_from"],
            quiet_until=row["quiet_until"],
            quiet_sunday=bool(row["quiet_sunday"]),
            quiet_from_minute=row["quiet_from_minute"],
            quiet_until_minute=row["quiet_until_minute"],
        )

    def _invitation(self, row: Row) -> Invitation:
        return Invitation(
            id=row["id"],
            kind=cast(InvitationKind, row["kind"]),
            worker_id=row["worker_id"],
            pseudonym=self._open_text(row["pseudonym"], INVITATION_PSEUDONYM, (row["id"], None)),
            created_at=required(row["created_at"]),
            expires_at=required(row["expires_at"]),
            used_at=from_db(row["used_at"]),
        )

    async def create_worker(self, name: str, structure: str | None, now: datetime) -> Worker:
        """Register a worker; they get access once they open their invitation."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO workers (name, structure, created_at) VALUES (?, ?, ?)",
                (name, structure, to_db(now)),
            )
            cursor = await db.execute("SELECT * FROM workers WHERE id = ?", (cursor.lastrowid,))
            row = await cursor.fetchone()
        assert row is not None
        return self._worker(row)

    async def get_worker(self, worker_id: int) -> Worker | None:
        """A worker by id."""
        row = await self._fetch_one("SELECT * FROM workers WHERE id = ?", (worker_id,))
        return None if row is None else self._worker(row)

    async def worker_by_account(self, account: str) -> Worker | None:
        """The worker using this Telegram account, if any."""
        row = await self._fetch_one("SELECT * FROM workers WHERE account = ?", (account,))
        return None if row is None else self._worker(row)

    async def list_workers(self) -> list[Worker]:
        """Every worker, active first."""
        rows = await self._fetch_all("SELECT * FROM workers ORDER BY active DESC, id")
        return [self._worker(row) for row in rows]

    async def count_persons(self, worker_id: int) -> int:
        """How many persons a worker supports."""
        sql = "SELECT COUNT(*) FROM persons WHERE worker_id = ?"
        row = await self._fetch_one(sql, (worker_id,))
        return int(row[0]) if row else 0

    async def deactivate_worker(self, worker_id: int, now: datetime) -> bool:
        """End a worker's access; their open invitations die with it."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE workers SET active = 0, deactivated_at = ? WHERE id = ? AND active = 1",
                (to_db(now), worker_id),
            )
            changed = cursor.rowcount == 1
            await db.execute(
                "UPDATE invitations SET expires_at = ? WHERE worker_id = ? AND used_at IS NULL",
                (to_db(now), worker_id),
            )
        return changed

    async def set_worker_reachable(self, worker_id: int, reachable: bool) -> None:
        """Remember whether Telegram lets us write to the worker."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE workers SET reachable = ? WHERE id = ?", (int(reachable), worker_id)
            )

    async def join_worker(
        self, *, invitation_id: int, account: str, chat_id: int, language: str, now: datetime
    ) -> Worker | None:
        """Claim a worker invitation and bind the account; None if someone else won."""
        async with self._transaction() as db:
            # BEGIN IMMEDIATE holds the write lock, so this check and the claim are atomic.
            cursor = await db.execute(
                "SELECT w.id FROM invitations i JOIN workers w ON w.id = i.worker_id"
                " WHERE i.id = ? AND i.kind = 'worker' AND i.used_at IS NULL"
                " AND i.expires_at > ? AND w.active = 1 AND w.account IS NULL",
                (invitation_id, to_db(now)),
            )
            claimable = await cursor.fetchone()
            if claimable is None:
                return None
            await db.execute(
                "UPDATE invitations SET used_at = ?, used_by = ? WHERE id = ?",
                (to_db(now), account, invitation_id),
            )
            await db.execute(
                "UPDATE workers SET account = ?, chat_id = ?, language = ?, joined_at = ?,"
                " reachable = 1 WHERE id = ?",
                (account, chat_id, language, to_db(now), claimable["id"]),
            )
            cursor = await db.execute("SELECT * FROM workers WHERE id = ?", (claimable["id"],))
            row = await cursor.fetchone()
        assert row is not None
        return self._worker(row)

    async def create_invitation(
        self,
        *,
        kind: InvitationKind,
        worker_id: int,
        code_hash: bytes,
        pseudonym: str | None,
        now: datetime,
        expires_at: datetime,
    ) -> Invitation:
        """Store a new invitation (its code only as a hash)."""
        async with self._transaction() as db:
            invitation_id = await next_id(db, "invitations")
            await db.execute(
                "INSERT INTO invitations (id, code_hash, kind, worker_id, pseudonym, created_at,"
                " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    invitation_id,
                    code_hash,
                    kind,
                    worker_id,
                    self._seal_text(pseudonym, INVITATION_PSEUDONYM, (invitation_id, None)),
                    to_db(now),
                    to_db(expires_at),
                ),
            )
            cursor = await db.execute("SELECT * FROM invitations WHERE id = ?", (invitation_id,))
            row = await cursor.fetchone()
        assert row is not None
        return self._invitation(row)

    async def invitation_by_hash(self, code_hash: bytes) -> Invitation | None:
        """The invitation whose code hashes to this, if any."""
        row = await self._fetch_one("SELECT * FROM invitations WHERE code_hash = ?", (code_hash,))
        return None if row is None else self._invitation(row)

    async def get_invitation(self, invitation_id: int) -> Invitation | None:
        """An invitation by id."""
        row = await self._fetch_one("SELECT * FROM invitations WHERE id = ?", (invitation_id,))
        return None if row is None else self._invitation(row)

    async def count_open_invitations(self, worker_id: int, now: datetime) -> int:
        """Unused, unexpired person invitations of a worker."""
        row = await self._fetch_one(
            "SELECT COUNT(*) FROM invitations WHERE worker_id = ? AND kind = 'person'"
            " AND used_at IS NULL AND expires_at > ?",
            (worker_id, to_db(now)),
        )
        return int(row[0]) if row else 0
