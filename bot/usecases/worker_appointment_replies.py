"""A worker sets, confirms, moves or cancels a person's appointment, as replies (/rdv and the
person's card); the date is typed the French way and read back before it is set."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.actions import WorkerButton
from bot.domain import Worker
from bot.i18n import Translator
from bot.pending_states import AppointmentWhen
from bot.replies import Reply, say
from bot.usecases.appointment_replies import day_warning_line
from bot.usecases.appointments import Appointments, InThePast, ScheduledAppointment
from bot.usecases.clock import Clock
from bot.usecases.dates import DateProblem, ParsedDate, parse_french_datetime
from bot.usecases.inputs import PendingInputs
from bot.usecases.worker_replies import LISTED, person_name
from bot.usecases.workers import Workers


def what_the_person_receives(
    scheduled: ScheduledAppointment, name: str, translator: Translator, now: datetime, tz: ZoneInfo
) -> str:
    """The worker is told exactly what the person will receive, and when."""
    lines = [translator.message("appointment.worker_set_for", person=name)]
    if scheduled.announced_at <= now:
        lines.append(translator.message("appointment.worker_announce_now"))
    else:
        when = translator.spoken(scheduled.announced_at, tz)
        lines.append(translator.message("appointment.worker_announce_later", date=when))
    if scheduled.reminders:
        from babel.lists import format_list  # at first use: babel is not loaded at start-up

        dates = format_list(
            [translator.spoken(moment, tz) for moment in scheduled.reminders],
            locale=translator.language,
        )
        lines.append(translator.message("appointment.worker_reminders", dates=dates))
    else:
        lines.append(translator.message("appointment.worker_no_reminder"))
    return "\n".join(lines)


class WorkerAppointmentReplies:
    """The worker's side of appointments (the use case checks every person is theirs)."""

    def __init__(
        self,
        appointments: Appointments,
        workers: Workers,
        inputs: PendingInputs,
        clock: Clock,
        timezone: ZoneInfo,
    ) -> None:
        self._appointments = appointments
        self._workers = workers
        self._inputs = inputs
        self._clock = clock
        self._tz = timezone

    async def pick(self, worker: Worker, tr: Translator) -> Reply:
        """/rdv: choose a person, then type the date."""
        listing = await self._workers.persons(worker)
        if not listing:
            return say(tr.message("worker.persons_none"))
        rows = [
            [
                (
                    entry.pseudonym or tr.message("worker.no_pseudonym"),
                    WorkerButton("rdv", entry.person_id),
                )
            ]
            for entry in listing[:LISTED]
        ]
        return say(tr.message("appointment.worker_pick"), rows)

    async def ask(self, worker: Worker, account: str, person_id: int, tr: Translator) -> Reply:
        """Ask the worker for the date; their next text is read as one."""
        who = await self._workers.person_of(worker, person_id)
        await self._inputs.expect(account, AppointmentWhen(person_id))
        return say(tr.message("appointment.worker_ask", person=person_name(who, tr)))

    async def date_words(
        self, worker: Worker, account: str, pending: AppointmentWhen, text: str, tr: Translator
    ) -> Reply:
        """The worker typed a date: read it the French way, then ask to confirm.

        A day without an hour ("demain") is kept while the bot asks the hour, and the two
        answers are read together: "demain" then "9h" is tomorrow at 9h.
        """
        who = await self._workers.person_of(worker, pending.person_id)
        day_text = pending.day or ""
        now = self._clock.now()
        # With a day kept from before, the two answers together first; then the new one alone.
        readings = [f"{day_text} {text}", text] if day_text else [text]
        parsed: ParsedDate | None = None
        problems: list[DateProblem] = []
        for reading in readings:
            try:
                parsed = parse_french_datetime(reading, now, self._tz)
                break
            except DateProblem as problem:
                problems.append(problem)
        if parsed is None:
            if problems[-1].kind == "no_time":
                # A day without an hour: keep it, and ask the hour.
                await self._inputs.expect(account, AppointmentWhen(pending.person_id, day=text))
            kind = problems[-1].kind if problems[-1].kind == "no_time" else problems[0].kind
            return say(tr.message(f"appointment.problem_{kind}"))
        await self._inputs.expect(account, AppointmentWhen(pending.person_id, at=parsed.moment))
        when = tr.spoken(parsed.moment, self._tz, about=parsed.assumed_time)
        rows = [
            [
                (tr.message("appointment.worker_yes"), WorkerButton("rdvok", pending.person_id)),
                (tr.message("appointment.worker_no"), WorkerButton("rdv", pending.person_id)),
            ]
        ]
        lines = [
            tr.message("appointment.worker_confirm", person=person_name(who, tr), date=when),
            day_warning_line(parsed.moment, tr, self._tz),
            tr.message("appointment.worker_confirm_question"),
        ]
        return say("\n".join(line for line in lines if line), rows)

    async def confirm(self, worker: Worker, account: str, person_id: int, tr: Translator) -> Reply:
        """The worker confirmed the date read: the appointment is set, the person told."""
        pending = await self._inputs.peek(account)
        if not isinstance(pending, AppointmentWhen) or pending.person_id != person_id:
            return say(tr.message("worker.not_yours"))
        at = pending.at
        if at is None:
            return say(tr.message("worker.not_yours"))
        who = await self._workers.person_of(worker, person_id)
        try:
            scheduled = await self._appointments.set(worker, person_id, at)
        except InThePast:
            return say(tr.message("appointment.problem_past"))
        await self._inputs.clear(account)
        name = person_name(who, tr)
        return say(what_the_person_receives(scheduled, name, tr, self._clock.now(), self._tz))

    async def take_proposal(self, worker: Worker, appointment_id: int, tr: Translator) -> Reply:
        """The worker accepts the moment the person proposed after "Je ne peux pas"."""
        try:
            scheduled = await self._appointments.take_proposal(worker, appointment_id)
        except InThePast:
            return say(tr.message("appointment.problem_past"))
        who = await self._workers.person_of(worker, scheduled.appointment.person_id)
        name = person_name(who, tr)
        return say(what_the_person_receives(scheduled, name, tr, self._clock.now(), self._tz))

    async def cancel(self, worker: Worker, person_id: int, tr: Translator) -> Reply:
        """The person's next appointment is cancelled; they are told."""
        who = await self._workers.person_of(worker, person_id)
        name = person_name(who, tr)
        if await self._appointments.cancel(worker, person_id):
            return say(tr.message("appointment.worker_cancelled", person=name))
        return say(tr.message("appointment.worker_none", person=name))
