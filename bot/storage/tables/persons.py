"""Persons: who they are to the bot, their settings, consent and worker."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import cast

from bot.domain import OutboxMessage, Person, ScaleMode
from bot.storage.database import Row, Transaction, from_db, next_id, required, to_db
from bot.storage.tables.erasures import ErasuresTable
from bot.storage.tables.outbox import enqueue
from bot.storage.tables.safety import erase_safety
from bot.storage.tables.workers import INVITATION_PSEUDONYM
from bot.storage.turn_cache import cached_person, keep_person, writes_person

PSEUDONYM = b"persons.pseudonym"


class PersonsTable(ErasuresTable):
    """Queries on `persons`."""

    def _person(self, row: Row) -> Person:
        return Person(
            id=row["id"],
            account=row["account"],
            chat_id=row["chat_id"],
            language=row["language"],
            scale_mode=cast(ScaleMode, row["scale_mode"]),
            current_run_id=row["current_run_id"],
            created_at=required(row["created_at"]),
            worker_id=row["worker_id"],
            pseudonym=self._open_text(row["pseudonym"], PSEUDONYM, (row["id"], row["id"])),
            consented_at=from_db(row["consented_at"]),
            last_seen_at=from_db(row["last_seen_at"]),
            quiet_from=row["quiet_from"],
            quiet_until=row["quiet_until"],
            quiet_sunday=bool(row["quiet_sunday"]),
            paused=bool(row["paused"]),
            strengths_every_weeks=row["strengths_every_weeks"],
            reachable=bool(row["reachable"]),
            quiet_from_minute=row["quiet_from_minute"],
            quiet_until_minute=row["quiet_until_minute"],
        )

    async def person_by_account(self, account: str) -> Person | None:
        """The person with this account, if any (as this lane's batch last read or wrote
        them: bot/storage/turn_cache.py)."""
        kept = cached_person(account)
        if kept is not None:
            return kept
        row = await self._fetch_one("SELECT * FROM persons WHERE account = ?", (account,))
        if row is None:
            return None
        found = self._person(row)
        keep_person(found)
        return found

    async def get_person(self, person_id: int) -> Person | None:
        """A person by id."""
        row = await self._fetch_one("SELECT * FROM persons WHERE id = ?", (person_id,))
        return None if row is None else self._person(row)

    async def get_or_create_person(
        self, account: str, *, chat_id: int | None, language: str, now: datetime
    ) -> Person:
        """Find the person, or create them (terminal trials); refresh chat id and last contact."""
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO persons (id, account, chat_id, language, created_at, last_seen_at)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (account) DO UPDATE SET"
                " chat_id = COALESCE(excluded.chat_id, persons.chat_id),"
                " last_seen_at = excluded.last_seen_at",
                (await next_id(db, "persons"), account, chat_id, language, to_db(now), to_db(now)),
            )
            cursor = await db.execute("SELECT * FROM persons WHERE account = ?", (account,))
            row = await cursor.fetchone()
        assert row is not None
        return self._person(row)

    @writes_person
    async def touch_person(self, person_id: int, chat_id: int | None, now: datetime) -> None:
        """Record a contact (the retention clock counts from the last one)."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE persons SET last_seen_at = ?, chat_id = COALESCE(?, chat_id) WHERE id = ?",
                (to_db(now), chat_id, person_id),
            )

    async def join_person(
        self,
        *,
        invitation_id: int,
        account: str,
        chat_id: int,
        language: str,
        consent_version: str,
        now: datetime,
        notify: OutboxMessage,
    ) -> Person | None:
        """Consent given: claim the invitation, create the person, queue the worker's notice.

        One transaction; None if the invitation was used or expired meanwhile (exactly one wins).
        """
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE invitations SET used_at = ?, used_by = ?"
                " WHERE id = ? AND kind = 'person' AND used_at IS NULL AND expires_at > ?",
                (to_db(now), account, invitation_id, to_db(now)),
            )
            if cursor.rowcount != 1:
                return None
            cursor = await db.execute(
                "SELECT worker_id, pseudonym FROM invitations WHERE id = ?", (invitation_id,)
            )
            invitation = await cursor.fetchone()
            assert invitation is not None
            pseudonym = self._open_text(
                invitation["pseudonym"], INVITATION_PSEUDONYM, (invitation_id, None)
            )
            person_id = await next_id(db, "persons")
            await db.execute(
                "INSERT INTO persons (id, account, chat_id, language, created_at, last_seen_at,"
                " worker_id, pseudonym, consent_version, consented_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    person_id,
                    account,
                    chat_id,
                    language,
                    to_db(now),
                    to_db(now),
                    invitation["worker_id"],
                    self._seal_text(pseudonym, PSEUDONYM, (person_id, person_id)),
                    consent_version,
                    to_db(now),
                ),
            )
            cursor = await db.execute("SELECT * FROM persons WHERE account = ?", (account,))
            row = await cursor.fetchone()
            assert row is not None
            await enqueue(db, self._cipher, replace(notify, about_person=row["id"]), now)
        return self._person(row)

    async def silent_since(self, cutoff: datetime) -> list[Person]:
        """Persons with no contact since `cutoff` (retention)."""
        rows = await self._fetch_all(
            "SELECT * FROM persons WHERE last_seen_at < ? ORDER BY last_seen_at", (to_db(cutoff),)
        )
        return [self._person(row) for row in rows]

    async def contact_span(self) -> tuple[int, datetime | None]:
        """How many persons there are, and the newest last contact among them."""
        row = await self._fetch_one("SELECT COUNT(*), MAX(last_seen_at) FROM persons")
        assert row is not None
        return int(row[0]), from_db(row[1])

    async def persons_of_worker(self, worker_id: int) -> list[Person]:
        """The persons a worker supports, in the order they joined."""
        rows = await self._fetch_all(
            "SELECT * FROM persons WHERE worker_id = ? ORDER BY consented_at, id", (worker_id,)
        )
        return [self._person(row) for row in rows]

    async def all_persons(self) -> list[Person]:
        """Every person (for the admin command line)."""
        rows = await self._fetch_all("SELECT * FROM persons ORDER BY id")
        return [self._person(row) for row in rows]

    async def transfer_person(
        self, person_id: int, worker_id: int, now: datetime, notify: OutboxMessage
    ) -> bool:
        """Link the person to another worker and queue the notice to the person."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE persons SET worker_id = ? WHERE id = ?", (worker_id, person_id)
            )
            if cursor.rowcount != 1:
                return False
            await _move_planned(db, person_id, worker_id)
            await enqueue(db, self._cipher, notify, now)
        return True

    async def erase_person(
        self,
        person_id: int,
        account: str,
        now: datetime,
        goodbye: OutboxMessage | None,
        *,
        reason: str = "person",
    ) -> None:
        """Delete everything about a person in one transaction; queue only a goodbye notice.
        Their opaque token is kept (table and file) so that no restore brings them back."""
        async with self._transaction() as db:
            token = await self._record_erasure(db, person_id, reason, now)
            await db.execute(
                "DELETE FROM outbox WHERE about_person = ?"
                " OR (recipient_kind = 'person' AND recipient_id = ?)",
                (person_id, person_id),
            )
            await db.execute("DELETE FROM pending_inputs WHERE account = ?", (account,))
            await db.execute("DELETE FROM audit WHERE person_id = ?", (person_id,))
            await erase_safety(db, account)
            # Every update of their chat goes, waiting ones too: set-aside ones keep the
            # (encrypted) words, and waiting ones were written by the person being erased
            # (what they send afterwards arrives as new updates, from a stranger).
            await db.execute(
                "DELETE FROM inbox WHERE lane = (SELECT chat_id FROM persons WHERE id = ?)",
                (person_id,),
            )
            await db.execute(
                "UPDATE invitations SET used_by = NULL, pseudonym = NULL WHERE used_by = ?",
                (account,),
            )
            # Runs, summaries and agreements go with the person (ON DELETE CASCADE).
            await db.execute("DELETE FROM persons WHERE id = ?", (person_id,))
            if goodbye is not None:
                await enqueue(db, self._cipher, goodbye, now)
        # Deleted pages are zeroed (secure_delete); fold the WAL back so no old copy lingers.
        await self.fold_wal()
        self._remember_outside(token)

    async def set_rhythm(self, person_id: int, **values: int) -> None:
        """Change the person's rhythm settings (quiet hours, pause, strengths check-ins)."""
        allowed = {
            "quiet_from",
            "quiet_until",
            "quiet_from_minute",
            "quiet_until_minute",
            "quiet_sunday",
            "paused",
            "strengths_every_weeks",
        }
        if not values or not set(values) <= allowed:
            raise ValueError(f"unknown rhythm settings: {sorted(set(values) - allowed)}")
        assignments = ", ".join(f"{name} = ?" for name in values)
        async with self._transaction() as db:
            await db.execute(
                f"UPDATE persons SET {assignments} WHERE id = ?", (*values.values(), person_id)
            )

    @writes_person
    async def set_person_reachable(self, person_id: int, reachable: bool) -> None:
        """Remember whether Telegram lets us write to the person."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE persons SET reachable = ? WHERE id = ?", (int(reachable), person_id)
            )

    async def set_language(self, person_id: int, language: str) -> None:
        """Remember the person's language."""
        async with self._transaction() as db:
            await db.execute("UPDATE persons SET language = ? WHERE id = ?", (language, person_id))

    async def drop_active_run(self, run_id: int) -> bool:
        """Delete a run still in progress; the person's current run goes back to none."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "DELETE FROM dialogue_runs WHERE id = ? AND status = 'active'", (run_id,)
            )
            return cursor.rowcount == 1

    @writes_person
    async def set_current_run(self, person_id: int, run_id: int | None) -> None:
        """Which run free text goes to; None when the person left the dialogue."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE persons SET current_run_id = ? WHERE id = ?", (run_id, person_id)
            )


