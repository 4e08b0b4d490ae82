"""`equipage chat`: the same dialogues and database, in the terminal (stdin/stdout).

Every line goes to the same conversation use case as Telegram's updates (safety first, then
what waits for the person's words, then the dialogue), and its reply is printed: buttons
as numbered options; the person types a number or the label. Standard input can be a file
of answers, so a dialogue can be tried or checked without Telegram.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TextIO

from bot.actions import AnswerButton
from bot.console_output import ConsoleOutput, choice_typed
from bot.console_replies import ConsoleScreen
from bot.console_rights import ConsoleRights
from bot.domain import Person
from bot.engine import Button
from bot.i18n import Translator, current_language
from bot.replies import EditQuestion, Reply
from bot.services import Services
from bot.usecases.anyone_replies import Someone
from bot.usecases.conversation_inputs import Command, CommandName, Input, Pressed, Words
from bot.usecases.persons import console_account

# Commands the conversation use case answers, by the words typed (French and English).
CONVERSATION_COMMANDS: dict[str, CommandName] = {
    "/menu": "menu",
    "/annuler": "cancel",
    "/cancel": "cancel",
    "/retour": "back",
    "/back": "back",
    "/langue": "language",
    "/language": "language",
    "/preparer": "prepare",
    "/reglages": "settings",
    "/pause": "pause",
    "/reprendre": "resume",
    "/convenu": "agreed",
    "/effacer": "erase",
}


class Console:
    """A read–answer loop over the conversation use case."""

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
        self._account = console_account(name)
        self._in = stdin
        self._out = ConsoleOutput(stdout)
        self._echo = not stdin.isatty()
        self._screen = ConsoleScreen(self._out, services.conversation)
        # /mes_donnees writes its files here: the folder the terminal was opened in.
        self._rights = ConsoleRights(services, folder or Path.cwd(), self._out)
        self._anyone = services.anyone
        self._erasing = False  # the erase question is open: lines answer it or are refused

    @property
    def _tr(self) -> Translator:
        return self._services.catalogs.translator()

    async def _person(self) -> Person:
        return await self._services.persons.identify(
            self._account, chat_id=None, language_code=None
        )

    async def run(self) -> None:
        """Greet, show the menu, then read lines until end of input or /quitter."""
        person = await self._person()
        current_language.set(person.language)
        self._out.write(self._tr.message("bot.greeting"))
        self._out.write(self._tr.message("console.how_to"))
        conversation = self._services.conversation
        turn = await self._services.dialogues.current(person, self._tr)
        if turn is not None:
            await self._screen.show(await conversation.turn(person, turn))
        else:
            await self._screen.show(await conversation.menu(person))
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

    def _someone(self, person: Person) -> Someone:
        return Someone(self._account, person=person)

    async def _converse(self, person: Person, said: Input) -> Reply:
        return await self._services.conversation.handle(person, self._account, said)

    async def _handle(self, line: str) -> bool:
        command = line.lower()
        if command in ("/quitter", "/quit", "/exit"):
            return False  # before identifying: after /effacer, nobody is created again
        person = await self._person()
        if not command.startswith("/"):
            await self._free_text(person, line)
            return True
        self._screen.close()
        self._erasing = False
        if command in CONVERSATION_COMMANDS:
            name = CONVERSATION_COMMANDS[command]
            if name in ("prepare", "cancel"):
                self._screen.leave_question()
            await self._screen.show(await self._converse(person, Command(name)))
            # Until it is answered, a line is taken for nothing else than the erase question.
            self._erasing = name == "erase"
            if name == "cancel":
                # The terminal has no button to bring the menu back: it comes by itself.
                await self._screen.show(await self._services.conversation.menu(person))
        elif command in ("/aide", "/help"):
            await self._screen.show(await self._anyone.help(self._someone(person)))
        elif command in ("/urgence", "/emergency"):
            await self._screen.show(await self._anyone.emergency(self._someone(person)))
        elif command == "/mes_donnees":
            await self._rights.export(person, self._tr)
        else:
            await self._screen.show(await self._anyone.unknown_command(self._someone(person)))
        return True

    async def _free_text(self, person: Person, line: str) -> None:
        """A line answers the erase question, a choice shown, a button of the dialogue's
        question, or else it is words for the conversation (screened there first)."""
        chosen = self._screen.choice(line)
        if self._erasing and chosen is None:
            self._out.say(self._tr.message("console.erase_choices"))
            return
        self._erasing = False
        if chosen is not None:
            label, action = chosen
            await self._screen.show(await self._converse(person, Pressed(action, label)))
            return
        prompt, run_id = self._screen.prompt, self._screen.run_id
        if prompt is not None and run_id is not None:
            buttons = [b for row in prompt.buttons for b in row]
            ticks = _numbers(line)
            if len(ticks) > 1 and choice_typed(line, buttons) is None:
                await self._tick_each(person, ticks, buttons)
                return
            button = choice_typed(line, buttons)
            if button is not None:
                press = Pressed(AnswerButton(run_id, prompt.turn, button.value), button.label)
                await self._screen.show(await self._converse(person, press))
                return
        await self._screen.show(await self._converse(person, Words(line)))

    async def _tick_each(self, person: Person, ticks: list[str], buttons: list[Button]) -> None:
        """ "1 2" or "1,2" on a multiple choice: each number is a tick, in turn."""
        prompt, run_id = self._screen.prompt, self._screen.run_id
        assert prompt is not None and run_id is not None
        ticked: Reply | None = None
        for number in ticks:
            button = choice_typed(number, buttons)
            if button is None:
                break
            press = Pressed(AnswerButton(run_id, prompt.turn, button.value), button.label)
            reply = await self._converse(person, press)
            if not any(isinstance(part, EditQuestion) for part in reply.parts):
                await self._screen.show(reply)  # not a multiple choice: the first was the answer
                return
            ticked = reply
        if ticked is None:
            ticked = await self._converse(person, Words(" ".join(ticks)))
        await self._screen.show(ticked)


def _numbers(line: str) -> list[str]:
    """ "1 2", "1,2", "1, 2 ; 3": the numbers typed, in order (empty if anything else)."""
    parts = [part for part in re.split(r"[\s,;]+", line.strip()) if part]
    return parts if parts and all(part.isdigit() for part in parts) else []
