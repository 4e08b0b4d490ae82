"""Compact, versioned callback data (Telegram's codec of `bot.actions`); anything we did not
write is caught here."""

from __future__ import annotations

import re
from typing import cast, get_args

from bot.actions import (
    ATTAINMENTS,
    AcceptAgreementButton,
    AckSummaryButton,
    AgreementAction,
    AgreementButton,
    AnswerButton,
    AppointmentAction,
    AppointmentButton,
    CallAck,
    CallAckButton,
    Callback,
    CallOffer,
    CallOfferButton,
    CheckinAnswer,
    CheckinButton,
    CheckinProgress,
    ConsentAction,
    ConsentButton,
    ForwardAction,
    ForwardButton,
    HeldAction,
    HeldWordsButton,
    LanguageButton,
    MenuAction,
    MenuButton,
    PersonAction,
    ReminderButton,
    RightsAction,
    RightsButton,
    SettingsButton,
    SettingsField,
    StepAspect,
    StepButton,
    StepEdit,
    SummaryAction,
    SummaryButton,
    TakeProposalButton,
    WorkerButton,
)

PREFIX = "v1"
# Numbers in canonical form only (no leading zero), so each button has exactly one spelling.
_ID12 = r"(?:0|[1-9][0-9]{0,11})"
_ID9 = r"(?:0|[1-9][0-9]{0,8})"
_ID = re.compile(r"^[a-z][a-z0-9_]{0,23}\Z")
# run id | turn | value
_ANSWER = re.compile(r"^" + _ID12 + r"\|" + _ID9 + r"\|[A-Za-z0-9_.-]{1,16}\Z")
MAX_BYTES = 64

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
