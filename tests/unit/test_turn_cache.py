"""The person and their runs kept for one lane's batch (bot/storage/turn_cache.py): a turn
reads nothing it just wrote, what is kept equals what is stored, a write elsewhere is seen,
and nothing outlives the batch. On each backend."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.domain import DialogueRun, Person
from bot.storage.common import TableStorage
from bot.storage.turn_cache import kept_for_turns

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ACCOUNT = "telegram:201"


@contextmanager
def counting_reads(storage: TableStorage) -> Iterator[list[str]]:
    """Every read statement storage runs inside, by its SQL."""
    reads: list[str] = []
    fetch_all, fetch_one = storage._fetch_all, storage._fetch_one

    async def counted_all(sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        reads.append(sql)
        return await fetch_all(sql, params)

    async def counted_one(sql: str, params: tuple[Any, ...] = ()) -> Any:
        reads.append(sql)
        return await fetch_one(sql, params)

    storage._fetch_all = counted_all  # type: ignore[method-assign]
    storage._fetch_one = counted_one  # type: ignore[method-assign]
    try:
        yield reads
    finally:
        del storage._fetch_all, storage._fetch_one


async def _stored(storage: TableStorage, run_id: int) -> tuple[Person, DialogueRun]:
    """What storage holds, read outside any batch."""
    person = await storage.person_by_account(ACCOUNT)
    run = await storage.get_run(run_id)
    assert person is not None and run is not None
    return person, run


async def _person_with_run(storage: TableStorage) -> tuple[Person, DialogueRun]:
    await storage.get_or_create_person(ACCOUNT, chat_id=201, language="fr", now=NOW)
    person = await storage.person_by_account(ACCOUNT)
    assert person is not None
    run = await storage.start_run(person.id, "probleme", 1, {"turn": 1, "answers": {}}, NOW)
    await storage.mark_shown(run.id, 1)
    return await _stored(storage, run.id)


async def test_a_batch_reads_nothing_it_just_wrote_and_keeps_what_is_stored(
    storage: TableStorage,
) -> None:
    _, run = await _person_with_run(storage)
    later = NOW + timedelta(minutes=3)
    with kept_for_turns():
        first = await storage.person_by_account(ACCOUNT)
        loaded = await storage.get_run(run.id)
        assert first is not None and loaded is not None
        with counting_reads(storage) as reads:
            # One turn: the answer saved, the next question shown; then the next turn reads.
            await storage.save_turn(
                loaded,
                {"turn": 2, "answers": {"a": "b"}},
                finished=False,
                scale_mode="emoji",
                now=later,
                update_id=7,
            )
            await storage.mark_shown(run.id, 2)
            person = await storage.person_by_account(ACCOUNT)
            again = await storage.get_run(run.id)
        assert [sql for sql in reads if sql.lstrip().upper().startswith("SELECT")] == []
    assert (person, again) == await _stored(storage, run.id)
    assert again is not None and again.shown_turn == 2 and again.last_update == 7
    assert person is not None and person.scale_mode == "emoji"


async def test_a_finished_run_is_no_longer_the_current_one_in_the_batch_either(
    storage: TableStorage,
) -> None:
    _, run = await _person_with_run(storage)
    with kept_for_turns():
        assert await storage.person_by_account(ACCOUNT) is not None
        await storage.save_turn(
            run, {"turn": 2, "answers": {}}, finished=True, scale_mode=None, now=NOW
        )
        person = await storage.person_by_account(ACCOUNT)
        saved = await storage.get_run(run.id)
    assert person is not None and person.current_run_id is None
    assert (person, saved) == await _stored(storage, run.id)


async def test_any_other_write_is_seen_by_the_batch(storage: TableStorage) -> None:
    person, run = await _person_with_run(storage)
    with kept_for_turns():
        assert await storage.person_by_account(ACCOUNT) is not None
        assert await storage.get_run(run.id) is not None

        # A write the cache knows nothing precise about: everything is read again.
        await storage.set_language(person.id, "en")
        found = await storage.person_by_account(ACCOUNT)
        assert found is not None and found.language == "en"

        # Another lane's batch (another task) saves a turn of this person's run.
        async def elsewhere() -> None:
            with kept_for_turns():
                theirs = await storage.get_run(run.id)
                assert theirs is not None
                await storage.save_turn(
                    theirs, {"turn": 5, "answers": {}}, finished=False, scale_mode=None, now=NOW
                )

        await asyncio.create_task(elsewhere())
        seen = await storage.get_run(run.id)
        assert seen is not None and seen.state["turn"] == 5


async def test_the_inbox_writes_keep_the_batch_and_nothing_outlives_it(
    storage: TableStorage,
) -> None:
    _, run = await _person_with_run(storage)
    with kept_for_turns() as cache:
        await storage.get_run(run.id)
        await storage.beat("inbox-started", NOW)
        with counting_reads(storage) as reads:
            await storage.get_run(run.id)
        assert reads == [] and cache.hits == 1
    with counting_reads(storage) as reads:
        await storage.get_run(run.id)
        await storage.get_run(run.id)
    assert len(reads) >= 2
    assert cache.runs == {} and not cache.open


@pytest.mark.parametrize("scoped", [True, False])
async def test_a_task_started_in_the_batch_reads_storage_once_it_ended(
    storage: TableStorage, scoped: bool
) -> None:
    _, run = await _person_with_run(storage)
    release = asyncio.Event()
    runs: list[DialogueRun | None] = []

    async def late_reader() -> None:
        await release.wait()
        runs.append(await storage.get_run(run.id))

    with kept_for_turns():
        await storage.get_run(run.id)
        task = asyncio.create_task(late_reader())
    if scoped:
        await storage.mark_shown(run.id, 3)
    else:
        await storage.save_turn(
            run, {"turn": 3, "answers": {}}, finished=False, scale_mode=None, now=NOW
        )
    release.set()
    await task
    assert runs == [await storage.get_run(run.id)]
