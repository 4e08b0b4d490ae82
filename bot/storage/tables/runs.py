"""Dialogue runs: one per pass through a dialogue; finished ones are the kept versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from bot.domain import DialogueRun, RunStatus, ScaleMode
from bot.handling import current_handling
from bot.storage.database import Database, Row, from_db, next_id, required, to_db
from bot.storage.turn_cache import (
    cached_run,
    keep_run,
    kept_person_of,
    kept_shown,
    kept_turn_saved,
    touching_person,
    touching_run,
)

RUN_STATE = b"dialogue_runs.state"


class RunsTable(Database):
    """Queries on `dialogue_runs`."""

    def _run(self, row: Row) -> DialogueRun:
        state = self._open_json(row["state"], RUN_STATE, (row["id"], row["person_id"]))
        return DialogueRun(
            id=row["id"],
            person_id=row["person_id"],
            dialogue_id=row["dialogue_id"],
            dialogue_version=row["dialogue_version"],
            status=cast(RunStatus, row["status"]),
            state=state,
            started_at=required(row["started_at"]),
            updated_at=required(row["updated_at"]),
            finished_at=from_db(row["finished_at"]),
            shown_turn=row["shown_turn"],
            last_update=row["last_update"],
        )

    def _seal(self, state: dict[str, Any], run_id: int, person_id: int) -> bytes:
        return self._seal_json(state, RUN_STATE, (run_id, person_id))

    async def _fetch_runs(self, sql: str, params: tuple[Any, ...]) -> list[DialogueRun]:
        return [self._run(row) for row in await self._fetch_all(sql, params)]

    async def get_run(self, run_id: int) -> DialogueRun | None:
        """A run by id (as this lane's batch last read or wrote it: bot/storage/turn_cache.py)."""
        kept = cached_run(run_id)
        if kept is not None:
            return kept
        runs = await self._fetch_runs("SELECT * FROM dialogue_runs WHERE id = ?", (run_id,))
        if not runs:
            return None
        keep_run(runs[0])
        return runs[0]

    async def active_run(self, person_id: int, dialogue_id: str) -> DialogueRun | None:
        """The person's run in progress for this dialogue."""
        runs = await self._fetch_runs(
            "SELECT * FROM dialogue_runs WHERE person_id = ? AND dialogue_id = ?"
            " AND status = 'active'",
            (person_id, dialogue_id),
        )
        return runs[0] if runs else None

    async def active_runs(self, person_id: int) -> list[DialogueRun]:
        """All the person's runs in progress."""
        return await self._fetch_runs(
            "SELECT * FROM dialogue_runs WHERE person_id = ? AND status = 'active' ORDER BY id",
            (person_id,),
        )

    async def finished_dialogue_ids(self, person_id: int) -> set[str]:
        """Which dialogues the person finished at least once (no decryption needed)."""
        rows = await self._fetch_all(
            "SELECT DISTINCT dialogue_id FROM dialogue_runs WHERE person_id = ?"
            " AND status = 'finished'",
            (person_id,),
        )
        return {str(row[0]) for row in rows}

    async def finished_runs(self, person_id: int, dialogue_id: str) -> list[DialogueRun]:
        """Kept versions of a dialogue, newest first."""
        return await self._fetch_runs(
            "SELECT * FROM dialogue_runs WHERE person_id = ? AND dialogue_id = ?"
            " AND status = 'finished' ORDER BY finished_at DESC, id DESC",
            (person_id, dialogue_id),
        )

    async def start_run(
        self, person_id: int, dialogue_id: str, version: int, state: dict[str, Any], now: datetime
    ) -> DialogueRun:
        """Create a run in progress and make it the person's current one."""
        with touching_person(person_id):
            run_id = await self._insert_run(person_id, dialogue_id, version, state, now)
        run = DialogueRun(
            id=run_id,
            person_id=person_id,
            dialogue_id=dialogue_id,
            dialogue_version=version,
            status="active",
            state=state,
            started_at=now,
            updated_at=now,
            finished_at=None,
            shown_turn=-1,
        )
        keep_run(run)
        return run

    async def _insert_run(
        self, person_id: int, dialogue_id: str, version: int, state: dict[str, Any], now: datetime
    ) -> int:
        async with self._transaction() as db:
            run_id = await next_id(db, "dialogue_runs")
            sealed = self._seal(state, run_id, person_id)
            await db.execute(
                # shown_turn -1: not even the first question has been seen yet.
                "INSERT INTO dialogue_runs (id, person_id, dialogue_id, dialogue_version, status,"
                " state, started_at, updated_at, shown_turn) VALUES (?, ?, ?, ?, 'active', ?, ?, ?,"
                " -1)",
                (run_id, person_id, dialogue_id, version, sealed, to_db(now), to_db(now)),
            )
            await db.execute(
                "UPDATE persons SET current_run_id = ?, last_seen_at = ? WHERE id = ?",
                (run_id, to_db(now), person_id),
            )
        return run_id

    async def save_turn(
        self,
        run: DialogueRun,
        state: dict[str, Any],
        *,
        finished: bool,
        scale_mode: ScaleMode | None,
        now: datetime,
        update_id: int | None = None,
    ) -> DialogueRun:
        """Store an answer's new state (and a scale-mode change) in one transaction.

        The question just answered is the newest one seen; the next one is seen only once
        `mark_shown` says so. `update_id` (the update filed) makes a repeat recognisable."""
        status: RunStatus = "finished" if finished else "active"
        answered = int(run.state.get("turn", 0))
        person = kept_person_of(run.person_id)
        with touching_person(run.person_id):
            await self._store_turn(run, state, status, answered, scale_mode, now, update_id)
        saved = DialogueRun(
            id=run.id,
            person_id=run.person_id,
            dialogue_id=run.dialogue_id,
            dialogue_version=run.dialogue_version,
            status=status,
            state=state,
            started_at=run.started_at,
            updated_at=now,
            finished_at=now if finished else None,
            shown_turn=answered,
            last_update=update_id if update_id is not None else run.last_update,
        )
        kept_turn_saved(saved, person, now, scale_mode)
        return saved

    async def _store_turn(
        self,
        run: DialogueRun,
        state: dict[str, Any],
        status: RunStatus,
        answered: int,
        scale_mode: ScaleMode | None,
        now: datetime,
        update_id: int | None,
    ) -> None:
        finished = status == "finished"
        async with self._transaction() as db:
            await db.execute(
                "UPDATE dialogue_runs SET state = ?, status = ?, updated_at = ?, finished_at = ?,"
                " shown_turn = ?, last_update = COALESCE(?, last_update) WHERE id = ?",
                (
                    self._seal(state, run.id, run.person_id),
                    status,
                    to_db(now),
                    to_db(now) if finished else None,
                    answered,
                    update_id,
                    run.id,
                ),
            )
            # One statement for the person: contact time, and what the answer changed.
            await db.execute(
                "UPDATE persons SET last_seen_at = ?,"
                " scale_mode = COALESCE(?, scale_mode),"
                " current_run_id = CASE WHEN ? = 1 AND current_run_id = ? THEN NULL"
                " ELSE current_run_id END"
                " WHERE id = ?",
                (to_db(now), scale_mode, int(finished), run.id, run.person_id),
            )

    async def mark_shown(self, run_id: int, turn: int) -> None:
        """The person has now seen the question of `turn` (its message was accepted).

        Not worth an fsync: lost in a power cut, the question is shown again before free text
        is taken as its answer (bot/usecases/dialogues.py `answer`). Unless the update's
        "processed" mark would ride on it (bot/handling.py): that one must reach the disk."""
        kept = cached_run(run_id)
        handling = current_handling.get()
        light = handling is None or not handling.wants_mark()
        with touching_run(run_id):
            transaction = self._light_transaction() if light else self._transaction()
            async with transaction as db:
                await db.execute(
                    "UPDATE dialogue_runs SET shown_turn = ?"
                    " WHERE id = ? AND shown_turn IS NOT NULL AND shown_turn < ?",
                    (turn, run_id, turn),
                )
        if kept is not None:
            kept_shown(kept, turn)
