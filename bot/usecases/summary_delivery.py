"""A sent summary on its way to the worker: what the courier renders (only the parts the
person chose), and what the person is told once Telegram took it, or could not.

Apart from the person's side (bot/usecases/summaries.py) because the outbox courier calls it,
not the person: it runs after the send, from the summary id alone.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from bot.domain import OutboxMessage, Person, Summary
from bot.messages import SummaryAcknowledged, SummaryDelivered, SummaryFailed
from bot.storage.base import OutboxStore, PersonStore, SummaryStore
from bot.usecases.clock import Clock
from bot.usecases.outbox import OutboxSignal
from bot.usecases.summary_content import TOPICS, SummaryView, view_of


class DeliveryStorage(SummaryStore, PersonStore, OutboxStore, Protocol):
    """What delivering a summary reads and writes."""


def news_to_person(
    summary: Summary, body: SummaryDelivered | SummaryAcknowledged | SummaryFailed
) -> OutboxMessage:
    """The person's news about their summary (delivered, acknowledged, failed), sent once."""
    return OutboxMessage(
        dedupe_key=f"{body.kind}:{summary.id}",
        recipient_kind="person",
        recipient_id=summary.person_id,
        body=body,
        about_person=summary.person_id,
    )


class SummaryDelivery:
    """The courier's side of a summary."""

    def __init__(self, storage: DeliveryStorage, clock: Clock, signal: OutboxSignal) -> None:
        self._storage = storage
        self._clock = clock
        self._signal = signal

    async def for_delivery(self, summary_id: int) -> tuple[SummaryView, Person | None]:
        """What the worker receives: only the parts the person chose."""
        summary = await self._storage.get_summary(summary_id)
        if summary is None:
            raise LookupError(summary_id)
        view = view_of(summary)
        chosen = set(view.chosen)
        kept = [s for s in view.sections if s.key in chosen]
        scores = view.scores if "forces" in chosen else []
        topics = view.topics if TOPICS in chosen else None
        shown = replace(
            view,
            sections=kept,
            topics=topics,
            topics_included=TOPICS in chosen,
            scores=scores,
            updated=False,
        )
        return shown, await self._storage.get_person(summary.person_id)

    async def delivered(
        self, summary_id: int, worker_name: str, outbox_item: int | None = None
    ) -> None:
        """Telegram took it: tell the person (and close its outbox row, same transaction)."""
        summary = await self._storage.get_summary(summary_id)
        if summary is None:
            if outbox_item is not None:
                await self._storage.outbox_delivered(outbox_item, self._clock.now())
            return
        await self._storage.mark_summary(
            summary_id,
            "delivered",
            self._clock.now(),
            news_to_person(summary, SummaryDelivered(summary_id, worker=worker_name)),
            delivered_item=outbox_item,
        )
        self._signal.wake()

    async def failed(self, summary_id: int) -> None:
        """It could not reach the worker: tell the person kindly; a new draft can be sent later."""
        summary = await self._storage.get_summary(summary_id)
        if summary is None:
            return
        await self._storage.mark_summary(
            summary_id,
            "failed",
            self._clock.now(),
            news_to_person(summary, SummaryFailed(summary_id)),
        )
        self._signal.wake()
