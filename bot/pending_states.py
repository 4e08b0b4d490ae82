"""What an account's next free text answers: one frozen dataclass per state, one codec for all.

Every layer imports these states: a use case expects one, storage keeps it (the codec runs at
the storage edge, like the outbox messages' in `bot.messages`), a transport routes on it.
A pending input outlives the message that asked for it (a restart, an upgrade), so what is
stored must say what it is. Each class names its `kind` (the stored tag, kept from the strings
the transport used before) and its `version`; its fields are typed. In the database the kind
and the reference stay in their columns and the fields go, sealed, in `data`:

    kind="agreement_amend", ref=12, data={"v": 1, "operation": "change", "index": 0, …}

Rows written before versions existed carry no "v" (or no data at all): they are version 1 and
decode the same way. A row whose kind or version this code does not know, or whose fields do
not fit, decodes to nothing pending: the person is simply not expected to answer anything,
the bot never crashes on it. Only the kind is logged, never the content.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, NamedTuple, assert_never

from bot.domain import AgreementStep, StepAspect, StepOperation, VoiceNote

log = logging.getLogger(__name__)

VERSION = "v"


@dataclass(frozen=True)
class LearnedWords:
    """A person says, in her words, what she learned at a check-in."""

    kind: ClassVar[str] = "checkin_learned"
    version: ClassVar[int] = 1
    checkin_id: int


@dataclass(frozen=True)
class QuietBound:
    """An account types one bound of its quiet hours (`bound` says which, as the button did)."""

    kind: ClassVar[str] = "settings_quiet_bound"
    version: ClassVar[int] = 1
    bound: int


@dataclass(frozen=True)
class CannotWhy:
    """A person who cannot come to an appointment says why."""

    kind: ClassVar[str] = "appointment_cannot_why"
    version: ClassVar[int] = 1
    appointment_id: int


@dataclass(frozen=True)
class CannotWhen:
    """Then says which other moment would suit, the reason kept meanwhile."""

    kind: ClassVar[str] = "appointment_cannot_when"
    version: ClassVar[int] = 1
    appointment_id: int
    why: str | VoiceNote | None = None


@dataclass(frozen=True)
class AppointmentWhen:
    """A worker types when a person's appointment is: a day, then maybe an hour."""

    kind: ClassVar[str] = "appointment_when"
    version: ClassVar[int] = 1
    person_id: int
    day: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class AgreementProblem:
    """A worker types the problem an agreement answers."""

    kind: ClassVar[str] = "agreement_problem"
    version: ClassVar[int] = 1
    person_id: int


@dataclass(frozen=True)
class AgreementSteps:
    """Then the next steps; once typed, they wait here until sent (`steps` is None before)."""

    kind: ClassVar[str] = "agreement_steps"
    version: ClassVar[int] = 1
    person_id: int
    problem: str = ""
    steps: tuple[AgreementStep, ...] | None = None


@dataclass(frozen=True)
class ChangeDraft:
    """A change to an agreement's steps, built one answer at a time."""

    kind: ClassVar[str] = "agreement_amend"
    version: ClassVar[int] = 1
    agreement_id: int
    operation: StepOperation | None = None
    index: int | None = None
    aspect: StepAspect | None = None
    after: str | None = None


@dataclass(frozen=True)
class SummaryTopics:
    """A person types the topics she wants in a summary."""

    kind: ClassVar[str] = "summary_topics"
    version: ClassVar[int] = 1
    summary_id: int


@dataclass(frozen=True)
class Forwarded:
    """A forwarded text waits while the person says what it is about."""

    kind: ClassVar[str] = "forwarded"
    version: ClassVar[int] = 1
    text: str


PendingState = (
    LearnedWords
    | QuietBound
    | CannotWhy
    | CannotWhen
    | AppointmentWhen
    | AgreementProblem
    | AgreementSteps
    | ChangeDraft
    | SummaryTopics
    | Forwarded
)

KINDS: dict[str, type[PendingState]] = {
    state.kind: state
    for state in (
        LearnedWords,
        QuietBound,
        CannotWhy,
        CannotWhen,
        AppointmentWhen,
        AgreementProblem,
        AgreementSteps,
        ChangeDraft,
        SummaryTopics,
        Forwarded,
    )
}

