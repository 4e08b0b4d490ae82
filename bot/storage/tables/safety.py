"""Which dialogues already showed the safety step."""

from __future__ import annotations

from datetime import datetime

from bot.storage.database import Database, to_db


class SafetyTable(Database):
    """Queries on `safety_notices`."""

    async def mark_safety_shown(self, scope: str, person_id: int, now: datetime) -> bool:
        """Record the safety step for this scope; False if it was already shown there."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO safety_notices (scope, person_id, shown_at) VALUES (?, ?, ?)"
                " ON CONFLICT (scope) DO NOTHING",
                (scope, person_id, to_db(now)),
            )
            return cursor.rowcount == 1
