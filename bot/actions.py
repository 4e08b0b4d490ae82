"""What a button does, as typed values: every use case may offer these, every transport
encodes them its own way (Telegram's compact callback data: `bot/telegram/callbacks.py`).

A tagged union of frozen dataclasses: a renderer or a router that forgets one is a mypy
error (`assert_never`), and a button built with a word outside its list too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

# A setting of /reglages (the rhythm use case reads the same list).
Setting = Literal["evening", "morning", "sunday", "strengths", "other"]

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
# The settings a button may name.
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
