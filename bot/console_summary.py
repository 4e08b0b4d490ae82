"""`/preparer` in the terminal: the same use cases and texts as in Telegram, the choices
numbered instead of buttons.

The question "De quoi voulez-vous parler ?" is remembered as a pending input, as in
Telegram, so the next line answers it; then the preview and its choices (a part on or off,
Envoyer, Plus tard, Retour) stay open until one of them ends it.
"""

from __future__ import annotations

from bot.console_output import ConsoleOutput, choice_typed
from bot.domain import Person
from bot.engine import Button
from bot.i18n import Translator
from bot.pending_states import SummaryTopics
from bot.services import Services
from bot.usecases import summary_layout
from bot.usecases.summaries import NothingToSummarise
from bot.usecases.summary_content import SummaryView

SEND, LATER, BACK, SKIP = "send", "later", "back", "skip"


class ConsoleSummary:
    """The person's summary, shaped and sent from the terminal."""

    def __init__(
        self,
        services: Services,
        account: str,
        out: ConsoleOutput,
    ) -> None:
        self._services = services
        self._account = account
        self._out = out
        self._shown: SummaryView | None = None  # the preview whose choices are open

    def close(self) -> None:
        """Another command came: the preview's choices are no longer open."""
        self._shown = None

    async def prepare(self, person: Person, tr: Translator) -> None:
        """/preparer: assemble, ask the topics once, then show what would go."""
        self._shown = None
        await self._services.dialogues.leave(person)
        try:
            view = await self._services.summaries.prepare(person, tr)
        except NothingToSummarise:
            self._out.say(tr.message("summary.nothing"))
            return
        if view.updated:
            self._out.say(tr.message("summary.updated"))
        if not view.topics_asked:
            await self._ask_topics(view, tr)
            return
        await self._show(person, view, tr)

    async def takes(self, person: Person, line: str, tr: Translator) -> bool:
        """Whether the line answered the summary (the topics, or a choice); False leaves it
        to the dialogues and the menu."""
        pending = await self._services.inputs.peek(self._account)
        if isinstance(pending, SummaryTopics):
            await self._services.inputs.clear(self._account)
            skipped = choice_typed(line, [Button(tr.message("summary.skip"), SKIP)]) is not None
            view = await self._services.summaries.set_topics(person, None if skipped else line)
            if view is None:
                await self.prepare(person, tr)
            else:
                await self._show(person, view, tr)
            return True
        if self._shown is None:
            return False
        chosen = choice_typed(line, self._choices(self._shown, tr))
        if chosen is None:
            return False
        await self._choose(person, self._shown, chosen.value, tr)
        return True

    async def _ask_topics(self, view: SummaryView, tr: Translator) -> None:
        await self._services.inputs.expect(self._account, SummaryTopics(view.summary_id))
        self._out.say(tr.message("summary.topics_question"))
        self._out.numbered([tr.message("summary.skip")])

    async def _show(self, person: Person, view: SummaryView, tr: Translator) -> None:
        worker = await self._worker_name(person, tr)
        clock, settings = self._services.clock, self._services.settings
        now = tr.date_time(clock.now(), settings.timezone)
        self._out.say(summary_layout.preview_text(view, tr, worker, now))
        self._show_choices(view, tr, worker)

    def _show_choices(self, view: SummaryView, tr: Translator, worker: str) -> None:
        self._shown = view
        self._out.say(summary_layout.control_text(view, tr, worker))
        self._out.numbered(choice.label for choice in self._choices(view, tr))

    @staticmethod
    def _choices(view: SummaryView, tr: Translator) -> list[Button]:
        parts = [
            Button(summary_layout.part_label(part, tr), part.key)
            for part in summary_layout.parts(view, tr)
        ]
        return [
            *parts,
            Button(tr.message("summary.send"), SEND),
            Button(tr.message("summary.later"), LATER),
            Button(tr.message("engine.previous"), BACK),
        ]

    async def _choose(self, person: Person, view: SummaryView, choice: str, tr: Translator) -> None:
        summaries = self._services.summaries
        if choice == BACK:
            self._shown = None
            await self._ask_topics(view, tr)
            return
        if choice == LATER:
            self._shown = None
            self._out.say(tr.message("summary.kept"))
            return
        if choice != SEND:
            toggled = await summaries.toggle(person, view.summary_id, view.revision, choice)
            if toggled is not None:
                self._show_choices(toggled, tr, await self._worker_name(person, tr))
            return
        result = await summaries.send(person, view.summary_id, view.revision)
        if result == "nothing_chosen":
            self._out.say(tr.message("summary.nothing_chosen"))
            return
        self._shown = None
        if result == "changed":
            self._out.say(tr.message("summary.changed"))
            await self.prepare(person, tr)
            return
        self._out.say(tr.message(f"summary.{result}"))

    async def _worker_name(self, person: Person, tr: Translator) -> str:
        name = await self._services.summaries.worker_name(person)
        return name or tr.message("summary.your_worker")
