"""Check-ins: after a step's day, the person says where she is with it; her words are sealed
to their row (the step as she wrote it, what she learned)."""

from __future__ import annotations

from datetime import datetime

from bot.domain import CheckIn
from bot.storage.database import Database, Row, from_db, next_id, required, to_db

STEP = b"checkins.step"
LEARNED = b"checkins.learned"


class CheckinsTable(Database):
    """Queries on `checkins`."""

    def _checkin(self, row: Row) -> CheckIn:
        return CheckIn(
            id=row["id"],
            person_id=row["person_id"],
            step=self._open_text(row["step"], STEP, (row["id"], row["person_id"])) or "",
            progress=row["progress"],
            learned=self._open_text(row["learned"], LEARNED, (row["id"], row["person_id"])),
            created_at=required(row["created_at"]),
            answered_at=from_db(row["answered_at"]),
            attainment=row["attainment"],
        )

    async def create_checkin(self, person_id: int, step: str, now: datetime) -> CheckIn:
        """A check-in about a step, waiting for the person's answer."""
        async with self._transaction() as db:
            checkin_id = await next_id(db, "checkins")
            await db.execute(
                "INSERT INTO checkins (id, person_id, step, created_at) VALUES (?, ?, ?, ?)",
                (
                    checkin_id,
                    person_id,
                    self._seal_text(step, STEP, (checkin_id, person_id)),
                    to_db(now),
                ),
            )
            cursor = await db.execute("SELECT * FROM checkins WHERE id = ?", (checkin_id,))
            row = await cursor.fetchone()
        assert row is not None
        return self._checkin(row)

    async def answer_checkin(
        self,
        checkin_id: int,
        *,
        progress: str | None,
        learned: str | None,
        now: datetime,
        attainment: int | None = None,
    ) -> None:
        """Record where the person is with the step, how it went (GAS), what they learned."""
        async with self._transaction() as db:
            if attainment is not None:
                await db.execute(
                    "UPDATE checkins SET attainment = ?, answered_at = ? WHERE id = ?",
                    (attainment, to_db(now), checkin_id),
                )
            if progress is not None:
                await db.execute(
                    "UPDATE checkins SET progress = ?, answered_at = ? WHERE id = ?",
                    (progress, to_db(now), checkin_id),
                )
            if learned is not None:
                cursor = await db.execute(
                    "SELECT person_id FROM checkins WHERE id = ?", (checkin_id,)
                )
                owner = await cursor.fetchone()
                if owner is not None:
                    sealed = self._seal_text(learned, LEARNED, (checkin_id, owner[0]))
                    await db.execute(
                        "UPDATE checkins SET learned = ?, answered_at = ? WHERE id = ?",
                        (sealed, to_db(now), checkin_id),
                    )

    async def get_checkin(self, checkin_id: int) -> CheckIn | None:
        """A check-in by id."""
        row = await self._fetch_one("SELECT * FROM checkins WHERE id = ?", (checkin_id,))
        return None if row is None else self._checkin(row)

    async def checkins_since(self, person_id: int, since: datetime | None) -> list[CheckIn]:
        """A person's answered check-ins, oldest first, since a moment (e.g. the last summary)."""
        rows = await self._fetch_all(
            "SELECT * FROM checkins WHERE person_id = ? AND answered_at IS NOT NULL"
            " AND created_at > ? ORDER BY id",
            (person_id, to_db(since) if since else ""),
        )
        return [self._checkin(row) for row in rows]
