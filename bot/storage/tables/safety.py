"""The safety step's rows: when help was last shown, held words, call requests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.domain import HeldWords, OutboxMessage, SafetyCall
from bot.storage.database import Database, Row, Transaction, from_db, next_id, required, to_db
from bot.storage.tables.outbox import enqueue

WORDS = b"safety_held.words"


async def erase_safety(db: Transaction, account: str) -> None:
    """Inside an erasure: what is keyed by account (the rest goes with the person's row)."""
    await db.execute("DELETE FROM safety_shown WHERE account = ?", (account,))
    await db.execute("DELETE FROM safety_held WHERE account = ?", (account,))


def _call(row: Row) -> SafetyCall:
    return SafetyCall(
        id=row["id"],
        person_id=row["person_id"],
        worker_id=row["worker_id"],
        requested_at=required(row["requested_at"]),
        follow_up_at=required(row["follow_up_at"]),
        acknowledged_at=from_db(row["acknowledged_at"]),
        acknowledgement=row["acknowledgement"],
    )


class SafetyTable(Database):
    """Queries on `safety_shown`, `safety_held` and `safety_calls`."""

    async def safety_last_shown(self, account: str) -> tuple[tuple[str, ...], datetime] | None:
        """The levels last shown in full to this account, and when."""
        row = await self._fetch_one(
            "SELECT levels, shown_at FROM safety_shown WHERE account = ?", (account,)
        )
        if row is None:
            return None
        return tuple(row["levels"].split(",")), required(row["shown_at"])

    async def safety_mark_shown(self, account: str, levels: tuple[str, ...], now: datetime) -> None:
        """Help was shown in full now, for these levels."""
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO safety_shown (account, levels, shown_at) VALUES (?, ?, ?)"
                " ON CONFLICT (account) DO UPDATE SET levels = excluded.levels,"
                " shown_at = excluded.shown_at",
                (account, ",".join(levels), to_db(now)),
            )

    async def hold_words(
        self, account: str, person_id: int, context: str, words: str, now: datetime
    ) -> int:
        """Keep these words aside (encrypted) until the person decides; replaces older ones."""
        async with self._transaction() as db:
            await db.execute("DELETE FROM safety_held WHERE account = ?", (account,))
            held_id = await next_id(db, "safety_held")
            sealed = self._seal_text(words, WORDS, (held_id, person_id))
            await db.execute(
                "INSERT INTO safety_held (id, account, person_id, context, words, held_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (held_id, account, person_id, context, sealed, to_db(now)),
            )
            return held_id

    async def take_held(self, account: str) -> HeldWords | None:
        """The held words, removed from storage in the same step."""
        async with self._transaction() as db:
            cursor = await db.execute("SELECT * FROM safety_held WHERE account = ?", (account,))
            row = await cursor.fetchone()
            if row is None:
                return None
            await db.execute("DELETE FROM safety_held WHERE id = ?", (row["id"],))
        return HeldWords(
            id=row["id"],
            context=row["context"],
            words=self._open_text(row["words"], WORDS, (row["id"], row["person_id"])) or "",
        )

    async def drop_held(self, account: str) -> bool:
        """Forget held words, if any (the person wrote something else instead)."""
        found = await self._fetch_one("SELECT 1 FROM safety_held WHERE account = ?", (account,))
        if found is None:
            return False
        async with self._transaction() as db:
            await db.execute("DELETE FROM safety_held WHERE account = ?", (account,))
        return True

    async def create_safety_call(
        self,
        person_id: int,
        worker_id: int,
        now: datetime,
        follow_up_at: datetime,
        notice: Callable[[int], OutboxMessage],
    ) -> int:
        """Record a call request and queue the worker's notice, in one transaction."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO safety_calls (person_id, worker_id, requested_at, follow_up_at)"
                " VALUES (?, ?, ?, ?)",
                (person_id, worker_id, to_db(now), to_db(follow_up_at)),
            )
            assert cursor.lastrowid is not None
            await enqueue(db, self._cipher, notice(cursor.lastrowid), now)
            return cursor.lastrowid

    async def get_safety_call(self, call_id: int) -> SafetyCall | None:
        """One call request."""
        row = await self._fetch_one("SELECT * FROM safety_calls WHERE id = ?", (call_id,))
        return None if row is None else _call(row)

    async def acknowledge_safety_call(
        self, call_id: int, how: str, now: datetime, notice: OutboxMessage
    ) -> bool:
        """The worker acted on it; the person is told. False if it was already acknowledged."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE safety_calls SET acknowledged_at = ?, acknowledgement = ?"
                " WHERE id = ? AND acknowledged_at IS NULL",
                (to_db(now), how, call_id),
            )
            if cursor.rowcount != 1:
                return False
            await enqueue(db, self._cipher, notice, now)
        return True

    async def open_safety_calls(self, worker_id: int) -> list[SafetyCall]:
        """Call requests this worker has not acknowledged yet, oldest first."""
        rows = await self._fetch_all(
            "SELECT * FROM safety_calls WHERE worker_id = ? AND acknowledged_at IS NULL"
            " ORDER BY requested_at",
            (worker_id,),
        )
        return [_call(row) for row in rows]

    async def due_safety_follow_ups(self, now: datetime, limit: int = 200) -> list[SafetyCall]:
        """Unacknowledged requests whose person has not been told so yet, and should be."""
        rows = await self._fetch_all(
            "SELECT * FROM safety_calls WHERE acknowledged_at IS NULL AND followed_up_at IS NULL"
            " AND follow_up_at <= ? ORDER BY follow_up_at LIMIT ?",
            (to_db(now), limit),
        )
        return [_call(row) for row in rows]

    async def mark_safety_followed_up(
        self, call_id: int, now: datetime, notice: OutboxMessage
    ) -> bool:
        """Queue the person's follow-up once; False if already done or acknowledged."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE safety_calls SET followed_up_at = ? WHERE id = ?"
                " AND followed_up_at IS NULL AND acknowledged_at IS NULL",
                (to_db(now), call_id),
            )
            if cursor.rowcount != 1:
                return False
            await enqueue(db, self._cipher, notice, now)
        return True
