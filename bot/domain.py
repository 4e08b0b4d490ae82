"""The values every layer shares: persons, workers, summaries, agreements, appointments…

Frozen dataclasses and the literal types of their fields. Transports and use cases import
them from here, never from storage; storage builds them from its rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Required, TypedDict

if TYPE_CHECKING:
    from bot.messages import OutboxBody, Unrenderable

ScaleMode = Literal["numbers", "emoji"]
RunStatus = Literal["active", "finished"]
InvitationKind = Literal["worker", "person"]
SummaryStatus = Literal["draft", "sent", "delivered", "failed", "acknowledged"]
AgreementAuthor = Literal["worker", "person"]
AgreementStatus = Literal["proposed", "accepted", "superseded"]
StepAspect = Literal["what", "who", "when"]
StepOperation = Literal["change", "remove", "add"]
RecipientKind = Literal["worker", "person"]


@dataclass(frozen=True)
class Person:
    """Someone supported by a social service, as the bot knows them."""

    id: int
    account: str
    chat_id: int | None
    language: str
    scale_mode: ScaleMode
    current_run_id: int | None
    created_at: datetime
    worker_id: int | None = None
    pseudonym: str | None = None
    consented_at: datetime | None = None
    last_seen_at: datetime | None = None
    # The person's rhythm: no message between quiet_from:quiet_from_minute and
    # quiet_until:quiet_until_minute (local time), nor on Sunday if quiet_sunday; paused stops
    # reminders; strengths check-in every N weeks (0: no).
    quiet_from: int = 20
    quiet_until: int = 9
    quiet_sunday: bool = True
    paused: bool = False
    strengths_every_weeks: int = 0
    reachable: bool = True
    quiet_from_minute: int = 0
    quiet_until_minute: int = 0


@dataclass(frozen=True)
class Worker:
    """An intervenant·e: registered by an admin, active once they opened their invitation."""

    id: int
    name: str
    structure: str | None
    account: str | None
    chat_id: int | None
    language: str
    active: bool
    reachable: bool
    created_at: datetime
    joined_at: datetime | None
    # The worker's quiet hours (same meaning as the person's): non-urgent messages wait.
    quiet_from: int = 20
    quiet_until: int = 8
    quiet_sunday: bool = True
    quiet_from_minute: int = 0
    quiet_until_minute: int = 0


@dataclass(frozen=True)
class Invitation:
    """A single-use, expiring invitation; the code itself is never stored."""

    id: int
    kind: InvitationKind
    worker_id: int
    pseudonym: str | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class OutboxMessage:
    """Something to deliver to a worker or a person, rendered in their language at delivery."""

    dedupe_key: str
    recipient_kind: RecipientKind
    recipient_id: int
    # What it says, typed (bot/messages.py); `Unrenderable` only when read back from storage.
    body: OutboxBody | Unrenderable
    # The person this message is about, so erasing them erases it too.
    about_person: int | None = None
    # Not delivered before this moment (a person's quiet hours, known when it is queued).
    not_before: datetime | None = None

    @property
    def kind(self) -> str:
        """The stored tag of its body, for logs and lists."""
        return self.body.kind


@dataclass(frozen=True)
class VoiceNote:
    """A recording the person sent: Telegram keeps the sound, we keep its file id.

    Stored as `{"voice": file_id, "duration": seconds}` wherever an answer may be words."""

    file_id: str
    duration: int = 0

    def to_json(self) -> dict[str, str | int]:
        """The stored shape."""
        return {"voice": self.file_id, "duration": self.duration}

    @staticmethod
    def from_json(value: object) -> VoiceNote | None:
        """The voice note stored in `value`, or None when it holds none."""
        if not isinstance(value, dict) or not isinstance(value.get("voice"), str):
            return None
        duration = value.get("duration")
        return VoiceNote(value["voice"], duration if isinstance(duration, int) else 0)


@dataclass(frozen=True)
class OutboxItem:
    """A queued message with its delivery bookkeeping."""

    id: int
    message: OutboxMessage
    attempts: int
    created_at: datetime
    parts_sent: int = 0


class SectionContent(TypedDict, total=False):
    """One part of a stored summary: the person's answers to one dialogue (or check-ins)."""

    key: Required[str]
    title: Required[str]
    # (label, answer) pairs; JSON gives them back as two-item lists.
    lines: Required[Sequence[Sequence[str]]]
    included: Required[bool]
    # (label, Telegram file id, seconds) of each voice answer.
    voices: Sequence[Sequence[str | int]]
    # For each line: the person's own words (True), or our wording; older drafts have none.
    words: list[bool]


class ScoreContent(TypedDict):
    """A strength domain this time and last time (0–10; None when not answered)."""

    label: str
    now: float | None
    before: float | None


class StrengthsContent(TypedDict):
    """The strengths part of a summary: scores, and when each set was given (ISO 8601)."""

    scores: list[ScoreContent]
    now: str | None
    before: str | None


class FirstStepContent(TypedDict):
    """The first step in force, in the person's words."""

    what: str
    when: str


