"""Compact, versioned callback data; anything we did not write is caught here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, cast, get_args

from bot.usecases.settings import Setting

PREFIX = "v1"
# Numbers in canonical form only (no leading zero), so each button has exactly one spelling.
_ID12 = r"(?:0|[1-9][0-9]{0,11})"
_ID9 = r"(?:0|[1-9][0-9]{0,8})"
_ID = re.compile(r"^[a-z][a-z0-9_]{0,23}\Z")
# run id | turn | value
_ANSWER = re.compile(r"^" + _ID12 + r"\|" + _ID9 + r"\|[A-Za-z0-9_.-]{1,16}\Z")
MAX_BYTES = 64

# What each button may say, as types: mypy refuses a button built or compared with a word
# outside its list, and decode builds these lists' patterns, so they stay one list each.
MenuAction = Literal["open", "show", "redo", "menu"]
ConsentAction = Literal["accept", "more", "refuse"]
SummaryAction = Literal["toggle", "send", "later", "skip", "prep", "back"]
AgreementAction = Literal["ok", "change", "remove", "add", "view", "send", "drop", "back"]
# Which step to change or remove (adding one needs no choice).
StepEdit = Literal["change", "remove"]
StepAspect = Literal["what", "who", "when", "-"]
ForwardAction = Literal["keep", "drop"]
RightsAction = Literal["erase", "keep"]
CallOffer = Literal["call", "no"]
HeldAction = Literal["keep", "drop"]
CallAck = Literal["called", "handling"]
CheckinProgress = Literal["done", "in_progress", "not_yet", "change", "skip"]
# Goal attainment scaling, in the order shown (much less … much better than expected).
Attainment = Literal["much_less", "less", "as_expected", "better", "much_better"]
ATTAINMENTS: tuple[Attainment, ...] = get_args(Attainment)
CheckinAnswer = CheckinProgress | Attainment
# noreason / nowhen: "Passer" in the short exchange after "Je ne peux pas".
AppointmentAction = Literal["noted", "cannot", "noreason", "nowhen"]
# other|0: type the evening bound; other|1: type the morning bound.
# The settings a button may name are the use case's own.
SettingsField = Setting
# A worker's buttons about one of their persons (the id is the person's).
PersonAction = Literal[
    "card",
    "hist",
    "chart",
    "agree",
    "rounds",
    "agsend",
    "agredo",
    "agback",
    "rdv",
    "rdvok",
    "rdvcancel",
]


@dataclass(frozen=True)
class AnswerButton:
    """A button of a dialogue question."""

    run_id: int
    turn: int
    value: str


@dataclass(frozen=True)
class MenuButton:
    """A menu action on a dialogue: open (start/resume), show the last version, redo."""

    action: MenuAction
    dialogue_id: str


@dataclass(frozen=True)
class LanguageButton:
    """A choice in /langue."""

    language: str


@dataclass(frozen=True)
class ConsentButton:
    """Accept, learn more or refuse, for one invitation, with a token bound to the account."""

    action: ConsentAction
    invitation_id: int
    token: str


@dataclass(frozen=True)
class SummaryButton:
    """On the person's summary preview: toggle a part, send, skip topics, keep for later."""

    action: SummaryAction
    summary_id: int
    revision: int
    part: str = "-"


@dataclass(frozen=True)
class AgreementButton:
    """An answer to a round of what was agreed: accept, change/remove/add a step, send, cancel."""

    action: AgreementAction
    agreement_id: int


@dataclass(frozen=True)
class StepButton:
    """Which step to change or remove, and which part of it (`-` while not chosen yet)."""

    operation: StepEdit
    agreement_id: int
    index: int
    aspect: StepAspect = "-"


@dataclass(frozen=True)
class ForwardButton:
    """Keep a forwarded message as the person's answer, or not."""

    action: ForwardAction


@dataclass(frozen=True)
class WorkerButton:
    """A worker's action on one of their persons: card, history, chart, agreement,
    appointment."""

    action: PersonAction
    person_id: int


@dataclass(frozen=True)
class AckSummaryButton:
    """The worker's "Bien reçu" under a summary."""

    summary_id: int


