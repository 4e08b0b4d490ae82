"""The person's answer to an appointment as replies: "C'est noté", or "Je ne peux pas" then
a short exchange (why, which other moment), each answer optional."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.actions import AppointmentButton
from bot.domain import Person, VoiceNote
from bot.i18n import Translator
from bot.pending_states import CannotWhen, CannotWhy
from bot.replies import ClosePressed, Notice, Reply, reply, say
from bot.usecases.access import NotYours
from bot.usecases.appointments import Appointments
from bot.usecases.clock import Clock
from bot.usecases.dates import DateProblem, parse_french_datetime
from bot.usecases.dialogues import Dialogues
from bot.usecases.holidays import day_warning
from bot.usecases.inputs import PendingInputs
from bot.usecases.rhythm import USUAL_HOUR


def day_warning_line(moment: datetime, translator: Translator, timezone: ZoneInfo) -> str:
    """'Attention : c'est un samedi.' (or a Sunday, a public holiday), else nothing."""
    warning = day_warning(moment.astimezone(timezone).date())
    return "" if warning is None else translator.message(f"appointment.warning_{warning}")


class AppointmentReplies:
    """What the person sees when answering an appointment."""

    def __init__(
        self,
        appointments: Appointments,
        dialogues: Dialogues,
        inputs: PendingInputs,
        clock: Clock,
        timezone: ZoneInfo,
    ) -> None:
        self._appointments = appointments
        self._dialogues = dialogues
        self._inputs = inputs
        self._clock = clock
        self._timezone = timezone

    async def pressed(
        self,
        person: Person,
        account: str,
        button: AppointmentButton,
        chosen: str | None,
        tr: Translator,
    ) -> Reply:
        """C'est noté / Je ne peux pas: the worker is told; "cannot" opens a short exchange."""
        closed = reply(Notice(), ClosePressed(chosen))
        if button.answer == "noreason":
            return closed + await self.ask_other_moment(account, button.appointment_id, None, tr)
        if button.answer == "nowhen":
            pending = await self._inputs.peek(account)
            why = pending.why if isinstance(pending, CannotWhen) else None
            return closed + await self.cannot_done(
                person, account, button.appointment_id, why, None, tr
            )
        try:
            done = await self._appointments.answer(person, button.appointment_id, button.answer)
        except NotYours:
            done = False
        if done and button.answer == "cannot":
            await self._dialogues.leave(person)
            await self._inputs.expect(account, CannotWhy(button.appointment_id))
            skip = AppointmentButton("noreason", button.appointment_id)
            return closed + say(
                tr.message("appointment.cannot_why"), [[(tr.message("appointment.skip"), skip)]]
            )
        key = f"appointment.{button.answer}_thanks" if done else "appointment.already"
        return closed + say(tr.message(key))

    async def cannot_answer(
        self,
        person: Person,
        account: str,
        pending: CannotWhy | CannotWhen,
        words: str | VoiceNote,
        tr: Translator,
    ) -> Reply:
        """The person's answer in the exchange after "Je ne peux pas": why, then when."""
        if isinstance(pending, CannotWhy):
            return await self.ask_other_moment(account, pending.appointment_id, words, tr)
        if not isinstance(words, str):
            return say(tr.message("appointment.cannot_when"))
        tz = self._timezone
        try:
            parsed = parse_french_datetime(words, self._clock.now(), tz, time(USUAL_HOUR))
        except DateProblem as problem:
            return say(tr.message(f"appointment.problem_{problem.kind}"))
        understood = tr.message(
            "appointment.cannot_understood",
            date=tr.spoken(parsed.moment, tz, about=parsed.assumed_time),
        )
        warning = day_warning_line(parsed.moment, tr, tz)
        said = say(f"{understood}\n{warning}".strip())
        return said + await self.cannot_done(
            person, account, pending.appointment_id, pending.why, parsed.moment, tr
        )

    async def ask_other_moment(
        self, account: str, appointment_id: int, why: str | VoiceNote | None, tr: Translator
    ) -> Reply:
        """Which other moment would suit (or Passer), the reason kept meanwhile."""
        await self._inputs.expect(account, CannotWhen(appointment_id, why))
        skip = AppointmentButton("nowhen", appointment_id)
        return say(
            tr.message("appointment.cannot_when"), [[(tr.message("appointment.skip"), skip)]]
        )

    async def cannot_done(
        self,
        person: Person,
        account: str,
        appointment_id: int,
        reason: str | VoiceNote | None,
        proposed_at: datetime | None,
        tr: Translator,
    ) -> Reply:
        """The reason and the moment go to the worker; the person is thanked."""
        await self._inputs.clear(account)
        try:
            await self._appointments.cannot_details(person, appointment_id, reason, proposed_at)
        except NotYours:
            return Reply()
        return say(tr.message("appointment.cannot_thanks"))
