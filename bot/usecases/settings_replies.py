"""/reglages, /pause, /reprendre as replies: the person owns the rhythm of what reaches them."""

from __future__ import annotations

from bot.actions import SettingsButton
from bot.domain import Person
from bot.i18n import Translator
from bot.pending_states import QuietBound
from bot.replies import EditPressed, Message, Notice, Reply, Rows, reply, say
from bot.usecases.dialogues import Dialogues
from bot.usecases.inputs import PendingInputs
from bot.usecases.settings import RhythmSettings
from bot.usecases.settings_layout import settings_view


def settings_message(person: Person, tr: Translator) -> tuple[str, Rows]:
    """What the person chose, in words, and every choice as a button."""
    text, rows = settings_view(person, tr)
    choices = tuple(
        tuple((choice.label, SettingsButton(choice.setting, choice.value)) for choice in row)
        for row in rows
    )
    return text, choices


class SettingsReplies:
    """Quiet hours, Sundays, the strengths check-in rhythm, a pause."""

    def __init__(self, rhythm: RhythmSettings, dialogues: Dialogues, inputs: PendingInputs) -> None:
        self._rhythm = rhythm
        self._dialogues = dialogues
        self._inputs = inputs

    async def show(self, person: Person, tr: Translator) -> Reply:
        """/reglages: what is chosen, then every choice (the person as stored now)."""
        text, choices = settings_message(await self._rhythm.as_stored(person), tr)
        return reply(Message(text, choices))

    async def pressed(
        self, person: Person, account: str, button: SettingsButton, tr: Translator
    ) -> Reply:
        """Change one setting: the message shows the new state in place; "Autre heure" asks
        for a bound typed to the minute."""
        choice = await self._rhythm.choose(person, button.field, button.value)
        if choice == "refused":
            return reply(Notice(tr.message("bot.stale_button")))
        if choice == "type_a_time":
            await self._dialogues.leave(person)
            await self._inputs.expect(account, QuietBound(button.value))
            key = "settings.ask_morning" if button.value else "settings.ask_evening"
            return reply(Notice()) + say(tr.message(key))
        text, choices = settings_message(await self._rhythm.as_stored(person), tr)
        return reply(Notice(), EditPressed(text, choices))

    async def pause(self, person: Person, tr: Translator) -> Reply:
        """/pause: no reminder at all until /reprendre."""
        await self._rhythm.pause(person)
        return say(tr.message("settings.pause_done"))

    async def resume(self, person: Person, tr: Translator) -> Reply:
        """/reprendre: reminders again."""
        await self._rhythm.resume(person)
        return say(tr.message("settings.resume_done"))