class SummaryContent(TypedDict, total=False):
    """A summary as stored (encrypted JSON): what the person prepared, in their words.

    A TypedDict rather than a dataclass: the shape is JSON at rest, and drafts written by
    older code (without `words`, `voices`, `first_step`…) must read back unchanged."""

    sections: Required[list[SectionContent]]
    # Which answers it was built from ({dialogue: run id, "premiers_pas": [check-in ids]}):
    # a preview whose sources changed is never sent.
    sources: Required[dict[str, int | list[int]]]
    person_name: str | None
    strengths: StrengthsContent
    first_step: FirstStepContent | None
    # (step, where the person is with it) for each check-in since the last summary.
    progress: Sequence[Sequence[str]]
    # What the person wants to talk about: text, or a voice note's stored shape.
    topics: str | dict[str, str | int] | None
    topics_included: bool
    topics_asked: bool


@dataclass(frozen=True)
class Summary:
    """What a person prepared for their next appointment, and where it is on its way."""

    id: int
    person_id: int
    worker_id: int | None
    status: SummaryStatus
    revision: int
    content: SummaryContent
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    acknowledged_at: datetime | None


@dataclass(frozen=True)
class AgreementStep:
    """One next step of an agreement: what to do, who does it, when (each in plain words)."""

    what: str
    who: str = ""
    when: str = ""

    def aspect(self, name: StepAspect) -> str:
        """One part of the step, by name."""
        return {"what": self.what, "who": self.who, "when": self.when}[name]


@dataclass(frozen=True)
class StepChange:
    """What one round changes in the round before: one step changed, removed or added.

    `index` counts from 0; `before` is what the step said (for a clear difference later).
    """

    operation: StepOperation
    index: int
    aspect: StepAspect | None = None
    before: str = ""
    after: str = ""


@dataclass(frozen=True)
class Agreement:
    """One round of "ce que nous avons convenu": the problem's wording and the next steps."""

    id: int
    person_id: int
    worker_id: int | None
    thread_id: int
    round: int
    author: AgreementAuthor
    problem: str
    steps: tuple[AgreementStep, ...]
    status: AgreementStatus
    created_at: datetime
    answered_at: datetime | None
    # None for a whole proposal; one change when the round answers the one before.
    change: StepChange | None = None


@dataclass(frozen=True)
class Appointment:
    """A meeting between a person and their worker."""

    id: int
    person_id: int
    worker_id: int | None
    at: datetime
    status: str
    answer: str | None
    # The other moment the person proposed when they could not come, if any.
    proposed_at: datetime | None = None


@dataclass(frozen=True)
class ReminderDraft:
    """A reminder to schedule: for a person, or (person_id None) a worker's daily list."""

    kind: str
    due_at: datetime
    person_id: int | None = None
    worker_id: int | None = None
    ref: int | None = None
    stale_at: datetime | None = None


@dataclass(frozen=True)
class Reminder:
    """A scheduled reminder row."""

    id: int
    kind: str
    due_at: datetime
    person_id: int | None
    worker_id: int | None
    ref: int | None
    stale_at: datetime | None
    status: str


@dataclass(frozen=True)
class CheckIn:
    """The person's word on a first step, between appointments."""

    id: int
    person_id: int
    step: str
    progress: str | None
    learned: str | None
    created_at: datetime
    answered_at: datetime | None
    # Goal attainment scaling: -2 (much less than expected) … +2 (much better), if given.
    attainment: int | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One access by a worker to a person's shared data."""

    worker_id: int
    worker_name: str | None
    person_id: int
    action: str
    ref: int | None
    at: datetime


@dataclass(frozen=True)
class HeldWords:
    """A message that stated distress, kept aside until the person says whether to keep it."""

    id: int
    # What the words would have answered: "run:<id>", "input:<kind>:<ref>".
    context: str
    words: str


@dataclass(frozen=True)
class SafetyCall:
    """A person's "call me" from the safety step, until their worker acknowledges it."""

    id: int
    person_id: int
    worker_id: int
    requested_at: datetime
    follow_up_at: datetime
    acknowledged_at: datetime | None
    acknowledgement: str | None


@dataclass(frozen=True)
class DialogueRun:
    """One pass through a guided dialogue; finished runs are the kept versions."""

    id: int
    person_id: int
    dialogue_id: str
    dialogue_version: int
    status: RunStatus
    state: dict[str, Any]
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    # The turn of the newest question the person has seen (None: an older run, taken as seen),
    # and the last update filed as an answer (None: none known).
    shown_turn: int | None = None
    last_update: int | None = None


# The inbox: updates stored before Telegram is told we have them (bot/telegram/inbox.py).
InboxStatus = Literal["pending", "refused", "processed", "set_aside"]


@dataclass(frozen=True)
class Arrival:
    """An update as received, with what was decided on arrival (lane, urgency, refusal)."""

    update_id: int
    lane: int
    urgent: bool
    refused: bool
    raw: dict[str, Any]


@dataclass(frozen=True)
class InboxEntry:
    """A stored update waiting in its lane."""

    update_id: int
    lane: int
    urgent: bool
    status: InboxStatus
    attempts: int
    raw: dict[str, Any]


@dataclass(frozen=True)
class InboxFigures:
    """How far behind the bot is: waiting updates and the oldest one's arrival."""

    depth: int
    oldest: datetime | None
    set_aside: int
