"""Appointments: the worker sets them, the person answers, reminders follow them."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.storage.base import Appointment, OutboxMessage, Person, ReminderDraft, Storage, Worker
from bot.usecases.clock import Clock
from bot.usecases.outbox import OutboxSignal
from bot.usecases.rhythm import at_local
from bot.usecases.summaries import NotYours

log = logging.getLogger(__name__)

PREPARE_BEFORE = timedelta(days=2)
DIGEST_HOUR = 8
PREPARE_HOUR = 10
# A check-in midway only when there is room for one before the appointment.
MIDWAY_IF_MORE_THAN = timedelta(days=4)


class InThePast(Exception):
    """An appointment must be in the future."""


class Appointments:
    """Setting, cancelling and answering appointments."""

    def __init__(
        self, storage: Storage, clock: Clock, signal: OutboxSignal, timezone: ZoneInfo
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._signal = signal
        self._tz = timezone

    async def _own_person(self, worker: Worker, person_id: int) -> Person:
        person = await self._storage.get_person(person_id)
        if person is None or person.worker_id != worker.id:
            raise NotYours
        return person

    def _reminders(self, person: Person, worker: Worker, at: datetime) -> list[ReminderDraft]:
        now = self._clock.now()
        drafts = []
        prepare = at_local(at - PREPARE_BEFORE, PREPARE_HOUR, self._tz)
        if prepare > now:
            drafts.append(ReminderDraft("prepare", prepare, person_id=person.id, stale_at=at))
        if at - now > MIDWAY_IF_MORE_THAN:
            midway = at_local(now + (at - now) / 2, PREPARE_HOUR, self._tz)
            drafts.append(ReminderDraft("checkin", midway, person_id=person.id, stale_at=at))
        digest = at_local(at - timedelta(days=1), DIGEST_HOUR, self._tz)
        if digest > now:
            drafts.append(ReminderDraft("digest", digest, worker_id=worker.id, stale_at=at))
        return drafts

    async def set(self, worker: Worker, person_id: int, at: datetime) -> Appointment:
        """The next appointment; replaces a planned one and everything scheduled around it."""
        person = await self._own_person(worker, person_id)
        now = self._clock.now()
        if at <= now:
            raise InThePast
        appointment = await self._storage.save_appointment(
            person_id=person.id,
            worker_id=worker.id,
            at=at,
            now=now,
            reminders=self._reminders(person, worker, at),
            notify=OutboxMessage(
                "appointment", "person", person.id, "appointment", {"at": at.isoformat()}
            ),
        )
        self._signal.wake()
        log.info("appointment_set", extra={"appointment": appointment.id})
        return appointment

    async def cancel(self, worker: Worker, person_id: int) -> bool:
        """Cancel the person's next appointment; the person is told."""
        person = await self._own_person(worker, person_id)
        now = self._clock.now()
        appointment = await self._storage.next_appointment(person.id, now)
        if appointment is None:
            return False
        notice = OutboxMessage(
            f"appointment_cancelled:{appointment.id}",
            "person",
            person.id,
            "appointment_cancelled",
            {"at": appointment.at.isoformat()},
            about_person=person.id,
        )
        done = await self._storage.cancel_appointment(appointment.id, now, notice)
        self._signal.wake()
        return done

    async def next_for_worker(self, worker: Worker, person_id: int) -> Appointment | None:
        """One of this worker's persons' next appointment."""
        person = await self._own_person(worker, person_id)
        return await self._storage.next_appointment(person.id, self._clock.now())

    async def answer(self, person: Person, appointment_id: int, answer: str) -> bool:
        """'noted' or 'cannot'; the worker is told. False if already answered or gone."""
        appointment = await self._storage.get_appointment(appointment_id)
        if appointment is None or appointment.person_id != person.id:
            raise NotYours
        if appointment.worker_id is None or answer not in ("noted", "cannot"):
            return False
        notice = OutboxMessage(
            f"appointment_answer:{appointment_id}",
            "worker",
            appointment.worker_id,
            "appointment_answer",
            {
                "answer": answer,
                "at": appointment.at.isoformat(),
                "person": person.pseudonym or "",
            },
            about_person=person.id,
        )
        done = await self._storage.answer_appointment(
            appointment_id, answer, self._clock.now(), notice
        )
        self._signal.wake()
        return done
