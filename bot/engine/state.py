"""The JSON state of one run of a dialogue, and its typed form.

The state is stored as JSON by the caller and handed back later (maybe days later,
maybe after a restart), so it is checked on every read: a malformed state is a
ValueError, never a crash deeper in the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeAlias, TypeGuard

# What json.loads gives back; answers are kept in this shape.
Json: TypeAlias = "bool | int | float | str | list[Json] | dict[str, Json] | None"


class Phase(StrEnum):
    ASK = "ask"  # the step's own question
    OTHER = "other"  # after "Autre": waiting for the person's own words
    AGAIN = "again"  # after an item of a repeat group: "Une autre ?"
    FIX = "fix"  # after "Corriger" on a recap: which answer to correct


class ScaleMode(StrEnum):
    NUMBERS = "numbers"  # 0 to 10
    EMOJI = "emoji"  # 1 to 5, with faces, for people who find numbers hard


# By stored value: a dict lookup, where `in tuple(Phase)` and `Phase(...)` walked the enum
# for every cursor of every state read (a state holds its whole history of cursors).
_PHASES: dict[str, Phase] = {phase.value: phase for phase in Phase}
_SCALE_MODES: dict[str, ScaleMode] = {mode.value: mode for mode in ScaleMode}


@dataclass(frozen=True)
class Cursor:
    step: str
    item: int | None = None  # index of the item when the step is inside a repeat group
    phase: Phase = Phase.ASK
    selected: tuple[str, ...] = ()  # multi: option values ticked so far
    other: Json = None  # multi: the person's "Autre" words so far
    back_to: str | None = None  # the recap to return to once this correction is answered


@dataclass(frozen=True)
class Run:
    dialogue: str
    version: int
    turn: int
    scale_mode: ScaleMode
    cursor: Cursor | None  # None once finished
    answers: dict[str, Json]  # never mutated: changes build a new dict
    # The questions asked before this one, oldest first: "Retour" goes back along them.
    history: tuple[Cursor, ...] = ()


def parse_state(data: Any, dialogue_id: str) -> Run:
    """The typed form of a stored state; ValueError if it is not a state of this dialogue."""
    if not isinstance(data, dict):
        raise ValueError("dialogue state must be a JSON object")
    if data.get("dialogue") != dialogue_id:
        raise ValueError(f"state of dialogue {data.get('dialogue')!r}, not {dialogue_id!r}")
    version, turn = data.get("version"), data.get("turn")
    if not _is_int(version) or version < 1:
        raise ValueError("dialogue state: version must be a positive integer")
    if not _is_int(turn) or turn < 0:
        raise ValueError("dialogue state: turn must be a non-negative integer")
    raw_mode = data.get("scale_mode")
    mode = _SCALE_MODES.get(raw_mode) if isinstance(raw_mode, str) else None
    if mode is None:
        raise ValueError("dialogue state: scale_mode must be 'numbers' or 'emoji'")
    answers = data.get("answers")
    if not isinstance(answers, dict) or not all(isinstance(key, str) for key in answers):
        raise ValueError("dialogue state: answers must be a JSON object")
    cursor = data.get("cursor")
    history = data.get("history", [])
    if not isinstance(history, list):
        raise ValueError("dialogue state: history must be a list of cursors")
    return Run(
        dialogue=dialogue_id,
        version=version,
        turn=turn,
        scale_mode=mode,
        cursor=None if cursor is None else _parse_cursor(cursor),
        answers=answers,
        history=tuple(_parse_cursor(entry) for entry in history),
    )


def dump_state(run: Run) -> dict[str, Any]:
    """The JSON form of a run, as stored by the caller."""
    state = {
        "dialogue": run.dialogue,
        "version": run.version,
        "turn": run.turn,
        "scale_mode": run.scale_mode.value,
        "cursor": None if run.cursor is None else _dump_cursor(run.cursor),
        "answers": run.answers,
    }
    if run.history:
        state["history"] = [_dump_cursor(cursor) for cursor in run.history]
    return state


def _dump_cursor(cursor: Cursor) -> dict[str, Any]:
    return {
        "step": cursor.step,
        "item": cursor.item,
        "phase": cursor.phase.value,
        "selected": list(cursor.selected),
        "other": cursor.other,
        "back_to": cursor.back_to,
    }


def _parse_cursor(data: Any) -> Cursor:
    if not isinstance(data, dict) or not isinstance(data.get("step"), str):
        raise ValueError("dialogue state: cursor must be null or an object with a step")
    item, back_to = data.get("item"), data.get("back_to")
    selected = data.get("selected", [])
    if item is not None and (not _is_int(item) or item < 0):
        raise ValueError("dialogue state: cursor item must be null or a non-negative integer")
    if back_to is not None and not isinstance(back_to, str):
        raise ValueError("dialogue state: cursor back_to must be null or a step id")
    if not isinstance(selected, list) or not all(isinstance(value, str) for value in selected):
        raise ValueError("dialogue state: cursor selected must be a list of option values")
    raw_phase = data.get("phase", Phase.ASK.value)
    phase = _PHASES.get(raw_phase) if isinstance(raw_phase, str) else None
    if phase is None:
        raise ValueError(f"dialogue state: unknown cursor phase {raw_phase!r}")
    return Cursor(
        step=data["step"],
        item=item,
        phase=phase,
        selected=tuple(selected),
        other=data.get("other"),
        back_to=back_to,
    )


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
