"""What the outbox carries: one frozen dataclass per kind of message, one codec for all.

A message is queued by a use case and rendered by a transport, maybe after a restart or an
upgrade, so what is stored must say what it is. Each class names its `kind` (the stored tag)
and its `version` (raised when its fields change meaning); its fields are its parameters,
stored as JSON:

    {"kind": "appointment", "v": 1, "params": {"at": "2026-12-01T13:30:00+00:00", …}}

Rows written before versions existed carry no "v": they are version 1. A row whose kind or
version this code does not know decodes to `Unrenderable`: the courier sets it aside, it
never blocks the messages behind it. Producers and the renderer name classes, never kind
strings, so a typo is a mypy error; the renderer matches every class (`assert_never`).
"""

from __future__ import annotations

import types
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, ClassVar, Literal, Union, get_args, get_origin, get_type_hints

from bot.domain import VoiceNote

AppointmentAnswer = Literal["noted", "cannot"]
SafetyHow = Literal["called", "handling"]


@dataclass(frozen=True)
class PersonJoined:
    """To a worker: a person accepted the invitation."""

    kind: ClassVar[str] = "person_joined"
    version: ClassVar[int] = 1
    pseudonym: str = ""


@dataclass(frozen=True)
class PersonLeft:
    """To a worker: a person erased their data and left."""

    kind: ClassVar[str] = "person_left"
    version: ClassVar[int] = 1
    pseudonym: str = ""


@dataclass(frozen=True)
class CallRequested:
    """To a worker: a person asked to be called (no longer queued; older rows still render)."""

    kind: ClassVar[str] = "call_request"
    version: ClassVar[int] = 1
    pseudonym: str = ""


@dataclass(frozen=True)
class WorkerChanged:
    """To a person: another worker now follows them (after an administrator's transfer)."""

    kind: ClassVar[str] = "worker_changed"
    version: ClassVar[int] = 1
    name: str = ""
    structure: str = ""


@dataclass(frozen=True)
class ReminderDue:
    """To a person or a worker: a discreet line; the content comes on "Voir"."""

    kind: ClassVar[str] = "reminder"
    version: ClassVar[int] = 1
    reminder_id: int


@dataclass(frozen=True)
class AppointmentSet:
    """To a person: their next appointment (and which one it replaces, if that one was told).

    Storage fills `appointment_id` (and `replaces`) when it creates the appointment."""

    kind: ClassVar[str] = "appointment"
    version: ClassVar[int] = 1
    at: datetime
    appointment_id: int = 0
    replaces: datetime | None = None


@dataclass(frozen=True)
class AppointmentCancelled:
    """To a person: the appointment at `at` is cancelled."""

    kind: ClassVar[str] = "appointment_cancelled"
    version: ClassVar[int] = 1
    at: datetime


@dataclass(frozen=True)
class AppointmentAnswered:
    """To a worker: the person noted the appointment, or cannot come (why, and when instead)."""

    kind: ClassVar[str] = "appointment_answer"
    version: ClassVar[int] = 1
    answer: AppointmentAnswer
    at: datetime
    person_id: int
    appointment_id: int
    person: str = ""
    why: str | VoiceNote | None = None
    proposed_at: datetime | None = None


@dataclass(frozen=True)
class SafetyCallRaised:
    """To a worker, at once and never held: a person asked for help."""

    kind: ClassVar[str] = "safety_call"
    version: ClassVar[int] = 1
    call_id: int
    at: datetime
    pseudonym: str = ""


@dataclass(frozen=True)
class SafetyCallSeen:
    """To a person: their worker saw the call (and called, or is handling it)."""

    kind: ClassVar[str] = "safety_seen"
    version: ClassVar[int] = 1
    call_id: int
    how: SafetyHow = "handling"


@dataclass(frozen=True)
class SafetyCallUnseen:
    """To a person: nobody saw the call in time; where to turn instead."""

    kind: ClassVar[str] = "safety_unseen"
    version: ClassVar[int] = 1
    call_id: int = 0


@dataclass(frozen=True)
class SummaryToWorker:
    """To a worker: the summary a person sent (rendered from storage at delivery)."""

    kind: ClassVar[str] = "summary"
    version: ClassVar[int] = 1
    summary_id: int


@dataclass(frozen=True)
class SummaryDelivered:
    """To a person: the worker has the summary."""

    kind: ClassVar[str] = "summary_delivered"
    version: ClassVar[int] = 1
    summary_id: int
    worker: str = ""


@dataclass(frozen=True)
class SummaryAcknowledged:
    """To a person: the worker read the summary ("Bien reçu")."""

    kind: ClassVar[str] = "summary_acknowledged"
    version: ClassVar[int] = 1
    summary_id: int
    worker: str = ""


@dataclass(frozen=True)
class SummaryFailed:
    """To a person: the summary could not reach the worker."""

    kind: ClassVar[str] = "summary_failed"
    version: ClassVar[int] = 1
    summary_id: int = 0


