"""Retention: persons silent for longer than the retention period are erased, nobody else."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.storage.common import TableStorage
from bot.usecases.outbox import OutboxSignal
from bot.usecases.rights import Rights

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


class FixedClock:
    def now(self) -> datetime:
        return NOW


async def test_only_persons_silent_past_the_retention_period_are_erased(
    storage: TableStorage,
) -> None:
    old = await storage.get_or_create_person(
        "telegram:1", chat_id=1, language="fr", now=NOW - timedelta(days=731)
    )
    await storage.start_run(
        old.id, "probleme", 1, {"answers": {"x": "mots"}}, NOW - timedelta(days=731)
    )
    recent = await storage.get_or_create_person(
        "telegram:2", chat_id=2, language="fr", now=NOW - timedelta(days=729)
    )
    await storage.get_or_create_person("telegram:3", chat_id=3, language="fr", now=NOW)
    rights = Rights(storage, {}, FixedClock(), OutboxSignal())
    assert [p.id for p in await rights.expired(730)] == [old.id]
    assert await rights.purge(730) == 1
    assert await storage.person_by_account("telegram:1") is None
    assert await storage.active_runs(old.id) == []
    assert await storage.person_by_account("telegram:2") is not None
    assert recent.id != old.id
    # A shorter period, configured by the service, reaches the other one too.
    assert await rights.purge(30) == 1


class MovableClock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


async def _persons_seen(storage: TableStorage, *ages_in_days: int) -> None:
    for index, age in enumerate(ages_in_days):
        await storage.get_or_create_person(
            f"telegram:{index}", chat_id=index, language="fr", now=NOW - timedelta(days=age)
        )


async def test_a_clock_three_years_ahead_erases_nobody(storage: TableStorage) -> None:
    """The audit: a clock 3 years ahead at start-up erased every person."""
    await _persons_seen(storage, 0, 1, 10, 100)
    ahead = MovableClock(NOW + timedelta(days=3 * 365))
    rights = Rights(storage, {}, ahead, OutboxSignal())
    assert len(await rights.expired(730)) == 4
    assert await rights.purge(730) == 0
    assert len(await storage.all_persons()) == 4


async def test_a_clock_behind_the_newest_contact_erases_nobody(storage: TableStorage) -> None:
    await _persons_seen(storage, 0, 800, 900)
    behind = MovableClock(NOW - timedelta(days=1))
    rights = Rights(storage, {}, behind, OutboxSignal())
    assert len(await rights.expired(730)) == 2
    assert await rights.purge(730, max_percent=100) == 0
    assert len(await storage.all_persons()) == 3


async def test_a_purge_larger_than_the_set_share_erases_nobody(storage: TableStorage) -> None:
    await _persons_seen(storage, 0, 1, 2, 800, 900)
    rights = Rights(storage, {}, FixedClock(), OutboxSignal())
    # 2 of 5 is 40 %: above a 25 % cap, within a 40 % one.
    assert await rights.purge(730, max_percent=25) == 0
    assert len(await storage.all_persons()) == 5
    assert await rights.purge(730, max_percent=40) == 2
    assert len(await storage.all_persons()) == 3


async def test_the_purge_job_waits_before_its_first_round() -> None:
    """Never at start-up: the first round comes from the repeating job, an hour later."""
    from bot.jobs import PURGE_FIRST_DELAY, Repeating

    rounds: list[int] = []

    async def work() -> None:
        rounds.append(1)

    job = Repeating("daily-purge", 24 * 3600.0, work, first_delay=PURGE_FIRST_DELAY)
    job.start()
    for _ in range(20):
        await asyncio.sleep(0)
    await job.stop()
    assert rounds == []
    assert PURGE_FIRST_DELAY >= 3600
