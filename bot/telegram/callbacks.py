"""Compact, versioned callback data; anything we did not write is caught here."""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "v1"
_ID = re.compile(r"^[a-z][a-z0-9_]{0,23}$")
# run id | turn | value
_ANSWER = re.compile(r"^[0-9]{1,12}\|[0-9]{1,9}\|[A-Za-z0-9_.-]{1,16}$")
MAX_BYTES = 64


@dataclass(frozen=True)
class AnswerButton:
    """A button of a dialogue question."""

    run_id: int
    turn: int
    value: str


@dataclass(frozen=True)
class MenuButton:
    """A menu action on a dialogue: open (start/resume), show the last version, redo."""

    action: str
    dialogue_id: str


@dataclass(frozen=True)
class LanguageButton:
    """A choice in /langue."""

    language: str


@dataclass(frozen=True)
class ConsentButton:
    """Accept, learn more or refuse, for one invitation, with a token bound to the account."""

    action: str
    invitation_id: int
    token: str


Callback = AnswerButton | MenuButton | LanguageButton | ConsentButton

CONSENT_ACTIONS = frozenset({"accept", "more", "refuse"})
_CONSENT = re.compile(r"^(accept|more|refuse)\|[0-9]{1,12}\|[0-9a-f]{16}$")

MENU_ACTIONS = frozenset({"open", "show", "redo", "menu"})


class ForgedCallback(ValueError):
    """Callback data we never produced (old format, tampering, truncation)."""


def encode(callback: Callback) -> str:
    """The callback_data string for a button (always under 64 bytes)."""
    match callback:
        case AnswerButton(run_id, turn, value):
            data = f"{PREFIX}|a|{run_id}|{turn}|{value}"
        case MenuButton(action, dialogue_id):
            data = f"{PREFIX}|m|{action}|{dialogue_id}"
        case LanguageButton(language):
            data = f"{PREFIX}|l|{language}"
        case ConsentButton(action, invitation_id, token):
            data = f"{PREFIX}|c|{action}|{invitation_id}|{token}"
    if len(data.encode()) > MAX_BYTES:
        raise ValueError("callback data over 64 bytes")
    return data


def decode(data: str | None) -> Callback:
    """Parse callback_data; raise ForgedCallback for anything malformed."""
    parts = (data or "").split("|")
    if len(parts) < 3 or parts[0] != PREFIX:
        raise ForgedCallback
    kind = parts[1]
    if kind == "a" and len(parts) == 5 and _ANSWER.match("|".join(parts[2:])):
        return AnswerButton(int(parts[2]), int(parts[3]), parts[4])
    if kind == "m" and len(parts) == 4 and parts[2] in MENU_ACTIONS and _ID.match(parts[3]):
        return MenuButton(parts[2], parts[3])
    if kind == "c" and len(parts) == 5 and _CONSENT.match("|".join(parts[2:])):
        return ConsentButton(parts[2], int(parts[3]), parts[4])
    if kind == "l" and len(parts) == 3 and re.fullmatch(r"[a-z]{2}", parts[2]):
        return LanguageButton(parts[2])
    raise ForgedCallback
