"""Summaries: drafts the person shapes, then sends through the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from bot.domain import OutboxMessage, Summary, SummaryContent, SummaryStatus
from bot.storage.database import Database, Row, from_db, next_id, required, to_db
from bot.storage.tables.outbox import enqueue, mark_delivered

CONTENT = b"summaries.content"

# Which status may follow which: anything else is a late or repeated event, ignored.
_NEXT = {
    "delivered": ("sent", "failed"),
    "failed": ("sent",),
    "acknowledged": ("sent", "delivered"),
}


class SummariesTable(Database):
    """Queries on `summaries`."""

    def _summary(self, row: Row) -> Summary:
        return Summary(
            id=row["id"],
            person_id=row["person_id"],
            worker_id=row["worker_id"],
            status=cast(SummaryStatus, row["status"]),
            revision=row["revision"],
            # Written only by save_draft, from a SummaryContent: read back as one.
            content=cast(
                SummaryContent,
                self._open_json(row["content"], CONTENT, (row["id"], row["person_id"])),
            ),
            created_at=required(row["created_at"]),
            sent_at=from_db(row["sent_at"]),
            delivered_at=from_db(row["delivered_at"]),
            acknowledged_at=from_db(row["acknowledged_at"]),
        )

    async def get_summary(self, summary_id: int) -> Summary | None:
        """A summary by id."""
        row = await self._fetch_one("SELECT * FROM summaries WHERE id = ?", (summary_id,))
        return None if row is None else self._summary(row)

    async def draft_of(self, person_id: int) -> Summary | None:
        """The person's summary being prepared, if any."""
        row = await self._fetch_one(
            "SELECT * FROM summaries WHERE person_id = ? AND status = 'draft'", (person_id,)
        )
        return None if row is None else self._summary(row)

    async def save_draft(
        self, person_id: int, worker_id: int | None, content: SummaryContent, now: datetime
    ) -> Summary:
        """Create the person's draft, or replace its content (a new revision)."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "SELECT id FROM summaries WHERE person_id = ? AND status = 'draft'", (person_id,)
            )
            draft = await cursor.fetchone()
            summary_id = draft[0] if draft is not None else await next_id(db, "summaries")
            sealed = self._seal_json(content, CONTENT, (summary_id, person_id))
            if draft is not None:
                await db.execute(
                    "UPDATE summaries SET content = ?, revision = revision + 1, worker_id = ?"
                    " WHERE id = ?",
                    (sealed, worker_id, summary_id),
                )
            else:
                await db.execute(
                    "INSERT INTO summaries (id, person_id, worker_id, status, content, created_at)"
                    " VALUES (?, ?, ?, 'draft', ?, ?)",
                    (summary_id, person_id, worker_id, sealed, to_db(now)),
                )
            cursor = await db.execute(
                "SELECT * FROM summaries WHERE person_id = ? AND status = 'draft'", (person_id,)
            )
            row = await cursor.fetchone()
        assert row is not None
        return self._summary(row)

    async def send_summary(
        self, summary_id: int, revision: int, now: datetime, deliver: OutboxMessage
    ) -> bool:
        """Approve the draft exactly as previewed and queue its delivery, in one transaction.

        False if it is no longer that draft (sent already, or changed since the preview).
        """
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE summaries SET status = 'sent', sent_at = ?"
                " WHERE id = ? AND status = 'draft' AND revision = ?",
                (to_db(now), summary_id, revision),
            )
            if cursor.rowcount != 1:
                return False
            await enqueue(db, self._cipher, deliver, now)
        return True

    async def mark_summary(
        self,
        summary_id: int,
        status: SummaryStatus,
        now: datetime,
        notify: OutboxMessage | None = None,
        delivered_item: int | None = None,
    ) -> bool:
        """Move a sent summary on (delivered, failed, acknowledged); False if already past it.

        `delivered_item`: the outbox row that carried it, marked delivered in this transaction."""
        allowed = _NEXT[status]
        column = {"delivered": "delivered_at", "acknowledged": "acknowledged_at"}.get(status)
        moment = f", {column} = ?" if column else ""
        params: tuple[Any, ...] = (status, to_db(now)) if column else (status,)
        async with self._transaction() as db:
            if delivered_item is not None:
                await mark_delivered(db, delivered_item, now)
            cursor = await db.execute(
                f"UPDATE summaries SET status = ?{moment}"
                f" WHERE id = ? AND status IN ({', '.join('?' * len(allowed))})",
                (*params, summary_id, *allowed),
            )
            if cursor.rowcount != 1:
                return False
            if notify is not None:
                await enqueue(db, self._cipher, notify, now)
            if status == "delivered":
                # The worker now holds the shared summary: recorded with the delivery itself.
                await db.execute(
                    "INSERT INTO audit (worker_id, person_id, action, ref, at)"
                    " SELECT worker_id, person_id, 'summary_delivered', id, ? FROM summaries"
                    " WHERE id = ? AND worker_id IS NOT NULL",
                    (to_db(now), summary_id),
                )
        return True

    async def sent_summaries(self, person_id: int) -> list[Summary]:
        """Summaries the person sent, newest first."""
        rows = await self._fetch_all(
            "SELECT * FROM summaries WHERE person_id = ? AND status != 'draft'"
            " ORDER BY sent_at DESC, id DESC",
            (person_id,),
        )
        return [self._summary(row) for row in rows]
