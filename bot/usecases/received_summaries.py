"""The worker's side of summaries: "Bien reçu", the summaries a person sent them, and the
strengths they shared over time.

Apart from the person's side (bot/usecases/summaries.py) because every call here starts from
a worker and passes the access check (bot/usecases/access.py) before reading anything; the
listing is audited, as every worker's look at a person's data is.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol

from bot.domain import Summary, Worker
from bot.engine import Translator
from bot.messages import SummaryAcknowledged
from bot.storage.base import AuditStore, PersonStore, SummaryStore
from bot.usecases.access import NotYours, person_of_worker, worker_owns
from bot.usecases.clock import Clock
from bot.usecases.outbox import OutboxSignal
from bot.usecases.summary_content import Score, view_of
from bot.usecases.summary_delivery import news_to_person

log = logging.getLogger(__name__)


class ReceivedStorage(SummaryStore, PersonStore, AuditStore, Protocol):
    """What the worker's side of summaries reads and writes."""


class ReceivedSummaries:
    """Summaries as the worker they were sent to sees them."""

    def __init__(self, storage: ReceivedStorage, clock: Clock, signal: OutboxSignal) -> None:
        self._storage = storage
        self._clock = clock
        self._signal = signal

    async def acknowledge(self, worker: Worker, summary_id: int) -> bool:
        """ "Bien reçu": the person is told once; a second tap changes nothing."""
        summary = await self._storage.get_summary(summary_id)
        if summary is None:
            raise NotYours
        worker_owns(worker, summary.worker_id)
        done = await self._storage.mark_summary(
            summary_id,
            "acknowledged",
            self._clock.now(),
            news_to_person(summary, SummaryAcknowledged(summary_id, worker=worker.name)),
        )
        if done:
            self._signal.wake()
            log.info("summary_acknowledged", extra={"summary": summary_id})
        return done

    async def of_person(
        self, worker: Worker, person_id: int, *, audit: str | None = "summaries_listed"
    ) -> list[Summary]:
        """The summaries a person sent this worker, newest first (the access is audited)."""
        await person_of_worker(self._storage, worker, person_id)
        if audit is not None:
            await self._storage.record_access(worker.id, person_id, audit, None, self._clock.now())
        return [
            summary
            for summary in await self._storage.sent_summaries(person_id)
            if summary.worker_id == worker.id
        ]

    async def strengths_history(
        self, worker: Worker, person_id: int, tr: Translator
    ) -> tuple[list[Score], datetime | None, datetime | None]:
        """The strengths the person shared, newest against the one before (shared ones only)."""
        shared = []
        for summary in await self.of_person(worker, person_id, audit="strengths_chart"):
            view = view_of(summary)
            if "forces" in view.chosen and view.scores:
                shared.append(view)
        if not shared:
            return [], None, None
        newest = shared[0]
        previous = {s.label: s.now for s in shared[1].scores} if len(shared) > 1 else {}
        scores = [Score(s.label, s.now, previous.get(s.label)) for s in newest.scores]
        before = shared[1].scores_now if len(shared) > 1 else None
        return scores, newest.scores_now, before
