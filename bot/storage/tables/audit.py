"""The audit trail: which worker saw which person's shared data, and when."""

from __future__ import annotations

from datetime import datetime

from bot.domain import AuditEntry
from bot.storage.database import Database, required, to_db


class AuditTable(Database):
    """Queries on `audit`."""

    async def record_access(
        self, worker_id: int, person_id: int, action: str, ref: int | None, now: datetime
    ) -> None:
        """One access by a worker to a person's shared data."""
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO audit (worker_id, person_id, action, ref, at) VALUES (?, ?, ?, ?, ?)",
                (worker_id, person_id, action, ref, to_db(now)),
            )

    async def audit_of(self, person_id: int) -> list[AuditEntry]:
        """Every recorded access to a person's data, oldest first."""
        rows = await self._fetch_all(
            "SELECT a.*, w.name AS worker_name FROM audit a"
            " LEFT JOIN workers w ON w.id = a.worker_id WHERE a.person_id = ? ORDER BY a.id",
            (person_id,),
        )
        return [
            AuditEntry(
                worker_id=row["worker_id"],
                worker_name=row["worker_name"],
                person_id=row["person_id"],
                action=row["action"],
                ref=row["ref"],
                at=required(row["at"]),
            )
            for row in rows
        ]
