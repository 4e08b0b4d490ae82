"""The inbox: updates stored before Telegram is told we have them, handled per lane in order.

A lane is one chat (or, for updates without a chat, one user): its updates are handled one
at a time, in `update_id` order, urgent ones (`/urgence`) first. The table is the source of
truth; what the process keeps in memory is only which lanes have work.

With PostgreSQL and webhook replicas, every replica stores what it receives here, and a
replica reads a lane only while it holds that lane's advisory lock (bot/storage/claims.py);
in polling mode only the active replica (bot/storage/leadership.py) reads the inbox.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bot.domain import Arrival, InboxEntry, InboxFigures, InboxStatus
from bot.handling import current_handling
from bot.storage.crypto import DecryptionError
from bot.storage.database import Database, from_db, to_db
from bot.storage.turn_cache import writes_nothing_kept

RAW = b"inbox.raw"
# A handled update: its words are wiped at once (a set-aside one keeps them for inspection).
MARK_PROCESSED = (
    "UPDATE inbox SET status = 'processed', done_at = ?, raw = ?"
    " WHERE update_id = ? AND status IN ('pending', 'refused')"
)


class InboxTable(Database):
    """Queries on `inbox` and `heartbeats`."""

    @writes_nothing_kept
    async def inbox_store(self, arrivals: Sequence[Arrival], now: datetime) -> list[int]:
        """Store updates durably (one transaction); returns the ids that were new.

        An update Telegram sends twice (offset not yet moved, webhook retried) is kept once."""
        fresh: list[int] = []
        if not arrivals:
            return fresh
        async with self._transaction() as db:
            for arrival in arrivals:
                sealed = self._seal_json(arrival.raw, RAW, (arrival.update_id, arrival.lane))
                cursor = await db.execute(
                    "INSERT INTO inbox (update_id, lane, urgent, status, raw, received_at)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (update_id) DO NOTHING",
                    (
                        arrival.update_id,
                        arrival.lane,
                        int(arrival.urgent),
                        "refused" if arrival.refused else "pending",
                        sealed,
                        to_db(now),
                    ),
                )
                if cursor.rowcount == 1:
                    fresh.append(arrival.update_id)
        return fresh

    async def _ride_inbox_mark(self, db: Any) -> Callable[[], None] | None:
        """The writer's rider: the first write made while handling an update also marks that
        update processed, in the same transaction (bot/handling.py). Returns what to note
        once it is committed."""
        handling = current_handling.get()
        if handling is None or not handling.wants_mark():
            return None
        cursor = await db.execute(
            MARK_PROCESSED, (to_db(handling.started_at), b"", handling.update_id)
        )
        gone = cursor.rowcount == 0

        def committed() -> None:
            handling.marked = True
            handling.gone = gone

        return committed

    async def inbox_lanes(
        self, waiting_since: datetime | None = None
    ) -> list[tuple[int, int, bool]]:
        """(lane, waiting updates, any urgent) for lanes with work, oldest first (start-up);
        with `waiting_since`, only lanes whose oldest waiting update arrived before it."""
        having = "" if waiting_since is None else " HAVING MIN(received_at) < ?"
        rows = await self._fetch_all(
            "SELECT lane, COUNT(*) AS waiting, MAX(urgent) AS urgent FROM inbox"
            " WHERE status IN ('pending', 'refused') GROUP BY lane"
            + having
            + " ORDER BY MIN(update_id)",
            () if waiting_since is None else (to_db(waiting_since),),
        )
        return [(int(row["lane"]), int(row["waiting"]), bool(row["urgent"])) for row in rows]

    async def inbox_next(self, lane: int, limit: int = 8) -> list[InboxEntry]:
        """The lane's next waiting updates: urgent first, then in update_id order."""
        rows = await self._fetch_all(
            "SELECT update_id, lane, urgent, status, attempts, raw FROM inbox"
            " WHERE lane = ? AND status IN ('pending', 'refused')"
            " ORDER BY urgent DESC, update_id LIMIT ?",
            (lane, limit),
        )
        entries = []
        for row in rows:
            try:
                raw = self._open_json(row["raw"], RAW, (row["update_id"], row["lane"]))
            except (ValueError, DecryptionError):  # unreadable: the dispatcher sets it aside
                raw = {}
            entries.append(
                InboxEntry(
                    update_id=int(row["update_id"]),
                    lane=int(row["lane"]),
                    urgent=bool(row["urgent"]),
                    status=row["status"],
                    attempts=int(row["attempts"]),
                    raw=raw,
                )
            )
        return entries

    async def inbox_count_crashes(self) -> None:
        """At start-up: the first waiting update of each lane may have been in hand when the
        process died; count that as a try, so an update that kills the bot is set aside."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE inbox SET attempts = attempts + 1 WHERE update_id IN ("
                " SELECT MIN(update_id) FROM inbox WHERE status = 'pending' GROUP BY lane)"
            )

    @writes_nothing_kept
    async def inbox_done(self, done: Sequence[tuple[int, InboxStatus]], now: datetime) -> set[int]:
        """Handled (or set aside), several at once (one commit for many lanes). A handled
        update's words are wiped at once; a set-aside one keeps them for inspection.
        Returns the ids no longer stored: their lane was emptied by an erasure."""
        gone: set[int] = set()
        async with self._transaction() as db:
            for update_id, status in done:
                if status == "set_aside":
                    cursor = await db.execute(
                        "UPDATE inbox SET status = ?, done_at = ?, attempts = attempts + 1"
                        " WHERE update_id = ?",
                        (status, to_db(now), update_id),
                    )
                else:
                    cursor = await db.execute(
                        "UPDATE inbox SET status = ?, done_at = ?, raw = X'' WHERE update_id = ?",
                        (status, to_db(now), update_id),
                    )
                if cursor.rowcount == 0:
                    gone.add(update_id)
        return gone

    async def inbox_stored(self, update_id: int) -> bool:
        """Whether the update is still stored (an erasure deletes its person's updates)."""
        row = await self._fetch_one("SELECT 1 FROM inbox WHERE update_id = ?", (update_id,))
        return row is not None

    async def inbox_waiting(self, lane: int) -> int:
        """How many updates wait in this lane."""
        row = await self._fetch_one(
            "SELECT COUNT(*) FROM inbox WHERE lane = ? AND status IN ('pending', 'refused')",
            (lane,),
        )
        return int(row[0]) if row else 0

    @writes_nothing_kept
    async def inbox_taking(self, update_id: int) -> None:
        """A try counted before handling (replicas sharing lanes): if the process dies in
        hand, the try stays counted, so an update that kills every replica is set aside."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE inbox SET attempts = attempts + 1"
                " WHERE update_id = ? AND status IN ('pending', 'refused')",
                (update_id,),
            )

    async def inbox_failed(
        self, update_id: int, max_attempts: int, now: datetime, counted: bool = False
    ) -> bool:
        """One more failed try (`counted`: already counted by `inbox_taking`); set aside
        (True) once it reaches `max_attempts`."""
        async with self._transaction() as db:
            if not counted:
                await db.execute(
                    "UPDATE inbox SET attempts = attempts + 1 WHERE update_id = ?", (update_id,)
                )
            await db.execute(
                "UPDATE inbox SET status = 'set_aside', done_at = ?"
                " WHERE update_id = ? AND attempts >= ?",
                (to_db(now), update_id, max_attempts),
            )
            cursor = await db.execute("SELECT status FROM inbox WHERE update_id = ?", (update_id,))
            row = await cursor.fetchone()
        return row is not None and row[0] == "set_aside"

    async def inbox_figures(self) -> InboxFigures:
        """Waiting updates, the oldest one's arrival, and how many were set aside."""
        row = await self._fetch_one(
            "SELECT COUNT(*), MIN(received_at) FROM inbox WHERE status IN ('pending', 'refused')"
        )
        aside = await self._fetch_one("SELECT COUNT(*) FROM inbox WHERE status = 'set_aside'")
        return InboxFigures(
            depth=int(row[0]) if row else 0,
            oldest=from_db(row[1]) if row else None,
            set_aside=int(aside[0]) if aside else 0,
        )

    async def inbox_prune(self, handled_before: datetime, set_aside_before: datetime) -> int:
        """Forget handled updates (their ids only) and, later, set-aside ones (their words)."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "DELETE FROM inbox WHERE (status IN ('processed') AND done_at < ?)"
                " OR (status = 'set_aside' AND done_at < ?)",
                (to_db(handled_before), to_db(set_aside_before)),
            )
            return cursor.rowcount

    @writes_nothing_kept
    async def beat(self, name: str, now: datetime) -> None:
        """Record that a loop did its work (also the health check's write probe)."""
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO heartbeats (name, beat_at) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET beat_at = excluded.beat_at",
                (name, to_db(now)),
            )

    async def heartbeats(self) -> dict[str, datetime]:
        """The last beat of every loop."""
        rows = await self._fetch_all("SELECT name, beat_at FROM heartbeats")
        return {row["name"]: datetime.fromisoformat(row["beat_at"]) for row in rows}
