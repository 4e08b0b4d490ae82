"""Préparer mon rendez-vous, the person's side: a draft from their latest answers, the parts
and topics they choose, and the send of exactly what they previewed.

The summary's other jobs live beside it, each in its own module: what the content reads as
(summary_content.py), how a draft is gathered (summary_assembly.py), the courier's delivery
(summary_delivery.py) and the worker's side (received_summaries.py). `Summaries` builds the
last two so that the transports reach them as `summaries.delivery` and `summaries.received`.
"""

from __future__ import annotations

import logging
from typing import Literal, Protocol

from bot.domain import OutboxMessage, Person, VoiceNote
from bot.engine import Dialogue, Translator
from bot.messages import SummaryToWorker
from bot.storage.base import WorkerStore
from bot.usecases.clock import Clock
from bot.usecases.outbox import OutboxSignal
from bot.usecases.received_summaries import ReceivedStorage, ReceivedSummaries
from bot.usecases.summary_assembly import AssemblyStorage, SummaryAssembly
from bot.usecases.summary_content import TOPICS, SummaryView, view_of
from bot.usecases.summary_delivery import DeliveryStorage, SummaryDelivery


class SummariesStorage(AssemblyStorage, DeliveryStorage, ReceivedStorage, WorkerStore, Protocol):
    """What summaries read and write."""


log = logging.getLogger(__name__)

TOPICS_MAX = 4096

SendResult = Literal["sent", "already_sent", "changed", "nothing_chosen", "no_worker"]


class NothingToSummarise(Exception):
    """The person has finished no dialogue yet."""


class Summaries:
    """Summary use cases; the person decides what goes, and nothing goes without their tap."""

    def __init__(
        self,
        storage: SummariesStorage,
        dialogues: dict[str, Dialogue],
        clock: Clock,
        signal: OutboxSignal,
    ) -> None:
        self._storage = storage
        self._assembly = SummaryAssembly(storage, dialogues)
        self._clock = clock
        self._signal = signal
        # Called by the outbox courier.
        self.delivery = SummaryDelivery(storage, clock, signal)
        # Called by the worker the summaries were sent to.
        self.received = ReceivedSummaries(storage, clock, signal)

    async def prepare(self, person: Person, tr: Translator) -> SummaryView:
        """The person's draft, assembled from their latest answers (kept choices and topics)."""
        content = await self._assembly.content(person, tr)
        if content is None:
            raise NothingToSummarise
        draft = await self._storage.draft_of(person.id)
        updated = False
        if draft is not None:
            old = draft.content
            updated = old.get("sources") != content["sources"]
            included = {s["key"]: s["included"] for s in old["sections"]}
            for section in content["sections"]:
                section["included"] = included.get(section["key"], True)
            for key in ("topics", "topics_included", "topics_asked"):
                if key in old:
                    content[key] = old[key]
            if not updated and old == content:
                return view_of(draft)
        summary = await self._storage.save_draft(
            person.id, person.worker_id, content, self._clock.now()
        )
        return view_of(summary, updated=updated and draft is not None)

    async def set_topics(self, person: Person, words: str | VoiceNote | None) -> SummaryView | None:
        """What the person wants to talk about (text, a voice note, or None to skip)."""
        draft = await self._storage.draft_of(person.id)
        if draft is None:
            return None
        content = draft.content.copy()
        if isinstance(words, VoiceNote):
            content["topics"] = words.to_json()
        else:
            content["topics"] = (words or "").strip()[:TOPICS_MAX] or None
        content["topics_included"] = True
        content["topics_asked"] = True
        summary = await self._storage.save_draft(
            person.id, person.worker_id, content, self._clock.now()
        )
        return view_of(summary)

    async def toggle(
        self, person: Person, summary_id: int, revision: int, part: str
    ) -> SummaryView | None:
        """Leave a part out, or put it back; None if that preview is no longer current."""
        draft = await self._storage.draft_of(person.id)
        if draft is None or draft.id != summary_id or draft.revision != revision:
            return None
        content = draft.content.copy()
        if part == TOPICS:
            content["topics_included"] = not content.get("topics_included", True)
        else:
            sections = [s.copy() for s in content["sections"]]
            if not any(s["key"] == part for s in sections):
                return None
            for section in sections:
                if section["key"] == part:
                    section["included"] = not section["included"]
            content["sections"] = sections
        summary = await self._storage.save_draft(
            person.id, person.worker_id, content, self._clock.now()
        )
        return view_of(summary)

    async def worker_name(self, person: Person) -> str | None:
        """The name of the person's worker, as the summary addresses them."""
        if person.worker_id is None:
            return None
        worker = await self._storage.get_worker(person.worker_id)
        return None if worker is None else worker.name

    async def current(self, person: Person) -> SummaryView | None:
        """The person's draft as it stands."""
        draft = await self._storage.draft_of(person.id)
        return None if draft is None else view_of(draft)

    async def send(self, person: Person, summary_id: int, revision: int) -> SendResult:
        """Send exactly the previewed revision; a double tap or a stale preview sends nothing."""
        summary = await self._storage.get_summary(summary_id)
        if summary is None or summary.person_id != person.id:
            return "changed"
        if summary.status != "draft":
            return "already_sent"
        if summary.revision != revision:
            return "changed"
        if summary.content.get("sources") != await self._assembly.sources(person):
            # Answers changed since this preview: never send words the person replaced.
            return "changed"
        if not view_of(summary).chosen:
            return "nothing_chosen"
        worker = (
            None if person.worker_id is None else await self._storage.get_worker(person.worker_id)
        )
        if worker is None or not worker.active:
            return "no_worker"
        deliver = OutboxMessage(
            dedupe_key=f"summary:{summary_id}",
            recipient_kind="worker",
            recipient_id=worker.id,
            body=SummaryToWorker(summary_id),
            about_person=person.id,
        )
        if not await self._storage.send_summary(summary_id, revision, self._clock.now(), deliver):
            return "already_sent"
        self._signal.wake()
        log.info("summary_sent", extra={"summary": summary_id, "person": person.id})
        return "sent"
