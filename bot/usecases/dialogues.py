"""Running the guided dialogues: start, answer, leave, resume, view the last version."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from bot import engine
from bot.domain import DialogueRun, Person
from bot.engine import Answer, ButtonPress, Dialogue, Prompt, Translator
from bot.handling import bookkeeping
from bot.storage.base import RunStore
from bot.usecases.clock import Clock
from bot.usecases.replay import current_update


class DialoguesStorage(RunStore, Protocol):
    """What dialogues read and write."""


log = logging.getLogger(__name__)

MenuStatus = Literal["new", "in_progress", "done"]
# Called when a person finishes a dialogue (e.g. a first step chosen: schedule its check-in).
FinishedHook = Callable[[int, str, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Turn:
    """What the person should see after an action, for any transport to render."""

    messages: tuple[str, ...]
    prompt: Prompt | None
    run_id: int | None
    finished: bool = False
    # A multiple choice toggled: the transport edits the question in place.
    same_question: bool = False
    # The answer just kept, as shown back under its question ("Mes enfants, Ma famille").
    chosen: str | None = None


@dataclass(frozen=True)
class MenuEntry:
    """One dialogue in the menu, with where the person is in it."""

    dialogue_id: str
    title: str
    status: MenuStatus


@dataclass(frozen=True)
class Version:
    """A finished dialogue as the person last answered it."""

    title: str
    finished_at: datetime
    lines: list[tuple[str, str]]
    count: int


class StaleButton(Exception):
    """A button from an old question, another dialogue or another person."""


class NoDialogue(Exception):
    """Free text arrived while the person is in no dialogue."""


class Dialogues:
    """The dialogue use cases over storage and the engine."""

    def __init__(
        self,
        storage: DialoguesStorage,
        dialogues: dict[str, Dialogue],
        clock: Clock,
        on_finished: FinishedHook | None = None,
    ) -> None:
        self._storage = storage
        self._dialogues = dialogues
        self._clock = clock
        self._on_finished = on_finished

    def exists(self, dialogue_id: str) -> bool:
        """Whether a dialogue with this id is loaded."""
        return dialogue_id in self._dialogues

    async def menu(self, person: Person, tr: Translator) -> list[MenuEntry]:
        """The dialogues in menu order, each with the person's progress."""
        active = {run.dialogue_id for run in await self._storage.active_runs(person.id)}
        finished = await self._storage.finished_dialogue_ids(person.id)
        entries = []
        for dialogue in self._dialogues.values():
            status: MenuStatus = "new"
            if dialogue.id in active:
                status = "in_progress"
            elif dialogue.id in finished:
                status = "done"
            entries.append(MenuEntry(dialogue.id, tr.gettext(dialogue.title), status))
        return entries

    async def open(self, person: Person, dialogue_id: str, tr: Translator) -> Turn:
        """Resume the run in progress exactly where it stopped, or start a new one."""
        dialogue = self._dialogues[dialogue_id]
        run = await self._storage.active_run(person.id, dialogue_id)
        if run is not None:
            await self._storage.set_current_run(person.id, run.id)
            prompt = engine.current_prompt(dialogue, run.state, tr)
            return Turn((tr.message("bot.resume"),), prompt, run.id)
        outcome = engine.start(dialogue, tr, scale_mode=person.scale_mode)
        run = await self._storage.start_run(
            person.id, dialogue.id, dialogue.version, outcome.state, self._clock.now()
        )
        log.info("dialogue_started", extra={"person": person.id, "run": run.id})
        return Turn(outcome.messages, outcome.prompt, run.id)

    async def current(self, person: Person, tr: Translator) -> Turn | None:
        """The question the person is on, if they are in a dialogue."""
        run = await self._current_run(person)
        if run is None:
            return None
        prompt = engine.current_prompt(self._dialogues[run.dialogue_id], run.state, tr)
        return Turn((), prompt, run.id)

    async def answer(self, person: Person, answer: Answer, tr: Translator) -> Turn:
        """Free text or a voice note for the current question.

        Never filed under a question the person has not seen (the bot stopped before sending
        it): that question is shown again instead. An update already filed (handled again
        after a crash) is not filed twice."""
        run = await self._current_run(person)
        if run is None:
            raise NoDialogue
        update = current_update.get()
        repeat = update is not None and run.last_update is not None and update <= run.last_update
        seen = run.shown_turn is None or run.shown_turn >= int(run.state.get("turn", 0))
        if not seen:
            log.info("answer_before_question", extra={"run": run.id, "repeat": repeat})
            prompt = engine.current_prompt(self._dialogues[run.dialogue_id], run.state, tr)
            return Turn((tr.message("bot.resume"),), prompt, run.id)
        if repeat:
            log.info("answer_repeated", extra={"run": run.id})
            return Turn((), None, run.id)
        return await self._advance(run, answer, tr)

    async def shown(self, turn: Turn) -> None:
        """The transport sent `turn`'s question: from now on, free text answers it."""
        if turn.prompt is not None and turn.run_id is not None:
            await self._storage.mark_shown(turn.run_id, turn.prompt.turn)

    async def press(self, person: Person, run_id: int, press: ButtonPress, tr: Translator) -> Turn:
        """A button of a question; raises StaleButton unless it belongs to the live question."""
        run = await self._storage.get_run(run_id)
        if (
            run is None
            or run.person_id != person.id
            or run.status != "active"
            or run.dialogue_id not in self._dialogues
            or engine.is_stale(run.state, press)
        ):
            raise StaleButton
        if person.current_run_id != run.id:
            await self._storage.set_current_run(person.id, run.id)
        return await self._advance(run, press, tr)

    async def back(self, person: Person, tr: Translator) -> Turn:
        """/retour: the question before the current one, every answer kept."""
        run = await self._current_run(person)
        if run is None:
            raise NoDialogue
        turn = int(run.state.get("turn", 0))
        return await self._advance(run, ButtonPress(turn, engine.PREVIOUS), tr)

    async def leave(self, person: Person) -> bool:
        """Step out of the current dialogue; it stays in progress for later.

        A dialogue opened but not answered at all is not kept "à reprendre": False then,
        as there was nothing to keep (a finished version stays as it was).
        """
        if person.current_run_id is None:
            return False
        run = await self._storage.get_run(person.current_run_id)
        if run is not None and run.status == "active" and not run.state.get("answers"):
            await self._storage.drop_active_run(run.id)
            await self._storage.set_current_run(person.id, None)
            return False
        await self._storage.set_current_run(person.id, None)
        return True

    async def latest(self, person: Person, dialogue_id: str, tr: Translator) -> Version | None:
        """What the person said the last time they finished this dialogue."""
        dialogue = self._dialogues[dialogue_id]
        runs = await self._storage.finished_runs(person.id, dialogue_id)
        if not runs or runs[0].finished_at is None:
            return None
        return Version(
            title=tr.gettext(dialogue.title),
            finished_at=runs[0].finished_at,
            lines=engine.answers_view(dialogue, runs[0].state, tr),
            count=len(runs),
        )

    async def _current_run(self, person: Person) -> DialogueRun | None:
        if person.current_run_id is None:
            return None
        run = await self._storage.get_run(person.current_run_id)
        if run is None or run.status != "active" or run.dialogue_id not in self._dialogues:
            return None
        return run

    async def _advance(self, run: DialogueRun, answer: Answer, tr: Translator) -> Turn:
        dialogue = self._dialogues[run.dialogue_id]
        outcome = engine.advance(dialogue, run.state, answer, tr)
        if outcome.finished and self._on_finished is not None:
            # Before the run is closed: if the bot dies in between, the same update comes
            # again and this idempotent step is simply redone. Bookkeeping, so the update's
            # "processed" mark rides on the run's own write below (bot/handling.py).
            with bookkeeping():
                await self._on_finished(run.person_id, run.dialogue_id, outcome.state)
        if outcome.accepted:
            # Written before the bot replies: an acknowledged answer survives a crash.
            await self._storage.save_turn(
                run,
                outcome.state,
                finished=outcome.finished,
                scale_mode=outcome.scale_mode,  # type: ignore[arg-type]
                now=self._clock.now(),
                update_id=current_update.get(),
            )
        if outcome.finished:
            log.info("dialogue_finished", extra={"person": run.person_id, "run": run.id})
        old_turn = int(run.state.get("turn", -1))
        same = (
            outcome.accepted
            and outcome.prompt is not None
            and outcome.prompt.turn == old_turn
            and isinstance(answer, ButtonPress)
            and not outcome.messages
        )
        chosen = outcome.chosen if outcome.accepted else None
        return Turn(outcome.messages, outcome.prompt, run.id, outcome.finished, same, chosen)