@dataclass(frozen=True)
class AcceptAgreementButton:
    """The worker accepts the person's version of an agreement."""

    agreement_id: int


@dataclass(frozen=True)
class TakeProposalButton:
    """The worker takes the moment a person proposed instead of an appointment."""

    appointment_id: int


@dataclass(frozen=True)
class RightsButton:
    """The answer to /effacer's confirmation; "erase" carries the token the bot issued with it."""

    action: RightsAction
    token: str = ""


@dataclass(frozen=True)
class CallOfferButton:
    """The safety step's offer: shall the worker call me, or not."""

    action: CallOffer


@dataclass(frozen=True)
class HeldWordsButton:
    """Keep or drop the words held after a distress message (their id)."""

    action: HeldAction
    held_id: int


@dataclass(frozen=True)
class CallAckButton:
    """The worker's acknowledgement of a call request: called, or handling it."""

    how: CallAck
    call_id: int


@dataclass(frozen=True)
class ReminderButton:
    """ "Voir" under a discreet reminder."""

    reminder_id: int


@dataclass(frozen=True)
class CheckinButton:
    """Where the person is with their first step."""

    progress: CheckinAnswer
    checkin_id: int


@dataclass(frozen=True)
class AppointmentButton:
    """The person's answer to an appointment: noted, or cannot come."""

    answer: AppointmentAction
    appointment_id: int


@dataclass(frozen=True)
class SettingsButton:
    """A choice in /reglages."""

    field: SettingsField
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
    | AckSummaryButton
    | AcceptAgreementButton
    | TakeProposalButton
    | RightsButton
    | CallOfferButton
    | HeldWordsButton
    | CallAckButton
    | ReminderButton
    | CheckinButton
    | AppointmentButton
    | SettingsButton
)

SUMMARY_ACTIONS: tuple[SummaryAction, ...] = get_args(SummaryAction)
AGREEMENT_ACTIONS: tuple[AgreementAction, ...] = get_args(AgreementAction)
PERSON_ACTIONS: tuple[PersonAction, ...] = get_args(PersonAction)
CONSENT_ACTIONS: tuple[ConsentAction, ...] = get_args(ConsentAction)
MENU_ACTIONS: tuple[MenuAction, ...] = get_args(MenuAction)
# The worker's buttons about something else than a person: the word says what the id is.
WORKER_ACK, WORKER_ACCEPT, WORKER_TAKE = "ack", "accept", "rdvtake"


def _words(literal: object) -> str:
    """A pattern group matching exactly the words of a Literal type."""
    return "(" + "|".join(get_args(literal)) + ")"


_SUMMARY = re.compile(
    r"^" + _words(SummaryAction) + r"\|" + _ID12 + r"\|" + _ID9 + r"\|[a-z_-]{1,12}\Z"
)
_AGREEMENT = re.compile(r"^" + _words(AgreementAction) + r"\|" + _ID12 + r"\Z")
_STEP = re.compile(
    r"^" + _words(StepEdit) + r"\|" + _ID12 + r"\|(?:0|[1-9][0-9]?)\|(what|who|when|-)\Z"
)
_WORKER = re.compile(
    r"^("
    + "|".join((*PERSON_ACTIONS, WORKER_ACK, WORKER_ACCEPT, WORKER_TAKE))
    + r")\|"
    + _ID12
    + r"\Z"
)
_CHECKIN = re.compile(
    r"^(" + "|".join((*get_args(CheckinProgress), *ATTAINMENTS)) + r")\|" + _ID12 + r"\Z"
)
_APPOINTMENT = re.compile(r"^" + _words(AppointmentAction) + r"\|" + _ID12 + r"\Z")
# call|0 and no|0: the offer carries no number (a 0 keeps the wire of buttons already sent).
_SAFETY = re.compile(r"^(?:(call|no)\|0|(keep|drop|called|handling)\|" + _ID12 + r")\Z")
_SETTING = re.compile(r"^" + _words(SettingsField) + r"\|(?:0|[1-9][0-9]?)\Z")

_ERASE = re.compile(r"^erase\|(?:0|[1-9][0-9]{0,9})\.[0-9a-f]{12}\Z")