@dataclass(frozen=True)
class AgreementProposed:
    """To a person: the worker proposes (or re-proposes) an agreement.

    Storage fills `agreement_id` when it creates the agreement."""

    kind: ClassVar[str] = "agreement_proposed"
    version: ClassVar[int] = 1
    worker: str = ""
    agreement_id: int = 0


@dataclass(frozen=True)
class AgreementAmended:
    """To a worker: the person proposes a change to the agreement.

    Storage fills `agreement_id` when it creates the new round."""

    kind: ClassVar[str] = "agreement_amended"
    version: ClassVar[int] = 1
    person: str = ""
    agreement_id: int = 0


@dataclass(frozen=True)
class AgreementAccepted:
    """To a worker: the person accepted the agreement."""

    kind: ClassVar[str] = "agreement_accepted"
    version: ClassVar[int] = 1
    agreement_id: int
    person: str = ""


@dataclass(frozen=True)
class AgreementAcceptedByWorker:
    """To a person: the worker accepted their version of the agreement."""

    kind: ClassVar[str] = "agreement_accepted_by_worker"
    version: ClassVar[int] = 1
    agreement_id: int
    worker: str = ""


OutboxBody = (
    PersonJoined
    | PersonLeft
    | CallRequested
    | WorkerChanged
    | ReminderDue
    | AppointmentSet
    | AppointmentCancelled
    | AppointmentAnswered
    | SafetyCallRaised
    | SafetyCallSeen
    | SafetyCallUnseen
    | SummaryToWorker
    | SummaryDelivered
    | SummaryAcknowledged
    | SummaryFailed
    | AgreementProposed
    | AgreementAmended
    | AgreementAccepted
    | AgreementAcceptedByWorker
)


@dataclass(frozen=True)
class Unrenderable:
    """A stored message this code cannot read (unknown kind or version, or bad parameters).

    Only storage makes one, when reading; the courier sets its row aside."""

    kind: str
    version: int
    reason: str


BODIES: tuple[type[OutboxBody], ...] = get_args(OutboxBody)
BY_KIND: dict[str, type[OutboxBody]] = {body.kind: body for body in BODIES}
assert len(BY_KIND) == len(BODIES), "two message classes share a kind"


def encode(body: OutboxBody) -> dict[str, Any]:
    """The stored JSON of a message: its kind, its version and its parameters."""
    params = {
        field.name: _to_json(getattr(body, field.name))
        for field in fields(body)
        if getattr(body, field.name) is not None
    }
    return {"kind": body.kind, "v": body.version, "params": params}


def decode(stored: object) -> OutboxBody | Unrenderable:
    """The message stored as `encode` wrote it (or as rows before versions did); never raises."""
    if not isinstance(stored, dict) or not isinstance(stored.get("kind"), str):
        return Unrenderable("?", 0, "no kind")
    kind: str = stored["kind"]
    version = stored.get("v", 1)
    if not isinstance(version, int):
        return Unrenderable(kind, 0, "bad version")
    body = BY_KIND.get(kind)
    if body is None:
        return Unrenderable(kind, version, "unknown kind")
    if version != body.version:
        return Unrenderable(kind, version, "unknown version")
    params = stored.get("params", {})
    if not isinstance(params, dict):
        return Unrenderable(kind, version, "bad parameters")
    hints = _hints(body)
    values: dict[str, object] = {}
    for field in fields(body):
        if field.name not in params or params[field.name] is None:
            continue  # the field's default, or a TypeError below if it has none
        try:
            values[field.name] = _from_json(hints[field.name], params[field.name])
        except ValueError:
            return Unrenderable(kind, version, f"bad {field.name}")
    try:
        return body(**values)  # type: ignore[arg-type]
    except TypeError:
        return Unrenderable(kind, version, "missing parameter")


def _hints(body: type[OutboxBody]) -> dict[str, Any]:
    found = _HINTS.get(body.kind)
    if found is None:
        found = _HINTS[body.kind] = get_type_hints(body)
    return found


_HINTS: dict[str, dict[str, Any]] = {}


def _to_json(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, VoiceNote):
        return value.to_json()
    return value


def _from_json(hint: Any, raw: object) -> object:
    """`raw` as a value of type `hint`, or ValueError: a wrong type is never let through."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        for option in get_args(hint):
            if option is type(None):
                continue
            try:
                return _from_json(option, raw)
            except ValueError:
                pass
        raise ValueError(hint)
    if origin is Literal:
        if raw in get_args(hint):
            return raw
        raise ValueError(hint)
    if hint is datetime and isinstance(raw, str):
        return datetime.fromisoformat(raw)
    if hint is VoiceNote:
        note = VoiceNote.from_json(raw)
        if note is None:
            raise ValueError(hint)
        return note
    if hint is int and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if hint is str and isinstance(raw, str):
        return raw
    raise ValueError(hint)
