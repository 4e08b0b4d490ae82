"""Appointments: the worker sets them, the person answers, reminders follow them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain import Appointment, OutboxMessage, Person, ReminderDraft, VoiceNote, Worker
from bot.messages import (
    AppointmentAnswer,
    AppointmentAnswered,
    AppointmentCancelled,
    AppointmentSet,
)
from bot.storage.base import AppointmentStore, PersonStore
from bot.usecases.access import NotYours, person_of_worker, person_owns
from bot.usecases.clock import Clock
from bot.usecases.outbox import OutboxSignal
from bot.usecases.rhythm import at_local, next_allowed, usual_moment


class AppointmentsStorage(AppointmentStore, PersonStore, Protocol):
    """What appointments read and write."""


log = logging.getLogger(__name__)

DIGEST_HOUR = 8
PREPARE_HOUR = 10
# The second reminder: a little before, on the day.
SOON_BEFORE = timedelta(hours=2)
# A reminder closer than this to the appointment would come too late to be of use.
LAST_USEFUL = timedelta(minutes=30)
# The fallback reminder, when neither usual one can come: as soon as allowed, after the news,
# and still worth having up to shortly before (a quiet morning may end just before).
FALLBACK_AFTER = timedelta(minutes=5)
FALLBACK_LAST = timedelta(minutes=10)
# After "Je ne peux pas", how long the worker's notice waits for the reason and proposal.
CANNOT_DETAILS_WAIT = timedelta(minutes=15)
# A check-in midway only when there is room for one before the appointment.
MIDWAY_IF_MORE_THAN = timedelta(days=4)


class InThePast(Exception):
    """An appointment must be in the future."""


@dataclass(frozen=True)
class ScheduledAppointment:
    """An appointment just set, and exactly what the person will receive, and when."""

    appointment: Appointment
    announced_at: datetime
    # The reminders' moments (the day before at the person's usual hour, 2 hours before).
    reminders: tuple[datetime, ...]


def reminder_moments(
    at: datetime, now: datetime, person: Person, timezone: ZoneInfo
) -> list[datetime]:
    """When the person is reminded of an appointment at `at`, set at `now`.

    The day before at their usual hour, and 2 hours before, each moved out of quiet hours
    and skipped only if it has passed or would come too late; if both are skipped, one as
    soon as allowed, so an appointment with time to spare is never left without a reminder.
    """
    day_before = (at.astimezone(timezone) - timedelta(days=1)).date()
    wanted = [usual_moment(day_before, person, timezone), at - SOON_BEFORE]
    moments: list[datetime] = []
    for moment in wanted:
        if moment <= now:
            continue
        moment = next_allowed(moment, person, timezone)
        if moment <= at - LAST_USEFUL and moment not in moments:
            moments.append(moment)
    if not moments:
        soon = next_allowed(now + FALLBACK_AFTER, person, timezone)
        if soon <= at - FALLBACK_LAST:
            moments.append(soon)
    return sorted(moments)


class Appointments:
    """Setting, cancelling and answering appointments."""

    def __init__(
        self, storage: AppointmentsStorage, clock: Clock, signal: OutboxSignal, timezone: ZoneInfo
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._signal = signal
        self._tz = timezone

    async def _own_person(self, worker: Worker, person_id: int) -> Person:
        return await person_of_worker(self._storage, worker, person_id)

    def _reminders(
        self, person: Person, worker: Worker, at: datetime, moments: list[datetime]
    ) -> list[ReminderDraft]:
        now = self._clock.now()
        # The first one offers to prepare the summary; a later one only says it is soon.
        drafts = [
            ReminderDraft(
                "prepare" if index == 0 else "appointment", moment, person_id=person.id, stale_at=at
            )
            for index, moment in enumerate(moments)
        ]
        if at - now > MIDWAY_IF_MORE_THAN:
            midway = at_local(now + (at - now) / 2, PREPARE_HOUR, self._tz)
            drafts.append(ReminderDraft("checkin", midway, person_id=person.id, stale_at=at))
        digest = at_local(at - timedelta(days=1), DIGEST_HOUR, self._tz)
        if digest > now:
            drafts.append(ReminderDraft("digest", digest, worker_id=worker.id, stale_at=at))
        return drafts

    async def set(self, worker: Worker, person_id: int, at: datetime) -> ScheduledAppointment:
        """The next appointment; replaces a planned one and everything scheduled around it.

        The person is told in one message (which names the appointment it replaces), at
        their first allowed moment; the reminders follow `reminder_moments`.
        """
        person = await self._own_person(worker, person_id)
        now = self._clock.now()
        if at <= now:
            raise InThePast
        announced_at = next_allowed(now, person, self._tz)
        moments = reminder_moments(at, now, person, self._tz)
        appointment = await self._storage.save_appointment(
            person_id=person.id,
            worker_id=worker.id,
            at=at,
            now=now,
            reminders=self._reminders(person, worker, at, moments),
            notify=OutboxMessage(
                "appointment",
                "person",
                person.id,
                AppointmentSet(at),
                not_before=announced_at,
            ),
        )
        self._signal.wake()
        log.info(
            "appointment_set",
            extra={"appointment": appointment.id, "reminders": len(moments)},
        )
        return ScheduledAppointment(appointment, announced_at, tuple(moments))

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
            AppointmentCancelled(appointment.at),
            about_person=person.id,
            not_before=next_allowed(now, person, self._tz),
        )
        done = await self._storage.cancel_appointment(appointment.id, now, notice)
        self._signal.wake()
        return done

    async def next_for_worker(self, worker: Worker, person_id: int) -> Appointment | None:
        """One of this worker's persons' next appointment."""
        person = await self._own_person(worker, person_id)
        return await self._storage.next_appointment(person.id, self._clock.now())

    def _answer_notice(
        self,
        person: Person,
        appointment: Appointment,
        answer: AppointmentAnswer,
        why: str | VoiceNote | None = None,
        proposed_at: datetime | None = None,
        not_before: datetime | None = None,
    ) -> OutboxMessage:
        assert appointment.worker_id is not None
        return OutboxMessage(
            f"appointment_answer:{appointment.id}",
            "worker",
            appointment.worker_id,
            AppointmentAnswered(
                answer,
                appointment.at,
                person.id,
                appointment.id,
                person=person.pseudonym or "",
                why=why,
                proposed_at=proposed_at,
            ),
            about_person=person.id,
            not_before=not_before,
        )

    async def answer(self, person: Person, appointment_id: int, answer: str) -> bool:
        """'noted' or 'cannot'; the worker is told. False if already answered or gone.

        After "cannot" the person may say why and propose another moment
        (`cannot_details`); the worker's notice waits a little for them, and goes without
        them if the person does not answer.
        """
        appointment = await self._storage.get_appointment(appointment_id)
        if appointment is None:
            raise NotYours
        person_owns(person, appointment.person_id)
        if appointment.worker_id is None:
            return False
        now = self._clock.now()
        notice: OutboxMessage
        if answer == "noted":
            notice = self._answer_notice(person, appointment, "noted")
        elif answer == "cannot":
            wait = now + CANNOT_DETAILS_WAIT
            notice = self._answer_notice(person, appointment, "cannot", not_before=wait)
        else:
            return False
        done = await self._storage.answer_appointment(appointment_id, answer, now, notice)
        self._signal.wake()
        return done

    async def cannot_details(
        self,
        person: Person,
        appointment_id: int,
        why: str | VoiceNote | None,
        proposed_at: datetime | None,
    ) -> None:
        """Why the person cannot come (text or a voice note) and the moment they propose."""
        appointment = await self._storage.get_appointment(appointment_id)
        if appointment is None:
            raise NotYours
        person_owns(person, appointment.person_id)
        if appointment.worker_id is None or appointment.answer != "cannot":
            return
        notice = self._answer_notice(person, appointment, "cannot", why, proposed_at)
        await self._storage.appointment_details(
            appointment_id, proposed_at, notice, self._clock.now()
        )
        self._signal.wake()
        log.info("appointment_cannot_details", extra={"appointment": appointment_id})

    async def take_proposal(self, worker: Worker, appointment_id: int) -> ScheduledAppointment:
        """The worker accepts the moment the person proposed: it becomes the appointment."""
        appointment = await self._storage.get_appointment(appointment_id)
        if appointment is None or appointment.proposed_at is None:
            raise NotYours
        return await self.set(worker, appointment.person_id, appointment.proposed_at)
