"""Compact, versioned callback data; anything we did not write is caught here."""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "v1"
# Numbers in canonical form only (no leading zero), so each button has exactly one spelling.
_ID12 = r"(?:0|[1-9][0-9]{0,11})"
_ID9 = r"(?:0|[1-9][0-9]{0,8})"
_ID = re.compile(r"^[a-z][a-z0-9_]{0,23}\Z")
# run id | turn | value
_ANSWER = re.compile(r"^" + _ID12 + r"\|" + _ID9 + r"\|[A-Za-z0-9_.-]{1,16}\Z")
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


@dataclass(frozen=True)
class SummaryButton:
    """On the person's summary preview: toggle a part, send, skip topics, keep for later."""

    action: str
    summary_id: int
    revision: int
    part: str = "-"


@dataclass(frozen=True)
class AgreementButton:
    """An answer to a round of what was agreed: accept, change/remove/add a step, send, cancel."""

    action: str
    agreement_id: int


@dataclass(frozen=True)
class StepButton:
    """Which step to change or remove, and which part of it (`-` while not chosen yet)."""

    operation: str
    agreement_id: int
    index: int
    aspect: str = "-"


@dataclass(frozen=True)
class ForwardButton:
    """Keep a forwarded message as the person's answer, or not."""

    action: str


@dataclass(frozen=True)
class WorkerButton:
    """A worker's action on one of their persons, summaries or agreements."""

    action: str
    ref: int


@dataclass(frozen=True)
class RightsButton:
    """The answer to /effacer's confirmation; "erase" carries the token the bot issued with it."""

    action: str
    token: str = ""


@dataclass(frozen=True)
class SafetyButton:
    """The safety step: call me or not, keep or drop held words (their id), and the worker's
    acknowledgement of a call request (its id)."""

    action: str
    ref: int = 0


@dataclass(frozen=True)
class ReminderButton:
    """ "Voir" under a discreet reminder."""

    reminder_id: int


@dataclass(frozen=True)
class CheckinButton:
    """Where the person is with their first step."""

    progress: str
    checkin_id: int


@dataclass(frozen=True)
class AppointmentButton:
    """The person's answer to an appointment: noted, or cannot come."""

    answer: str
    appointment_id: int


@dataclass(frozen=True)
class SettingsButton:
    """A choice in /reglages."""

    field: str
    value: int


Callback = (
    AnswerButton
    | MenuButton
    | LanguageButton
    | ConsentButton
    | SummaryButton
    | AgreementButton
    | StepButton
    | ForwardButton
    | WorkerButton
    | RightsButton
    | SafetyButton
    | ReminderButton
    | CheckinButton
    | AppointmentButton
    | SettingsButton
)

SUMMARY_ACTIONS = ("toggle", "send", "later", "skip", "prep", "back")
AGREEMENT_ACTIONS = ("ok", "change", "remove", "add", "view", "send", "drop", "back")
WORKER_ACTIONS = (
    "ack",
    "hist",
    "card",
    "chart",
    "agree",
    "accept",
    "rounds",
    "rdv",
    "rdvok",
    "rdvcancel",
    "rdvtake",
    "agsend",
    "agredo",
    "agback",
)
_SUMMARY = re.compile(
    r"^(" + "|".join(SUMMARY_ACTIONS) + r")\|" + _ID12 + r"\|" + _ID9 + r"\|[a-z_-]{1,12}\Z"
)
_AGREEMENT = re.compile(r"^(" + "|".join(AGREEMENT_ACTIONS) + r")\|" + _ID12 + r"\Z")
_STEP = re.compile(r"^(change|remove)\|" + _ID12 + r"\|(?:0|[1-9][0-9]?)\|(what|who|when|-)\Z")
_WORKER = re.compile(r"^(" + "|".join(WORKER_ACTIONS) + r")\|" + _ID12 + r"\Z")
_CHECKIN = re.compile(
    r"^(done|in_progress|not_yet|change|skip"
    r"|much_less|less|as_expected|better|much_better)\|" + _ID12 + r"\Z"
)
# noreason / nowhen: "Passer" in the short exchange after "Je ne peux pas".
_APPOINTMENT = re.compile(r"^(noted|cannot|noreason|nowhen)\|" + _ID12 + r"\Z")
_SAFETY = re.compile(r"^(call|no|keep|drop|called|handling)\|" + _ID12 + r"\Z")
# other|0: type the evening bound; other|1: type the morning bound.
_SETTING = re.compile(r"^(evening|morning|sunday|strengths|other)\|(?:0|[1-9][0-9]?)\Z")