async def _move_planned(db: Transaction, person_id: int, worker_id: int) -> None:
    """A transferred person's planned appointments, and the daily lists naming them, follow.

    The old worker keeps a daily list only while another of their appointments needs it
    (one list per worker and moment, so a list may stand for several appointments).
    """
    cursor = await db.execute(
        "SELECT r.id, r.worker_id, r.due_at, r.stale_at, r.ref, r.created_at FROM reminders r"
        " JOIN appointments a ON a.id = r.ref AND a.person_id = ? AND a.status = 'planned'"
        " WHERE r.kind = 'digest' AND r.status = 'pending' AND r.worker_id != ?",
        (person_id, worker_id),
    )
    lists = list(await cursor.fetchall())
    await db.execute(
        "UPDATE appointments SET worker_id = ? WHERE person_id = ? AND status = 'planned'",
        (worker_id, person_id),
    )
    for row_id, old_worker, due_at, stale_at, ref, created_at in lists:
        cursor = await db.execute(
            "SELECT 1 FROM reminders WHERE worker_id = ? AND kind = 'digest' AND due_at = ?"
            " AND status = 'pending'",
            (worker_id, due_at),
        )
        if await cursor.fetchone() is None:
            await db.execute(
                "INSERT INTO reminders (person_id, worker_id, kind, ref, due_at, stale_at,"
                " created_at) VALUES (NULL, ?, 'digest', ?, ?, ?, ?)",
                (worker_id, ref, due_at, stale_at, created_at),
            )
        # Another planned appointment of the old worker within two days of this list may
        # share it: keep it then (an empty list says "no appointment", it never names anyone).
        cursor = await db.execute(
            "SELECT at FROM appointments WHERE worker_id = ? AND status = 'planned' AND at > ?",
            (old_worker, due_at),
        )
        moment = required(due_at)
        shared = any(required(at) - moment < timedelta(days=2) for (at,) in await cursor.fetchall())
        if not shared:
            await db.execute("UPDATE reminders SET status = 'dropped' WHERE id = ?", (row_id,))