_CONSENT = re.compile(r"^" + _words(ConsentAction) + r"\|" + _ID12 + r"\|[0-9a-f]{16}\Z")


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
        case WorkerButton(action, person_id):
            data = f"{PREFIX}|w|{action}|{person_id}"
        case AckSummaryButton(summary_id):
            data = f"{PREFIX}|w|{WORKER_ACK}|{summary_id}"
        case AcceptAgreementButton(agreement_id):
            data = f"{PREFIX}|w|{WORKER_ACCEPT}|{agreement_id}"
        case TakeProposalButton(appointment_id):
            data = f"{PREFIX}|w|{WORKER_TAKE}|{appointment_id}"
        case RightsButton(action, token):
            data = f"{PREFIX}|r|{action}|{token}" if token else f"{PREFIX}|r|{action}"
        case CallOfferButton(action):
            data = f"{PREFIX}|x|{action}|0"
        case HeldWordsButton(action, held_id):
            data = f"{PREFIX}|x|{action}|{held_id}"
        case CallAckButton(how, call_id):
            data = f"{PREFIX}|x|{how}|{call_id}"
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
        return ConsentButton(cast(ConsentAction, parts[2]), int(parts[3]), parts[4])
    rest = "|".join(parts[2:])
    if kind == "s" and len(parts) == 6 and _SUMMARY.fullmatch(rest):
        return SummaryButton(cast(SummaryAction, parts[2]), int(parts[3]), int(parts[4]), parts[5])
    if kind == "g" and len(parts) == 4 and _AGREEMENT.fullmatch(rest):
        return AgreementButton(cast(AgreementAction, parts[2]), int(parts[3]))
    if kind == "e" and len(parts) == 6 and _STEP.fullmatch(rest):
        operation = cast(StepEdit, parts[2])
        return StepButton(operation, int(parts[3]), int(parts[4]), cast(StepAspect, parts[5]))
    if kind == "w" and len(parts) == 4 and _WORKER.fullmatch(rest):
        return _worker_button(parts[2], int(parts[3]))
    if kind == "n" and len(parts) == 3 and re.fullmatch(_ID12, parts[2]):
        return ReminderButton(int(parts[2]))
    if kind == "k" and len(parts) == 4 and _CHECKIN.fullmatch(rest):
        return CheckinButton(cast(CheckinAnswer, parts[2]), int(parts[3]))
    if kind == "p" and len(parts) == 4 and _APPOINTMENT.fullmatch(rest):
        return AppointmentButton(cast(AppointmentAction, parts[2]), int(parts[3]))
    if kind == "t" and len(parts) == 4 and _SETTING.fullmatch(rest):
        return SettingsButton(cast(SettingsField, parts[2]), int(parts[3]))
    if kind == "f" and len(parts) == 3 and parts[2] in get_args(ForwardAction):
        return ForwardButton(cast(ForwardAction, parts[2]))
    if kind == "x" and len(parts) == 4 and _SAFETY.fullmatch(rest):
        return _safety_button(parts[2], int(parts[3]))
    if kind == "r" and len(parts) == 3 and parts[2] in get_args(RightsAction):
        return RightsButton(cast(RightsAction, parts[2]))
    if kind == "r" and len(parts) == 4 and _ERASE.fullmatch(rest):
        return RightsButton("erase", parts[3])
    if kind == "l" and len(parts) == 3 and re.fullmatch(r"[a-z]{2}", parts[2]):
        return LanguageButton(parts[2])
    raise ForgedCallback


def _worker_button(action: str, ref: int) -> Callback:
    """The wire keeps one `w` kind; the action word says what the number is."""
    if action == WORKER_ACK:
        return AckSummaryButton(ref)
    if action == WORKER_ACCEPT:
        return AcceptAgreementButton(ref)
    if action == WORKER_TAKE:
        return TakeProposalButton(ref)
    return WorkerButton(cast(PersonAction, action), ref)


def _safety_button(action: str, ref: int) -> Callback:
    """The wire keeps one `x` kind; the action word says which button and what the number is."""
    if action in get_args(CallOffer):
        return CallOfferButton(cast(CallOffer, action))
    if action in get_args(HeldAction):
        return HeldWordsButton(cast(HeldAction, action), ref)
    return CallAckButton(cast(CallAck, action), ref)
