"""What goes in and out of the engine: answers in; prompts and outcomes out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class Translator(Protocol):
    def gettext(self, msgid: str) -> str:
        """Translate a French text from a dialogue file."""
        ...

    def message(self, key: str, **params: object) -> str:
        """A UI text from dialogs/ui/*.yaml by key ("engine.skip"), translated and formatted."""
        ...


@dataclass(frozen=True)
class Button:
    label: str
    value: str  # short ASCII [a-z0-9_.-], at most 16 bytes: it goes into callback_data


@dataclass(frozen=True)
class Prompt:
    text: str  # translated and formatted; plain text, not HTML
    buttons: tuple[tuple[Button, ...], ...]  # rows
    accepts_text: bool  # free text or a voice note is a valid answer here
    turn: int  # grows with each new question; buttons of another turn are stale


@dataclass(frozen=True)
class Outcome:
    state: dict[str, Any]  # the new JSON-serialisable state
    messages: tuple[str, ...]  # said before the prompt
    prompt: Prompt | None  # None when finished
    finished: bool
    accepted: bool  # False: the input was rejected and state equals the old state
    scale_mode: str | None  # "numbers" or "emoji" when the person switched: save it
    # The answer just kept, as the person would read it back (shown under its question).
    chosen: str | None = None


@dataclass(frozen=True)
class TextAnswer:
    text: str


@dataclass(frozen=True)
class VoiceAnswer:
    file_id: str
    duration: int


@dataclass(frozen=True)
class ButtonPress:
    turn: int
    value: str


Answer = TextAnswer | VoiceAnswer | ButtonPress
