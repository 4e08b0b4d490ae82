"""Reminders are rows: scheduled here, and sent by one scan over an index."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from bot.domain import OutboxMessage, Person, Reminder, ReminderDraft
from bot.messages import ReminderDue, SafetyCallRaised
from bot.storage.base import (
    AppointmentStore,
    OutboxStore,
    PersonStore,
    ReminderStore,
    RunStore,
    WorkerStore,
)
from bot.usecases.checkins import CheckIns
from bot.usecases.clock import Clock
from bot.usecases.dates import DateProblem, parse_french_datetime
from bot.usecases.first_step import IDEAS, chosen_step
from bot.usecases.outbox import OutboxSignal
from bot.usecases.rhythm import (
    USUAL_HOUR,
    QuietHours,
    allowed,
    at_local,
    next_allowed,
    usual_moment,
)


class RemindersStorage(
    ReminderStore, PersonStore, WorkerStore, OutboxStore, AppointmentStore, RunStore, Protocol
):
    """What reminders read and write."""


log = logging.getLogger(__name__)

# A reminder due while its recipient blocks the bot waits this long, then is tried again.
UNREACHABLE_RETRY = timedelta(hours=1)

CHECKIN_AFTER = timedelta(days=3)
CHECKIN_STALE = timedelta(days=4)
STEP_STALE = timedelta(days=2)
STRENGTHS_STALE = timedelta(days=7)
HOUR = USUAL_HOUR
# Acceptances older than this are not looked at again (one scan a minute finds them).
AGREED_LOOKBACK = timedelta(days=7)
# The one message to a worker that never waits for their allowed hours: a person asked
# to be called after a safety step.
SCHEDULE_LOOKBACK = timedelta(days=7)


@dataclass(frozen=True)
class Scheduled:
    """One thing scheduled for a person: a reminder row or a message held in the outbox."""

    kind: str
    at: datetime
    # pending, sent, dropped (reminders); waiting (a message held for allowed hours)
    status: str


OpenedKind = Literal["gone", "over", "prepare", "appointment", "strengths", "step", "checkin"]


@dataclass(frozen=True)
class OpenedReminder:
    """What a discreet reminder is about, once the person opens it.

    "gone": not (or no longer) a reminder of this person's; "over": theirs, but what it was
    about has passed (the appointment cancelled, the step replaced)."""

    kind: OpenedKind
    # The appointment it announces or prepares.
    at: datetime | None = None
    # The first step it reminds of, in the person's words.
    step: str | None = None


class Reminders:
    """Schedules reminders and sends those that are due, at moments the person allows."""

    def __init__(
        self,
        storage: RemindersStorage,
        checkins: CheckIns,
        clock: Clock,
        signal: OutboxSignal,
        timezone: ZoneInfo,
    ) -> None:
        self._storage = storage
        self._checkins = checkins
        self._clock = clock
        self._signal = signal
        self._tz = timezone

    async def dialogue_finished(
        self, person_id: int, dialogue_id: str, state: dict[str, Any]
    ) -> None:
        """Mes idées finished with a first step: schedule its check-in (and its reminder)."""
        if dialogue_id != IDEAS:
            return
        chosen = chosen_step(state)
        person = await self._storage.get_person(person_id)
        if person is None or chosen is None:
            return
        await self.first_step_chosen(person, chosen.when, chosen.remind)

    def _checkin_after(self, person: Person, moment: datetime) -> datetime:
        day = (moment + CHECKIN_AFTER).astimezone(self._tz).date()
        return usual_moment(day, person, self._tz)

    async def first_step_chosen(self, person: Person, when: str | None, remind: bool) -> None:
        """After Mes idées: a check-in a few days later, and the reminder the person asked for.

        "Quand ?" is read like any typed date ("mardi matin", "demain"); words the parser
        does not know ("quand il fera beau") leave the default, tomorrow at the usual hour.
        The person is told when it comes (`step_reminder_text`, with the menu).
        """
        now = self._clock.now()
        await self._storage.drop_reminders(person.id, ["step", "checkin_step"])
        checkin = self._checkin_after(person, now)
        drafts = [
            ReminderDraft(
                "checkin_step", checkin, person_id=person.id, stale_at=checkin + CHECKIN_STALE
            )
        ]
        if remind:
            tomorrow = (now + timedelta(days=1)).astimezone(self._tz).date()
            due = usual_moment(tomorrow, person, self._tz)
            if when:
                with contextlib.suppress(DateProblem):
                    due = parse_french_datetime(when, now, self._tz, time(USUAL_HOUR)).moment
            due = next_allowed(due, person, self._tz)
            drafts.append(
                ReminderDraft("step", due, person_id=person.id, stale_at=due + STEP_STALE)
            )
        await self._storage.add_reminders(drafts, now)

    async def schedule_agreed_checkins(self) -> int:
        """Every agreed step gets its check-in, a few days after the agreement."""
        now = self._clock.now()
        added = 0
        for agreement_id, person_id, accepted_at in await self._storage.agreed_without_checkin(
            now - AGREED_LOOKBACK
        ):
            person = await self._storage.get_person(person_id)
            if person is None:
                continue
            # The new step replaces the old one's check-in.
            await self._storage.drop_reminders(person.id, ["checkin_step"])
            due = self._checkin_after(person, accepted_at)
            draft = ReminderDraft(
                "checkin_step",
                due,
                person_id=person.id,
                ref=agreement_id,
                stale_at=due + CHECKIN_STALE,
            )
            await self._storage.add_reminders([draft], now)
            added += 1
        return added

    async def strengths_rhythm(self, person: Person, every_weeks: int) -> None:
        """The optional regular strengths check-in: every 1, 2 or 4 weeks, or never (0)."""
        await self._storage.drop_reminders(person.id, ["strengths"])
        await self._storage.set_rhythm(person.id, strengths_every_weeks=every_weeks)
        if every_weeks:
            await self._storage.add_reminders(
                [self._next_strengths(person, every_weeks)], self._clock.now()
            )

    def _next_strengths(self, person: Person, every_weeks: int) -> ReminderDraft:
        due = at_local(self._clock.now() + timedelta(weeks=every_weeks), HOUR, self._tz)
        return ReminderDraft("strengths", due, person_id=person.id, stale_at=due + STRENGTHS_STALE)

    async def opened(self, person: Person, reminder_id: int) -> OpenedReminder:
        """The person tapped "Voir" under a reminder: what it is about now."""
        reminder = await self._storage.get_reminder(reminder_id)
        if reminder is None or reminder.person_id != person.id:
            return OpenedReminder("gone")
        over = OpenedReminder("over")
        if reminder.kind in ("prepare", "appointment"):
            appointment = await self._storage.next_appointment(person.id, self._clock.now())
            if appointment is None:
                return over
            kind: OpenedKind = "prepare" if reminder.kind == "prepare" else "appointment"
            return OpenedReminder(kind, at=appointment.at)
        if reminder.kind == "strengths":
            return OpenedReminder("strengths")
        if reminder.kind == "step":
            step = await self._checkins.current_step(person)
            return OpenedReminder("step", step=step) if step else over
        return OpenedReminder("checkin")

    async def step_reminder_at(self, person: Person, run_id: int) -> datetime | None:
        """After Mes idées (that run): when the reminder of the person's step will come."""
        run = await self._storage.get_run(run_id)
        if run is None or run.dialogue_id != "idees":
            return None
        reminders = await self._storage.pending_reminders(person.id)
        step = next((r for r in reminders if r.kind == "step"), None)
        return None if step is None else step.due_at

    async def schedule_of(self, person_id: int) -> list[Scheduled]:
        """What is scheduled for a person (and what went in the last week), by time:
        so "will the reminder come?" has an answer."""
        since = self._clock.now() - SCHEDULE_LOOKBACK
        items = [
            Scheduled(reminder.kind, reminder.due_at, reminder.status)
            for reminder in await self._storage.reminders_of(person_id, since)
        ]
        items += [
            Scheduled(kind, at, "waiting")
            for kind, at in await self._storage.held_outbox(person_id)
        ]
        return sorted(items, key=lambda item: item.at)

    async def held_until(self, message: OutboxMessage) -> datetime | None:
        """When a queued message may go, if not now; None: send it now.

        The one rule for every non-urgent message, to a person or to a worker: whatever
        reaches them through the outbox (worker-triggered messages, reminders, check-ins,
        receipts, digests, summary and agreement notices) is something they did not just ask
        for, so it waits for their allowed hours. Replies to their own action are sent at once
        and never queued; a safety call request to a worker is never held.
        """
        who: QuietHours | None
        if message.recipient_kind == "person":
            who = await self._storage.get_person(message.recipient_id)
        elif isinstance(message.body, SafetyCallRaised):
            return None
        else:
            who = await self._storage.get_worker(message.recipient_id)
        if who is None:
            return None
        now = self._clock.now()
        if allowed(now, who, self._tz):
            return None
        return next_allowed(now, who, self._tz)

    async def scan(self) -> int:
        """Send what is due now; postpone what falls in quiet hours; drop what is stale."""
        await self.schedule_agreed_checkins()
        now = self._clock.now()
        sent = 0
        for reminder in await self._storage.due_reminders(now):
            if reminder.stale_at is not None and now >= reminder.stale_at:
                await self._storage.drop_reminder(reminder.id)
                log.info("reminder_dropped", extra={"reminder": reminder.id, "why": "stale"})
                continue
            if reminder.person_id is None:
                sent += await self._send_to_worker(reminder, now)
            else:
                sent += await self._send_to_person(reminder, now)
        if sent:
            self._signal.wake()
        return sent

    async def _send_to_person(self, reminder: Reminder, now: datetime) -> int:
        assert reminder.person_id is not None
        person = await self._storage.get_person(reminder.person_id)
        if person is None or person.paused:
            await self._storage.drop_reminder(reminder.id)
            return 0
        if not person.reachable:
            # Blocked for now: kept for when they unblock the bot (my_chat_member), not dropped.
            await self._storage.postpone_reminder(reminder.id, now + UNREACHABLE_RETRY)
            return 0
        if not allowed(now, person, self._tz):
            await self._storage.postpone_reminder(reminder.id, next_allowed(now, person, self._tz))
            return 0
        needs_step = reminder.kind in ("checkin", "checkin_step", "step")
        if needs_step and await self._checkins.current_step(person) is None:
            await self._storage.drop_reminder(reminder.id)
            return 0
        follow_up = None
        if reminder.kind == "strengths" and person.strengths_every_weeks:
            follow_up = self._next_strengths(person, person.strengths_every_weeks)
        message = OutboxMessage(
            f"reminder:{reminder.id}",
            "person",
            person.id,
            ReminderDue(reminder.id),
            about_person=person.id,
        )
        claimed = await self._storage.claim_reminder(reminder.id, now, message, follow_up)
        if claimed:
            log.info("reminder_sent", extra={"reminder": reminder.id, "kind": reminder.kind})
        return int(claimed)

    async def _send_to_worker(self, reminder: Reminder, now: datetime) -> int:
        worker = (
            None
            if reminder.worker_id is None
            else await self._storage.get_worker(reminder.worker_id)
        )
        if worker is None or not worker.active:
            await self._storage.drop_reminder(reminder.id)
            return 0
        if not worker.reachable:
            await self._storage.postpone_reminder(reminder.id, now + UNREACHABLE_RETRY)
            return 0
        if not allowed(now, worker, self._tz):
            await self._storage.postpone_reminder(reminder.id, next_allowed(now, worker, self._tz))
            return 0
        message = OutboxMessage(
            f"reminder:{reminder.id}", "worker", worker.id, ReminderDue(reminder.id)
        )
        return int(await self._storage.claim_reminder(reminder.id, now, message))
