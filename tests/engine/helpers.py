"""A person talking to the engine, for tests that read like journeys."""

from __future__ import annotations

import copy
import json
import textwrap
from functools import cache
from pathlib import Path
from typing import Any

from bot.engine import (
    Answer,
    Button,
    ButtonPress,
    Dialogue,
    Outcome,
    Prompt,
    TextAnswer,
    VoiceAnswer,
    advance,
    current_prompt,
    load_dialogues,
    load_ui_texts,
    start,
)
from bot.engine.model import PREVIOUS

DIALOGS = Path(__file__).resolve().parents[2] / "dialogs"


@cache
def ui_texts() -> dict[str, str]:
    return load_ui_texts(DIALOGS)


class Identity:
    """Translator that keeps French: gettext returns the msgid, message() formats the UI text."""

    def gettext(self, msgid: str) -> str:
        return msgid

    def message(self, key: str, **params: object) -> str:
        return ui_texts()[key].format(**params)


TR = Identity()


def ui(key: str, **params: object) -> str:
    """A UI text as the person reads it."""
    return TR.message(f"engine.{key}", **params)


def dialogue_from(tmp_path: Path, source: str, name: str = "essai") -> Dialogue:
    """Load one dialogue written inline in a test (indented YAML is fine)."""
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(textwrap.dedent(source), encoding="utf-8")
    (dialogue,) = load_dialogues(folder).values()
    return dialogue


class Person:
    """Answers a dialogue through the public API, checking its promises at every turn."""

    def __init__(self, dialogue: Dialogue, *, scale_mode: str = "numbers") -> None:
        self.dialogue = dialogue
        self.last: Outcome = start(dialogue, TR, scale_mode=scale_mode)
        self.state: dict[str, Any] = self.last.state
        self._check(self.last)

    @property
    def prompt(self) -> Prompt:
        assert self.last.prompt is not None, "the dialogue is finished"
        return self.last.prompt

    @property
    def answers(self) -> dict[str, Any]:
        answers: dict[str, Any] = self.state["answers"]
        return answers

    @property
    def step(self) -> str | None:
        cursor = self.state["cursor"]
        return None if cursor is None else str(cursor["step"])

    def buttons(self) -> list[Button]:
        """The question's own buttons ("↩︎ Retour" is navigation: see `can_go_back`)."""
        return [button for row in self.prompt.buttons for button in row if button.value != PREVIOUS]

    @property
    def can_go_back(self) -> bool:
        return any(button.value == PREVIOUS for row in self.prompt.buttons for button in row)

    def goes_back(self) -> Outcome:
        return self.presses(PREVIOUS)

    def labels(self) -> list[str]:
        return [button.label for button in self.buttons()]

    def value_of(self, label: str) -> str:
        (value,) = [button.value for button in self.buttons() if button.label == label]
        return value

    def says(self, text: str) -> Outcome:
        return self.take(TextAnswer(text))

    def records(self, file_id: str = "voice-1", duration: int = 12) -> Outcome:
        return self.take(VoiceAnswer(file_id, duration))

    def presses(self, value: str, *, turn: int | None = None) -> Outcome:
        return self.take(ButtonPress(self.prompt.turn if turn is None else turn, value))

    def taps(self, label: str) -> Outcome:
        return self.presses(self.value_of(label))

    def take(self, answer: Answer) -> Outcome:
        before = copy.deepcopy(self.state)
        outcome = advance(self.dialogue, self.state, answer, TR)
        assert self.state == before, "advance changed the state it was given"
        if outcome.accepted:
            self.state = outcome.state
        else:
            assert outcome.state == before, "a rejected answer changed the state"
        self.last = outcome
        self._check(outcome)
        return outcome

    def _check(self, outcome: Outcome) -> None:
        json.dumps(outcome.state)
        assert outcome.finished == (outcome.prompt is None)
        if outcome.prompt is not None:
            # Resuming later shows exactly the same question.
            assert current_prompt(self.dialogue, outcome.state, TR) == outcome.prompt
