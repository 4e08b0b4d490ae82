"""The worker's daily digest: tomorrow's appointments, each with whether a summary came."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain import Person, Worker
from bot.storage.base import AppointmentStore, PersonStore, SummaryStore
from bot.usecases.access import NotYours, person_of_worker
from bot.usecases.clock import Clock
from bot.usecases.rhythm import at_local

# A summary sent this long before the appointment was prepared for it.
RECENT_SUMMARY = timedelta(days=14)


class DigestStorage(AppointmentStore, PersonStore, SummaryStore, Protocol):
    """What the digest reads."""


@dataclass(frozen=True)
class DigestEntry:
    """One appointment tomorrow: when, with whom, and whether they sent a summary for it."""

    at: datetime
    person: Person
    summary_sent: bool


class Digests:
    """What a worker sees each evening about the next day."""

    def __init__(self, storage: DigestStorage, clock: Clock, timezone: ZoneInfo) -> None:
        self._storage = storage
        self._clock = clock
        self._tz = timezone

    async def tomorrow(self, worker: Worker) -> list[DigestEntry]:
        """The worker's appointments tomorrow (Paris time), by time; only their own persons."""
        start = at_local(self._clock.now() + timedelta(days=1), 0, self._tz)
        entries = []
        for appointment in await self._storage.appointments_between(
            worker.id, start, start + timedelta(days=1)
        ):
            try:
                person = await person_of_worker(self._storage, worker, appointment.person_id)
            except NotYours:
                continue  # gone, or followed by someone else now: not this worker's to see
            sent = [
                summary.sent_at
                for summary in await self._storage.sent_summaries(person.id)
                if summary.worker_id == worker.id and summary.sent_at is not None
            ]
            recent = any(at > appointment.at - RECENT_SUMMARY for at in sent)
            entries.append(DigestEntry(appointment.at, person, recent))
        return entries
