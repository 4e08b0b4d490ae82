"""/reglages, /pause, /reprendre and /langue in the terminal: the same use cases and words
as in Telegram, each choice numbered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.console_output import ConsoleOutput, choice_typed
from bot.domain import Person
from bot.engine import Button
from bot.i18n import Translator, current_language
from bot.pending_states import QuietBound
from bot.services import Services
from bot.usecases.dates import DateProblem, parse_clock
from bot.usecases.settings_layout import Choice, settings_view


class ConsoleSettings:
    """The person's rhythm and language, chosen by number or by label."""

    def __init__(
        self,
        services: Services,
        account: str,
        out: ConsoleOutput,
        person_now: Callable[[], Awaitable[Person]],
    ) -> None:
        self._services = services
        self._account = account
        self._person_now = person_now  # the person as stored, with what was just chosen
        self._out = out
        self._choices: list[Choice] = []  # the settings shown, awaiting a choice
        self._languages: list[str] = []  # the languages offered, awaiting a choice

    def close(self) -> None:
        """Another command came: no choice is open any more."""
        self._choices = []
        self._languages = []

    def show(self, person: Person, tr: Translator) -> None:
        """/reglages: what is chosen, then every choice."""
        text, rows = settings_view(person, tr)
        self._choices = [choice for row in rows for choice in row]
        self._languages = []
        self._out.say(text)
        self._out.numbered(choice.label for choice in self._choices)

    async def pause(self, person: Person, tr: Translator) -> None:
        await self._services.rhythm.pause(person)
        self._out.say(tr.message("settings.pause_done"))

    async def resume(self, person: Person, tr: Translator) -> None:
        await self._services.rhythm.resume(person)
        self._out.say(tr.message("settings.resume_done"))

    def ask_language(self, tr: Translator) -> None:
        """/langue: every language the catalogues speak."""
        self._choices = []
        self._languages = list(self._services.catalogs.languages)
        self._out.say(tr.message("bot.language_question"))
        self._out.numbered(tr.message(f"bot.language_{code}") for code in self._languages)

    async def takes(self, person: Person, line: str, tr: Translator) -> bool:
        """Whether the line answered a settings question (a typed time, a choice)."""
        pending = await self._services.inputs.peek(self._account)
        if isinstance(pending, QuietBound):
            await self._quiet_bound(person, bool(pending.bound), line, tr)
            return True
        if self._languages:
            return await self._language(person, line, tr)
        if not self._choices:
            return False
        buttons = [Button(choice.label, str(index)) for index, choice in enumerate(self._choices)]
        chosen = choice_typed(line, buttons)
        if chosen is None:
            return False
        choice = self._choices[int(chosen.value)]
        outcome = await self._services.rhythm.choose(person, choice.setting, choice.value)
        if outcome == "type_a_time":
            self._choices = []
            await self._services.inputs.expect(self._account, QuietBound(choice.value))
            key = "settings.ask_morning" if choice.value else "settings.ask_evening"
            self._out.say(tr.message(key))
            return True
        self.show(await self._person_now(), tr)
        return True

    async def _quiet_bound(self, person: Person, morning: bool, line: str, tr: Translator) -> None:
        try:
            at = parse_clock(line)
        except DateProblem:
            self._out.say(tr.message("settings.time_not_understood"))
            return
        await self._services.inputs.clear(self._account)
        await self._services.rhythm.quiet_bound(person, morning, at)
        self.show(await self._person_now(), tr)

    async def _language(self, person: Person, line: str, tr: Translator) -> bool:
        offered = [Button(tr.message(f"bot.language_{code}"), code) for code in self._languages]
        chosen = choice_typed(line, offered)
        if chosen is None:
            return False
        self._languages = []
        if await self._services.persons.change_language(person, chosen.value):
            current_language.set(chosen.value)
            self._out.say(self._services.catalogs.translator().message("bot.language_changed"))
        return True
