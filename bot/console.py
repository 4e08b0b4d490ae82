"""`equipage chat`: the same dialogues and database, in the terminal (stdin/stdout).

Buttons show as numbered options; the person types a number or the label. Standard input
can be a file of answers, so a dialogue can be tried or checked without Telegram.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TextIO

from bot.console_output import ConsoleOutput, choice_typed
from bot.console_rights import ConsoleRights
from bot.console_settings import ConsoleSettings
from bot.console_summary import ConsoleSummary
from bot.domain import Person
from bot.engine import Button, ButtonPress, Prompt, TextAnswer
from bot.i18n import Translator, current_language
from bot.services import Services
from bot.usecases.agreement_layout import rounds_text
from bot.usecases.dialogues import NoDialogue, StaleButton, Turn
from bot.usecases.persons import console_account
from bot.usecases.safety import StaleHold, help_messages


class Console:
    """A read–answer loop over the dialogue use cases."""

    def __init__(
        self,
        services: Services,
        name: str,
        stdin: TextIO,
        stdout: TextIO,
        folder: Path | None = None,
    ) -> None:
        self._services = services
        self._name = name
        self._in = stdin
        self._out = ConsoleOutput(stdout)
        self._echo = not stdin.isatty()
        self._choices: list[tuple[str, str]] = []  # (label, menu dialogue id)
        self._prompt: Prompt | None = None
        self._run_id: int | None = None
        self._held: int | None = None  # words held by the safety step, awaiting keep or drop
        account = console_account(name)
        self._summary = ConsoleSummary(services, account, self._out)
        # /mes_donnees writes its files here: the folder the terminal was opened in.
        self._rights = ConsoleRights(services, folder or Path.cwd(), self._out)
        self._settings = ConsoleSettings(services, account, self._out, self._person)

    @property
    def _tr(self) -> Translator:
        return self._services.catalogs.translator()

    async def _person(self) -> Person:
        return await self._services.persons.identify(
            console_account(self._name), chat_id=None, language_code=None
        )

    async def run(self) -> None:
        """Greet, show the menu, then read lines until end of input or /quitter."""
        current_language.set((await self._person()).language)
        self._out.write(self._tr.message("bot.greeting"))
        self._out.write(self._tr.message("console.how_to"))
        turn = await self._services.dialogues.current(await self._person(), self._tr)
        if turn is not None:
            self._show_turn(turn)
            await self._services.dialogues.shown(turn)
        else:
            await self._show_menu()
        while True:
            self._out.prompt()
            line = self._in.readline()
            if not line:
                self._out.say(self._tr.message("console.bye"))
                return
            line = line.rstrip("\n")
            if self._echo:
                self._out.write(line)
            if not await self._handle(line.strip()):
                self._out.write(self._tr.message("console.bye"))
                return

    async def _handle(self, line: str) -> bool:
        command = line.lower()
        if command in ("/quitter", "/quit", "/exit"):
            return False  # before identifying: after /effacer, nobody is created again
        person = await self._person()
        dialogues = self._services.dialogues
        if command.startswith("/"):
            self._summary.close()
            self._rights.close()
            self._settings.close()
        if command == "/menu":
            await self._show_menu()
        elif command in ("/aide", "/help"):
            self._out.write(self._tr.message("bot.help"))
        elif command == "/urgence":
            self._out.write(self._tr.message("bot.emergency"))
        elif command == "/preparer":
            self._prompt = None
            await self._summary.prepare(person, self._tr)
        elif command == "/mes_donnees":
            await self._rights.export(person, self._tr)
        elif command == "/effacer":
            self._prompt = None
            await dialogues.leave(person)
            self._rights.ask_erase(person, self._tr)
        elif command == "/convenu":
            await self._show_agreements(person)
        elif command == "/reglages":
            self._settings.show(person, self._tr)
        elif command == "/pause":
            await self._settings.pause(person, self._tr)
        elif command == "/reprendre":
            await self._settings.resume(person, self._tr)
        elif command in ("/langue", "/language"):
            self._settings.ask_language(self._tr)
        elif command == "/annuler":
            await self._services.inputs.clear(console_account(self._name))
            left = await dialogues.leave(person)
            self._out.write(self._tr.message("bot.cancel_done" if left else "bot.cancel_nothing"))
            self._prompt = None
            await self._show_menu()
        elif command in ("/retour", "/back") and self._prompt is not None:
            try:
                self._show_turn(await dialogues.back(person, self._tr))
            except NoDialogue:
                await self._show_menu()
        elif command.startswith("/"):
            self._out.write(self._tr.message("bot.unknown_command"))
        else:
            await self._free_text(person, line)
        return True

    async def _free_text(self, person: Person, line: str) -> None:
        """A line that is not a command answers the first of these that asked something."""
        tr = self._tr
        if await self._rights.takes(person, line, tr):
            return
        held_choice = None if self._held is None else self._held_choice(line)
        if held_choice is not None:
            await self._held_answer(person, held_choice == "keep")
            return
        if await self._screen(person, line):  # safety before anything else reads the words
            return
        # The summary's and the settings' choices were shown after the dialogue's question.
        for takes in (self._summary.takes, self._settings.takes):
            if await takes(person, line, tr):
                return
        if self._prompt is not None and self._run_id is not None:
            await self._answer(person, line)
            return
        await self._choose_from_menu(person, line)

    async def _show_agreements(self, person: Person) -> None:
        """/convenu: every round with the worker, as the person reads them in Telegram."""
        rounds = await self._services.agreements.rounds(person.id)
        if not rounds:
            self._out.write(self._tr.message("agreement.none"))
            return
        header = self._tr.message("agreement.history_header")
        timezone = self._services.settings.timezone
        self._out.write(rounds_text(header, rounds, self._tr, timezone, reader="person"))

    async def _screen(self, person: Person, line: str) -> bool:
        """The safety step, as in Telegram: True when help was shown (the words are held)."""
        self._held = None
        help = await self._services.safety.screen(console_account(self._name), line, person=person)
        if help is None:
            return False
        for text in help_messages(help, self._tr):
            self._out.say(text)
        if help.held_id is not None:
            self._held = help.held_id
            self._out.say(self._tr.message("safety.keep_question"))
            self._out.numbered(
                self._tr.message(f"safety.keep_{answer}") for answer in ("yes", "no")
            )
        return True

    def _held_choice(self, line: str) -> str | None:
        """ "keep" or "drop" when the line answers the keep question, else None."""
        choices = [
            Button(self._tr.message("safety.keep_yes"), "keep"),
            Button(self._tr.message("safety.keep_no"), "drop"),
        ]
        chosen = choice_typed(line, choices)
        return None if chosen is None else chosen.value

    async def _held_answer(self, person: Person, keep: bool) -> None:
        """Keep the held words as the answer they were written for, or drop them and ask again."""
        assert self._held is not None
        held_id, self._held = self._held, None
        try:
            words = await self._services.safety.release(
                console_account(self._name), person, held_id, keep
            )
        except StaleHold:
            self._out.write(self._tr.message("safety.stale"))
            return
        if words is not None:
            self._out.write(self._tr.message("safety.kept"))
            if self._prompt is not None and self._run_id is not None:
                await self._answer(person, words)
            return
        self._out.write(self._tr.message("safety.dropped"))
        turn = await self._services.dialogues.current(person, self._tr)
        if turn is None:
            await self._show_menu()
            return
        self._out.write(self._tr.message("safety.ask_again"))
        self._show_turn(turn)

    async def _answer(self, person: Person, line: str) -> None:
        assert self._prompt is not None and self._run_id is not None
        buttons = [b for row in self._prompt.buttons for b in row]
        ticks = _numbers(line)
        if len(ticks) > 1 and choice_typed(line, buttons) is None:
            await self._tick_each(person, ticks, buttons)
            return
        button = choice_typed(line, buttons)
        try:
            if button is not None:
                press = ButtonPress(self._prompt.turn, button.value)
                turn = await self._services.dialogues.press(person, self._run_id, press, self._tr)
            else:
                turn = await self._services.dialogues.answer(person, TextAnswer(line), self._tr)
        except (StaleButton, NoDialogue):
            await self._show_menu()
            return
        self._show_turn(turn)
        await self._services.dialogues.shown(turn)
        if turn.finished:
            await self._show_menu()

    async def _tick_each(self, person: Person, ticks: list[str], buttons: list[Button]) -> None:
        """ "1 2" or "1,2" on a multiple choice: each number is a tick, in turn."""
        assert self._prompt is not None and self._run_id is not None
        turn = None
        for number in ticks:
            button = choice_typed(number, buttons)
            if button is None:
                break
            press = ButtonPress(self._prompt.turn, button.value)
            try:
                turn = await self._services.dialogues.press(person, self._run_id, press, self._tr)
            except (StaleButton, NoDialogue):
                await self._show_menu()
                return
            if not turn.same_question:
                break  # not a multiple choice: the first number was the answer
        if turn is None:
            turn = await self._services.dialogues.answer(
                person, TextAnswer(" ".join(ticks)), self._tr
            )
        self._show_turn(turn)
        if turn.finished:
            await self._show_menu()

    async def _choose_from_menu(self, person: Person, line: str) -> None:
        labels = [Button(label, dialogue_id) for label, dialogue_id in self._choices]
        chosen = choice_typed(line, labels)
        if chosen is None:
            self._out.write(self._tr.message("bot.no_dialogue"))
            await self._show_menu()
            return
        turn = await self._services.dialogues.open(person, chosen.value, self._tr)
        self._show_turn(turn)
        await self._services.dialogues.shown(turn)

    async def _show_menu(self) -> None:
        person = await self._person()
        entries = await self._services.dialogues.menu(person, self._tr)
        self._prompt = None
        self._run_id = None
        self._choices = [
            (self._tr.message(f"bot.menu_{entry.status}", title=entry.title), entry.dialogue_id)
            for entry in entries
        ]
        self._out.say(self._tr.message("bot.menu"))
        self._out.numbered(label for label, _ in self._choices)

    def _show_turn(self, turn: Turn) -> None:
        for text in turn.messages:
            self._out.say(text)
        self._prompt = turn.prompt
        self._run_id = turn.run_id
        if turn.prompt is None:
            return
        self._out.say(turn.prompt.text)
        buttons = [button for row in turn.prompt.buttons for button in row]
        values = [button.label for button in buttons if button.label.isdigit()]
        if values:
            # A 0–10 scale: the person types the value itself; other buttons by their words.
            self._out.write("  " + "  ".join(values))
            for button in buttons:
                if not button.label.isdigit():
                    self._out.write(f"  · {button.label}")
            return
        self._out.numbered(button.label for button in buttons)


def _numbers(line: str) -> list[str]:
    """ "1 2", "1,2", "1, 2 ; 3": the numbers typed, in order (empty if anything else)."""
    parts = [part for part in re.split(r"[\s,;]+", line.strip()) if part]
    return parts if parts and all(part.isdigit() for part in parts) else []
