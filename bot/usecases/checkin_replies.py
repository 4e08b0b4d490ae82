"""Check-ins and discreet reminders as replies: "Voir" under a reminder, where the person is
with their first step, how it went (GAS), what they learned."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.actions import ATTAINMENTS, CheckinButton, MenuButton, ReminderButton, SummaryButton
from bot.domain import Person
from bot.i18n import Translator
from bot.pending_states import LearnedWords
from bot.replies import ClosePressed, Notice, Reply, reply, say
from bot.usecases.access import NotYours
from bot.usecases.checkins import ATTAINMENT, CheckIns
from bot.usecases.dialogues import Dialogues
from bot.usecases.inputs import PendingInputs
from bot.usecases.reminders import Reminders


class CheckinReplies:
    """What the person sees of their reminders and check-ins."""

    def __init__(
        self,
        checkins: CheckIns,
        reminders: Reminders,
        dialogues: Dialogues,
        inputs: PendingInputs,
        timezone: ZoneInfo,
    ) -> None:
        self._checkins = checkins
        self._reminders = reminders
        self._dialogues = dialogues
        self._inputs = inputs
        self._timezone = timezone

    async def reminder_pressed(
        self, person: Person, button: ReminderButton, tr: Translator
    ) -> Reply:
        """ "Voir" under a discreet reminder: now, in the open chat, what it is about."""
        opened = await self._reminders.opened(person, button.reminder_id)
        if opened.kind == "gone":
            return reply(Notice()) + say(tr.message("reminder.gone"))
        closed = reply(Notice(), ClosePressed())
        if opened.kind == "over":
            return closed + say(tr.message("reminder.gone"))
        if opened.kind == "prepare" and opened.at is not None:
            date = tr.spoken(opened.at, self._timezone)
            prepare = SummaryButton("prep", 0, 0)
            return closed + say(
                tr.message("reminder.prepare", date=date),
                [[(tr.message("reminder.prepare_button"), prepare)]],
            )
        if opened.kind == "appointment" and opened.at is not None:
            date = tr.spoken(opened.at, self._timezone)
            return closed + say(tr.message("appointment.soon", date=date))
        if opened.kind == "strengths":
            open_forces = MenuButton("redo", "forces")
            return closed + say(
                tr.message("reminder.strengths"),
                [[(tr.message("reminder.strengths_button"), open_forces)]],
            )
        if opened.kind == "step":
            return closed + say(tr.message("reminder.step", step=opened.step or ""))
        return closed + await self.ask_checkin(person, tr)

    async def ask_checkin(self, person: Person, tr: Translator) -> Reply:
        """Où en êtes-vous avec « … » ? with the four answers."""
        checkin = await self._checkins.open(person)
        if checkin is None:
            return say(tr.message("reminder.gone"))
        rows = [
            [(tr.message(f"reminder.checkin_{answer}"), CheckinButton(answer, checkin.id))]
            for answer in ("done", "in_progress", "not_yet", "change")
        ]
        return say(tr.message("reminder.checkin_question", step=checkin.step), rows)

    async def checkin_pressed(
        self,
        person: Person,
        account: str,
        button: CheckinButton,
        chosen: str | None,
        tr: Translator,
    ) -> Reply:
        """The person's progress, then (unless they want to change the step) what they
        learned; `chosen` shows under the pressed question."""
        closed = reply(Notice(), ClosePressed(chosen))
        if button.progress == "skip":
            await self._inputs.clear(account)
            return closed + say(tr.message("reminder.checkin_thanks"))
        try:
            if button.progress in ATTAINMENT:
                await self._checkins.attainment(person, button.checkin_id, button.progress)
            else:
                await self._checkins.progress(person, button.checkin_id, button.progress)
        except NotYours:
            return closed + say(tr.message("reminder.gone"))
        if button.progress in ("done", "in_progress"):
            # How it went compared with what was expected (GAS), before what was learned.
            rows = [
                [(tr.message(f"reminder.gas_{name}"), CheckinButton(name, button.checkin_id))]
                for name in ATTAINMENTS
            ]
            return closed + say(tr.message("reminder.checkin_gas"), rows)
        if button.progress == "change":
            ideas = MenuButton("redo", "idees")
            return closed + say(
                tr.message("reminder.checkin_change_answer"),
                [[(tr.message("reminder.checkin_ideas_button"), ideas)]],
            )
        await self._dialogues.leave(person)
        await self._inputs.expect(account, LearnedWords(button.checkin_id))
        skip = CheckinButton("skip", button.checkin_id)
        return closed + say(
            tr.message("reminder.checkin_learned"), [[(tr.message("reminder.skip"), skip)]]
        )
