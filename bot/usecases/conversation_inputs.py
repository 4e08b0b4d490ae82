"""What a person may send the bot, as typed inputs of the conversation use case (a voice
note is the engine's `VoiceAnswer`); each transport maps its updates to these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.actions import Callback
from bot.engine import VoiceAnswer


@dataclass(frozen=True)
class Words:
    """Free text the person typed."""

    text: str


@dataclass(frozen=True)
class ForwardedWords:
    """Someone else's words the person forwarded: never taken as hers without her say."""

    text: str


@dataclass(frozen=True)
class Pressed:
    """A button; `label` is its text as the transport showed it (None if not known), and
    `action` None for data we never wrote (forged, or from a format long gone)."""

    action: Callback | None
    label: str | None = None


CommandName = Literal[
    "menu",
    "cancel",
    "back",
    "language",
    "prepare",
    "settings",
    "pause",
    "resume",
    "agreed",
    "erase",
]


@dataclass(frozen=True)
class Command:
    """/menu, /annuler, /retour, /langue, /preparer, /reglages, /pause, /reprendre, /convenu,
    /effacer."""

    name: CommandName


Input = Words | ForwardedWords | VoiceAnswer | Pressed | Command
