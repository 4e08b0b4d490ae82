"""The guided dialogues as replies: the menu, a step and its question, a finished
dialogue's last version, the buttons of a question and of the menu, an old button."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.actions import AnswerButton, Callback, MenuButton, SummaryButton
from bot.domain import Person
from bot.engine import PREVIOUS, ButtonPress
from bot.i18n import Catalogs, Translator
from bot.replies import (
    ClosePressed,
    DialogueQuestion,
    EditQuestion,
    Message,
    Notice,
    Part,
    Reply,
    RetireQuestion,
    reply,
    say,
)
from bot.usecases.appointment_replies import day_warning_line
from bot.usecases.dialogues import Dialogues, StaleButton, Turn
from bot.usecases.inputs import PendingInputs
from bot.usecases.reminders import Reminders


class DialogueReplies:
    """What the person sees of the dialogues."""

    def __init__(
        self,
        catalogs: Catalogs,
        dialogues: Dialogues,
        inputs: PendingInputs,
        reminders: Reminders,
        timezone: ZoneInfo,
    ) -> None:
        self._catalogs = catalogs
        self._dialogues = dialogues
        self._inputs = inputs
        self._reminders = reminders
        self._timezone = timezone

    @property
    def _tr(self) -> Translator:
        return self._catalogs.translator()

    def _chosen(self, label: str | None) -> ClosePressed:
        """The pressed message shows the button chosen (✅ …) and loses its buttons."""
        return ClosePressed(self._tr.message("bot.chosen", answer=label) if label else None)

    async def menu(self, person: Person, said: Sequence[str] = ()) -> Reply:
        """The menu, marking dialogues in progress or done; what is `said` before it may share
        its message when short enough."""
        tr = self._tr
        rows: list[tuple[tuple[str, Callback], ...]] = [
            (
                (
                    tr.message(f"bot.menu_{entry.status}", title=entry.title),
                    MenuButton("open", entry.dialogue_id),
                ),
            )
            for entry in await self._dialogues.menu(person, tr)
        ]
        rows.append(((tr.message("summary.menu_button"), SummaryButton("prep", 0, 0)),))
        before = tuple(Message(text, joinable=True) for text in said)
        return Reply((*before, Message(tr.message("bot.menu"), tuple(rows), joinable=True)))

    async def turn(self, person: Person, turn: Turn) -> Reply:
        """What a dialogue step says, then its question; the menu when finished.

        The question shown before loses its buttons. A finished dialogue's last words (and
        when its step's reminder comes) go with the menu: the menu is the one question then."""
        if turn.finished:
            said = list(turn.messages)
            if turn.run_id is not None:
                notice = await self._step_reminder_text(person, turn.run_id)
                said += [notice] if notice is not None else []
            return reply(RetireQuestion()) + await self.menu(person, said)
        parts: list[Part] = [RetireQuestion(), *(Message(text) for text in turn.messages)]
        if turn.prompt is not None and turn.run_id is not None:
            parts.append(DialogueQuestion(turn.prompt, turn.run_id))
        return Reply(tuple(parts))

    async def answer_pressed(
        self, person: Person, button: AnswerButton, label: str | None
    ) -> Reply:
        """A button of a dialogue question; old or foreign ones get a kind answer."""
        press = ButtonPress(button.turn, button.value)
        try:
            turn = await self._dialogues.press(person, button.run_id, press, self._tr)
        except StaleButton:
            return await self.stale(person)
        if turn.same_question and turn.prompt is not None and turn.run_id is not None:
            return reply(Notice(), EditQuestion(turn.prompt, turn.run_id))
        answer = None if button.value == PREVIOUS else turn.chosen or label
        chosen = self._tr.message("bot.chosen", answer=answer) if answer else None
        return reply(Notice(), ClosePressed(chosen)) + await self.turn(person, turn)

    async def stale(self, person: Person) -> Reply:
        """An unusable button: said so, and the live question back, so nobody is stuck."""
        stale = reply(Notice(self._tr.message("bot.stale_button")), ClosePressed())
        turn = await self._dialogues.current(person, self._tr)
        if turn is None:
            return stale + await self.menu(person)
        return stale + await self.turn(person, turn)

    async def menu_pressed(
        self, person: Person, account: str, button: MenuButton, label: str | None
    ) -> Reply:
        """Open (start or resume), show the last version, or redo a dialogue."""
        action, dialogue_id = button.action, button.dialogue_id
        if not self._dialogues.exists(dialogue_id):
            return await self.stale(person)
        if action == "menu":
            return reply(Notice()) + await self.menu(person)
        closed = reply(Notice(), self._chosen(label))
        tr = self._tr
        if action == "open":
            menu = {
                entry.dialogue_id: entry.status for entry in await self._dialogues.menu(person, tr)
            }
            if menu.get(dialogue_id) == "done":
                return closed + await self.version(person, dialogue_id)
        if action in ("open", "redo"):
            await self._inputs.clear(account)
            turn = await self._dialogues.open(person, dialogue_id, tr)
            return closed + await self.turn(person, turn)
        return closed + await self.version(person, dialogue_id)

    async def version(self, person: Person, dialogue_id: str) -> Reply:
        """What the person last said in a finished dialogue, with Redo and Menu buttons."""
        tr = self._tr
        version = await self._dialogues.latest(person, dialogue_id, tr)
        if version is None:
            return await self.menu(person)
        when = tr.date_time(version.finished_at, self._timezone)
        lines = [tr.message("bot.version_header", title=version.title, date=when)]
        lines += [f"• {label} : {value}" for label, value in version.lines]
        return say(
            "\n".join(lines),
            [
                [(tr.message("bot.redo"), MenuButton("redo", dialogue_id))],
                [(tr.message("bot.back_to_menu"), MenuButton("menu", dialogue_id))],
            ],
        )

    async def _step_reminder_text(self, person: Person, run_id: int) -> str | None:
        """After Mes idées, when the step's reminder will come (None after another dialogue,
        or when no reminder was asked for)."""
        due_at = await self._reminders.step_reminder_at(person, run_id)
        if due_at is None:
            return None
        tr = self._tr
        date = tr.spoken(due_at, self._timezone, about=True)
        # Like /rdv: a weekend or a public holiday may be a day the step cannot be done.
        warning = day_warning_line(due_at, tr, self._timezone)
        return f"{tr.message('reminder.step_when', date=date)}\n{warning}".strip()
