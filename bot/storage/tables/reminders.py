"""Appointments and reminders (rows scanned over one index); check-ins are in checkins.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.domain import Appointment, OutboxMessage, Reminder, ReminderDraft
from bot.messages import AppointmentSet
from bot.storage.database import Database, Row, Transaction, from_db, next_id, required, to_db
from bot.storage.tables.outbox import enqueue, replace_waiting


async def _insert_reminders(
    db: Transaction, drafts: Sequence[ReminderDraft], now: datetime
) -> None:
    for draft in drafts:
        if draft.person_id is None:
            # One daily list per worker and moment, however many appointments it holds.
            cursor = await db.execute(
                "SELECT 1 FROM reminders WHERE worker_id = ? AND kind = ? AND due_at = ?"
                " AND status = 'pending'",
                (draft.worker_id, draft.kind, to_db(draft.due_at)),
            )
            if await cursor.fetchone():
                continue
        await db.execute(
            "INSERT INTO reminders"
            " (id, person_id, worker_id, kind, ref, due_at, stale_at, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                await next_id(db, "reminders"),
                draft.person_id,
                draft.worker_id,
                draft.kind,
                draft.ref,
                to_db(draft.due_at),
                to_db(draft.stale_at) if draft.stale_at else None,
                to_db(now),
            ),
        )


class RemindersTable(Database):
    """Queries on `appointments` and `reminders`."""

    def _appointment(self, row: Row) -> Appointment:
        return Appointment(
            id=row["id"],
            person_id=row["person_id"],
            worker_id=row["worker_id"],
            at=required(row["at"]),
            status=row["status"],
            answer=row["answer"],
            proposed_at=from_db(row["proposed_at"]),
        )

    def _reminder(self, row: Row) -> Reminder:
        return Reminder(
            id=row["id"],
            kind=row["kind"],
            due_at=required(row["due_at"]),
            person_id=row["person_id"],
            worker_id=row["worker_id"],
            ref=row["ref"],
            stale_at=from_db(row["stale_at"]),
            status=row["status"],
        )

    async def save_appointment(
        self,
        *,
        person_id: int,
        worker_id: int,
        at: datetime,
        now: datetime,
        reminders: Sequence[ReminderDraft],
        notify: OutboxMessage,
    ) -> Appointment:
        """The next appointment, replacing a planned one, with its reminders, in one go."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "SELECT id, at FROM appointments WHERE person_id = ? AND status = 'planned'",
                (person_id,),
            )
            replaces: datetime | None = None
            for old_id, old_at in await cursor.fetchall():
                await db.execute(
                    "UPDATE appointments SET status = 'cancelled', updated_at = ? WHERE id = ?",
                    (to_db(now), old_id),
                )
                await db.execute(
                    "UPDATE reminders SET status = 'dropped' WHERE ref = ? AND status = 'pending'"
                    " AND kind IN ('prepare', 'appointment', 'checkin', 'digest')",
                    (old_id,),
                )
                # The old news, if still waiting, never goes: the new message says it all.
                # If it went, the new message says which appointment it replaces.
                waiting = await db.execute(
                    "UPDATE outbox SET failed_at = ?, failure = 'superseded'"
                    " WHERE dedupe_key = ? AND delivered_at IS NULL AND failed_at IS NULL",
                    (to_db(now), f"{notify.dedupe_key}:{old_id}"),
                )
                if waiting.rowcount == 0 and old_at > to_db(now):
                    replaces = required(old_at)
            appointment_id = await next_id(db, "appointments")
            await db.execute(
                "INSERT INTO appointments"
                " (id, person_id, worker_id, at, status, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, 'planned', ?, ?)",
                (appointment_id, person_id, worker_id, to_db(at), to_db(now), to_db(now)),
            )
            drafts = [
                ReminderDraft(
                    d.kind, d.due_at, d.person_id, d.worker_id, appointment_id, d.stale_at
                )
                for d in reminders
            ]
            await _insert_reminders(db, drafts, now)
            body = notify.body
            assert isinstance(body, AppointmentSet)
            message = OutboxMessage(
                f"{notify.dedupe_key}:{appointment_id}",
                notify.recipient_kind,
                notify.recipient_id,
                replace(body, appointment_id=appointment_id, replaces=replaces),
                about_person=person_id,
                not_before=notify.not_before,
            )
            await enqueue(db, self._cipher, message, now)
            cursor = await db.execute("SELECT * FROM appointments WHERE id = ?", (appointment_id,))
            row = await cursor.fetchone()
        assert row is not None
        return self._appointment(row)

    async def cancel_appointment(
        self, appointment_id: int, now: datetime, notify: OutboxMessage
    ) -> bool:
        """Cancel a planned appointment and everything scheduled around it."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE appointments SET status = 'cancelled', updated_at = ?"
                " WHERE id = ? AND status = 'planned'",
                (to_db(now), appointment_id),
            )
            if cursor.rowcount != 1:
                return False
            await db.execute(
                "UPDATE reminders SET status = 'dropped' WHERE ref = ? AND status = 'pending'",
                (appointment_id,),
            )
            # News of it still waiting for the person's allowed hours never goes; then there
            # is nothing to cancel in their eyes, and no notice either.
            unsent = await db.execute(
                "UPDATE outbox SET failed_at = ?, failure = 'superseded'"
                " WHERE dedupe_key = ? AND delivered_at IS NULL AND failed_at IS NULL"
                " AND parts_sent = 0",
                (to_db(now), f"appointment:{appointment_id}"),
            )
            if unsent.rowcount == 0:
                await enqueue(db, self._cipher, notify, now)
        return True

    async def get_appointment(self, appointment_id: int) -> Appointment | None:
        """An appointment by id."""
        row = await self._fetch_one("SELECT * FROM appointments WHERE id = ?", (appointment_id,))
        return None if row is None else self._appointment(row)

    async def next_appointment(self, person_id: int, now: datetime) -> Appointment | None:
        """The person's next planned appointment, if any."""
        row = await self._fetch_one(
            "SELECT * FROM appointments WHERE person_id = ? AND status = 'planned' AND at > ?"
            " ORDER BY at LIMIT 1",
            (person_id, to_db(now)),
        )
        return None if row is None else self._appointment(row)

    async def appointments_between(
        self, worker_id: int, start: datetime, end: datetime
    ) -> list[Appointment]:
        """A worker's planned appointments in [start, end), by time."""
        rows = await self._fetch_all(
            "SELECT * FROM appointments WHERE worker_id = ? AND status = 'planned'"
            " AND at >= ? AND at < ? ORDER BY at",
            (worker_id, to_db(start), to_db(end)),
        )
        return [self._appointment(row) for row in rows]

    async def answer_appointment(
        self, appointment_id: int, answer: str, now: datetime, notify: OutboxMessage
    ) -> bool:
        """The person said 'noted' or 'cannot'; the worker is told. False if already answered."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE appointments SET answer = ?, updated_at = ?"
                " WHERE id = ? AND status = 'planned' AND answer IS NULL",
                (answer, to_db(now), appointment_id),
            )
            if cursor.rowcount != 1:
                return False
            await enqueue(db, self._cipher, notify, now)
        return True

    async def appointment_details(
        self,
        appointment_id: int,
        proposed_at: datetime | None,
        notify: OutboxMessage,
        now: datetime,
    ) -> None:
        """The person's reason and proposal after "cannot": the worker's notice, if still
        waiting, now carries them; if it already went, they follow in a second one."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE appointments SET proposed_at = ?, updated_at = ? WHERE id = ?",
                (to_db(proposed_at) if proposed_at else None, to_db(now), appointment_id),
            )
            if not await replace_waiting(db, self._cipher, notify, now):
                details = OutboxMessage(
                    f"{notify.dedupe_key}:details",
                    notify.recipient_kind,
                    notify.recipient_id,
                    notify.body,
                    about_person=notify.about_person,
                )
                await enqueue(db, self._cipher, details, now)

    async def add_reminders(self, drafts: Sequence[ReminderDraft], now: datetime) -> None:
        """Schedule reminders."""
        async with self._transaction() as db:
            await _insert_reminders(db, drafts, now)

    async def drop_reminders(self, person_id: int, kinds: Sequence[str]) -> None:
        """Drop a person's pending reminders of these kinds (a new first step replaces old)."""
        marks = ", ".join("?" * len(kinds))
        async with self._transaction() as db:
            await db.execute(
                f"UPDATE reminders SET status = 'dropped' WHERE person_id = ?"
                f" AND status = 'pending' AND kind IN ({marks})",
                (person_id, *kinds),
            )

    async def agreed_without_checkin(self, since: datetime) -> list[tuple[int, int, datetime]]:
        """Agreements accepted since `since` that have no check-in scheduled yet:
        (agreement id, person id, accepted at)."""
        rows = await self._fetch_all(
            "SELECT a.id, a.person_id, a.answered_at FROM agreements AS a"
            " WHERE a.status = 'accepted' AND a.answered_at > ? AND NOT EXISTS"
            " (SELECT 1 FROM reminders AS r WHERE r.person_id = a.person_id"
            " AND r.kind = 'checkin_step' AND r.ref = a.id)",
            (to_db(since),),
        )
        return [(row[0], row[1], required(row[2])) for row in rows]

    async def due_reminders(self, now: datetime, limit: int = 200) -> list[Reminder]:
        """Pending reminders due by `now`, oldest first (over the partial index)."""
        rows = await self._fetch_all(
            "SELECT * FROM reminders WHERE status = 'pending' AND due_at <= ?"
            " ORDER BY due_at LIMIT ?",
            (to_db(now), limit),
        )
        return [self._reminder(row) for row in rows]

    async def reminders_of(self, person_id: int, since: datetime) -> list[Reminder]:
        """A person's reminders due since a moment, whatever their status, by time."""
        rows = await self._fetch_all(
            "SELECT * FROM reminders WHERE person_id = ? AND due_at >= ? ORDER BY due_at, id",
            (person_id, to_db(since)),
        )
        return [self._reminder(row) for row in rows]

    async def pending_reminders(self, person_id: int) -> list[Reminder]:
        """A person's pending reminders, by time."""
        rows = await self._fetch_all(
            "SELECT * FROM reminders WHERE person_id = ? AND status = 'pending' ORDER BY due_at",
            (person_id,),
        )
        return [self._reminder(row) for row in rows]

    async def get_reminder(self, reminder_id: int) -> Reminder | None:
        """A reminder by id."""
        row = await self._fetch_one("SELECT * FROM reminders WHERE id = ?", (reminder_id,))
        return None if row is None else self._reminder(row)

    async def postpone_reminder(self, reminder_id: int, due_at: datetime) -> None:
        """Move a reminder that fell in quiet hours to the next allowed moment."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE reminders SET due_at = ? WHERE id = ? AND status = 'pending'",
                (to_db(due_at), reminder_id),
            )

    async def drop_reminder(self, reminder_id: int) -> None:
        """Give up a reminder (stale, paused, recipient gone)."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE reminders SET status = 'dropped' WHERE id = ? AND status = 'pending'",
                (reminder_id,),
            )

    async def claim_reminder(
        self,
        reminder_id: int,
        now: datetime,
        message: OutboxMessage,
        follow_up: ReminderDraft | None = None,
    ) -> bool:
        """Mark it sent and queue its message in one transaction: never lost, never twice."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE reminders SET status = 'sent', sent_at = ?"
                " WHERE id = ? AND status = 'pending'",
                (to_db(now), reminder_id),
            )
            if cursor.rowcount != 1:
                return False
            await enqueue(db, self._cipher, message, now)
            if follow_up is not None:
                await _insert_reminders(db, [follow_up], now)
        return True