_ERASE = re.compile(r"^erase\|(?:0|[1-9][0-9]{0,9})\.[0-9a-f]{12}\Z")

CONSENT_ACTIONS = frozenset({"accept", "more", "refuse"})
_CONSENT = re.compile(
    r"^(" + "|".join(sorted(CONSENT_ACTIONS)) + r")\|" + _ID12 + r"\|[0-9a-f]{16}\Z"
)

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
        case SummaryButton(action, summary_id, revision, part):
            data = f"{PREFIX}|s|{action}|{summary_id}|{revision}|{part}"
        case AgreementButton(action, agreement_id):
            data = f"{PREFIX}|g|{action}|{agreement_id}"
        case StepButton(operation, agreement_id, index, aspect):
            data = f"{PREFIX}|e|{operation}|{agreement_id}|{index}|{aspect}"
        case ForwardButton(action):
            data = f"{PREFIX}|f|{action}"
        case WorkerButton(action, ref):
            data = f"{PREFIX}|w|{action}|{ref}"
        case RightsButton(action, token):
            data = f"{PREFIX}|r|{action}|{token}" if token else f"{PREFIX}|r|{action}"
        case SafetyButton(action, ref):
            data = f"{PREFIX}|x|{action}|{ref}"
        case ReminderButton(reminder_id):
            data = f"{PREFIX}|n|{reminder_id}"
        case CheckinButton(progress, checkin_id):
            data = f"{PREFIX}|k|{progress}|{checkin_id}"
        case AppointmentButton(answer, appointment_id):
            data = f"{PREFIX}|p|{answer}|{appointment_id}"
        case SettingsButton(field, value):
            data = f"{PREFIX}|t|{field}|{value}"
    if len(data.encode()) > MAX_BYTES:
        raise ValueError("callback data over 64 bytes")
    return data


def decode(data: str | None) -> Callback:
    """Parse callback_data; raise ForgedCallback for anything malformed."""
    parts = (data or "").split("|")
    if len(parts) < 3 or parts[0] != PREFIX:
        raise ForgedCallback
    kind = parts[1]
    if kind == "a" and len(parts) == 5 and _ANSWER.fullmatch("|".join(parts[2:])):
        return AnswerButton(int(parts[2]), int(parts[3]), parts[4])
    if kind == "m" and len(parts) == 4 and parts[2] in MENU_ACTIONS and _ID.fullmatch(parts[3]):
        return MenuButton(parts[2], parts[3])
    if kind == "c" and len(parts) == 5 and _CONSENT.fullmatch("|".join(parts[2:])):
        return ConsentButton(parts[2], int(parts[3]), parts[4])
    rest = "|".join(parts[2:])
    if kind == "s" and len(parts) == 6 and _SUMMARY.fullmatch(rest):
        return SummaryButton(parts[2], int(parts[3]), int(parts[4]), parts[5])
    if kind == "g" and len(parts) == 4 and _AGREEMENT.fullmatch(rest):
        return AgreementButton(parts[2], int(parts[3]))
    if kind == "e" and len(parts) == 6 and _STEP.fullmatch(rest):
        return StepButton(parts[2], int(parts[3]), int(parts[4]), parts[5])
    if kind == "w" and len(parts) == 4 and _WORKER.fullmatch(rest):
        return WorkerButton(parts[2], int(parts[3]))
    if kind == "n" and len(parts) == 3 and re.fullmatch(_ID12, parts[2]):
        return ReminderButton(int(parts[2]))
    if kind == "k" and len(parts) == 4 and _CHECKIN.fullmatch(rest):
        return CheckinButton(parts[2], int(parts[3]))
    if kind == "p" and len(parts) == 4 and _APPOINTMENT.fullmatch(rest):
        return AppointmentButton(parts[2], int(parts[3]))
    if kind == "t" and len(parts) == 4 and _SETTING.fullmatch(rest):
        return SettingsButton(parts[2], int(parts[3]))
    if kind == "f" and len(parts) == 3 and parts[2] in ("keep", "drop"):
        return ForwardButton(parts[2])
    if kind == "x" and len(parts) == 4 and _SAFETY.fullmatch(rest):
        return SafetyButton(parts[2], int(parts[3]))
    if kind == "r" and len(parts) == 3 and parts[2] in ("erase", "keep"):
        return RightsButton(parts[2])
    if kind == "r" and len(parts) == 4 and _ERASE.fullmatch(rest):
        return RightsButton(parts[2], parts[3])
    if kind == "l" and len(parts) == 3 and re.fullmatch(r"[a-z]{2}", parts[2]):
        return LanguageButton(parts[2])
    raise ForgedCallback
