"""Agreements: what worker and person agreed, round after round, every version kept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from bot.domain import (
    Agreement,
    AgreementAuthor,
    AgreementStatus,
    AgreementStep,
    OutboxMessage,
    StepChange,
)
from bot.messages import AgreementAmended, AgreementProposed
from bot.storage.database import Database, Row, from_db, next_id, required, to_db
from bot.storage.tables.outbox import enqueue

PROBLEM = b"agreements.problem"
STEPS = b"agreements.steps"
CHANGE = b"agreements.change"
STEPS_AS_LIST = 2


def _step(value: Any) -> AgreementStep:
    data = value if isinstance(value, dict) else {}
    return AgreementStep(
        str(data.get("what", "")), str(data.get("who", "")), str(data.get("when", ""))
    )


def _change(value: Any) -> StepChange | None:
    if not isinstance(value, dict) or value.get("operation") not in ("change", "remove", "add"):
        return None
    aspect = value.get("aspect")
    return StepChange(
        operation=value["operation"],
        index=int(value.get("index", 0)),
        aspect=aspect if aspect in ("what", "who", "when") else None,
        before=str(value.get("before", "")),
        after=str(value.get("after", "")),
    )


class AgreementsTable(Database):
    """Queries on `agreements`."""

    def _steps(self, row: Row) -> tuple[AgreementStep, ...]:
        if row["steps_format"] == STEPS_AS_LIST:
            opened = self._open_json(row["steps"], STEPS, (row["id"], row["person_id"]))
            return tuple(_step(item) for item in opened)
        # A round from before steps had parts: its one text is one step.
        text = self._open_text(row["steps"], STEPS, (row["id"], row["person_id"])) or ""
        return (AgreementStep(text),) if text else ()

    def _agreement(self, row: Row) -> Agreement:
        owner = (row["id"], row["person_id"])
        change = None if row["change"] is None else self._open_json(row["change"], CHANGE, owner)
        return Agreement(
            id=row["id"],
            person_id=row["person_id"],
            worker_id=row["worker_id"],
            thread_id=row["thread_id"],
            round=row["round"],
            author=cast(AgreementAuthor, row["author"]),
            problem=self._open_text(row["problem"], PROBLEM, (row["id"], row["person_id"])) or "",
            steps=self._steps(row),
            status=cast(AgreementStatus, row["status"]),
            created_at=required(row["created_at"]),
            answered_at=from_db(row["answered_at"]),
            change=_change(change),
        )

    async def get_agreement(self, agreement_id: int) -> Agreement | None:
        """An agreement round by id."""
        row = await self._fetch_one("SELECT * FROM agreements WHERE id = ?", (agreement_id,))
        return None if row is None else self._agreement(row)

    async def propose_agreement(
        self,
        *,
        person_id: int,
        worker_id: int,
        thread_id: int | None,
        author: AgreementAuthor,
        problem: str,
        steps: Sequence[AgreementStep],
        change: StepChange | None,
        now: datetime,
        notify: OutboxMessage,
    ) -> Agreement:
        """A new round (a new thread when thread_id is None); earlier open rounds are superseded."""
        async with self._transaction() as db:
            round_number = 1
            if thread_id is not None:
                cursor = await db.execute(
                    "SELECT MAX(round) FROM agreements WHERE thread_id = ?", (thread_id,)
                )
                row = await cursor.fetchone()
                round_number = int(row[0] or 0) + 1 if row else 1
                await db.execute(
                    "UPDATE agreements SET status = 'superseded', answered_at = ?"
                    " WHERE thread_id = ? AND status = 'proposed'",
                    (to_db(now), thread_id),
                )
            agreement_id = await next_id(db, "agreements")
            cursor = await db.execute(
                "INSERT INTO agreements (id, person_id, worker_id, thread_id, round, author,"
                " problem, steps, steps_format, change, status, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'proposed', ?)",
                (
                    agreement_id,
                    person_id,
                    worker_id,
                    thread_id,
                    round_number,
                    author,
                    self._seal_text(problem, PROBLEM, (agreement_id, person_id)),
                    self._seal_json(
                        [vars(step) for step in steps], STEPS, (agreement_id, person_id)
                    ),
                    STEPS_AS_LIST,
                    None
                    if change is None
                    else self._seal_json(vars(change), CHANGE, (agreement_id, person_id)),
                    to_db(now),
                ),
            )
            if thread_id is None:
                await db.execute(
                    "UPDATE agreements SET thread_id = id WHERE id = ?", (agreement_id,)
                )
            body = notify.body
            assert isinstance(body, AgreementProposed | AgreementAmended)
            await enqueue(
                db,
                self._cipher,
                OutboxMessage(
                    f"{notify.dedupe_key}:{agreement_id}",
                    notify.recipient_kind,
                    notify.recipient_id,
                    replace(body, agreement_id=agreement_id),
                    about_person=person_id,
                ),
                now,
            )
            cursor = await db.execute("SELECT * FROM agreements WHERE id = ?", (agreement_id,))
            created = await cursor.fetchone()
        assert created is not None
        return self._agreement(created)

    async def accept_agreement(
        self, agreement_id: int, now: datetime, notify: OutboxMessage
    ) -> bool:
        """Accept an open round; False if it was already answered or superseded."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE agreements SET status = 'accepted', answered_at = ?"
                " WHERE id = ? AND status = 'proposed'",
                (to_db(now), agreement_id),
            )
            if cursor.rowcount != 1:
                return False
            await enqueue(db, self._cipher, notify, now)
        return True

    async def agreements_of(self, person_id: int) -> list[Agreement]:
        """Every round for a person, oldest first."""
        rows = await self._fetch_all(
            "SELECT * FROM agreements WHERE person_id = ? ORDER BY id", (person_id,)
        )
        return [self._agreement(row) for row in rows]