_OPERATIONS: tuple[StepOperation, ...] = ("change", "remove", "add")
_ASPECTS: tuple[StepAspect, ...] = ("what", "who", "when")


class Stored(NamedTuple):
    """A state as its row holds it: kind and reference in their columns, the rest as JSON."""

    kind: str
    ref: int
    data: dict[str, Any] | None


class Undecodable(ValueError):
    """A stored field does not have the shape its state needs."""


def encode(state: PendingState) -> Stored:
    """The stored shape: kind and reference in their columns, the other fields as JSON."""
    data: dict[str, Any] = {VERSION: state.version}
    match state:
        case LearnedWords(checkin_id=ref) | CannotWhy(appointment_id=ref):
            pass
        case QuietBound(bound=ref) | AgreementProblem(person_id=ref):
            pass
        case SummaryTopics(summary_id=ref):
            pass
        case CannotWhen(appointment_id=ref, why=why):
            data["why"] = why.to_json() if isinstance(why, VoiceNote) else why
        case AppointmentWhen(person_id=ref, day=day, at=at):
            if day is not None:
                data["day"] = day
            if at is not None:
                data["at"] = at.isoformat()
        case AgreementSteps(person_id=ref, problem=problem, steps=steps):
            data["problem"] = problem
            if steps is not None:
                data["steps"] = [vars(step) for step in steps]
        case ChangeDraft(agreement_id=ref):
            for name in ("operation", "index", "aspect", "after"):
                if getattr(state, name) is not None:
                    data[name] = getattr(state, name)
        case Forwarded(text=text):
            ref = 0
            data["text"] = text
        case _:
            assert_never(state)
    return Stored(state.kind, ref, data)


def decode(stored: Stored) -> PendingState | None:
    """The state a stored row means, or None (logged by kind) if this code cannot read it."""
    known = KINDS.get(stored.kind)
    data = stored.data or {}
    version = data.get(VERSION, 1)
    if known is None:
        # The stored kind is not ours: logged only as "<str>" by the privacy filter.
        log.warning("pending_input_unknown kind=%s", stored.kind[:40])
        return None
    # A known kind is one of this module's constants, safe to name in the event itself.
    if version != known.version:
        log.warning("pending_input_unknown_version kind=" + known.kind)
        return None
    try:
        return _decode(known, stored.ref, data)
    except Undecodable:
        log.warning("pending_input_undecodable kind=" + known.kind)
        return None


def _decode(known: type[PendingState], ref: int, data: dict[str, Any]) -> PendingState:
    if known is LearnedWords:
        return LearnedWords(ref)
    if known is QuietBound:
        return QuietBound(ref)
    if known is CannotWhy:
        return CannotWhy(ref)
    if known is AgreementProblem:
        return AgreementProblem(ref)
    if known is SummaryTopics:
        return SummaryTopics(ref)
    if known is CannotWhen:
        kept = data.get("why")
        why = kept if kept is None or isinstance(kept, str) else VoiceNote.from_json(kept)
        return CannotWhen(ref, why)
    if known is AppointmentWhen:
        at = data.get("at")
        try:
            moment = None if at is None else datetime.fromisoformat(_text(at))
        except ValueError as error:
            raise Undecodable from error
        day = data.get("day")
        return AppointmentWhen(ref, None if day is None else _text(day), moment)
    if known is AgreementSteps:
        raw = data.get("steps")
        steps = None
        if raw is not None:
            if not isinstance(raw, list):
                raise Undecodable
            steps = tuple(
                AgreementStep(
                    _text(s.get("what", "")), _text(s.get("who", "")), _text(s.get("when", ""))
                )
                for s in raw
                if isinstance(s, dict)
            )
        return AgreementSteps(ref, _text(data.get("problem", "")), steps)
    if known is ChangeDraft:
        operation = data.get("operation")
        aspect = data.get("aspect")
        index = data.get("index")
        after = data.get("after")
        if operation is not None and operation not in _OPERATIONS:
            raise Undecodable
        if aspect is not None and aspect not in _ASPECTS:
            raise Undecodable
        if index is not None and (not isinstance(index, int) or isinstance(index, bool)):
            raise Undecodable
        return ChangeDraft(ref, operation, index, aspect, None if after is None else _text(after))
    if known is Forwarded:
        return Forwarded(_text(data.get("text", "")))
    raise Undecodable


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise Undecodable
    return value
