"""Wires the conversation use cases (what each input means, and the reply it gets) over the
use cases `bot.services` builds: once per process, for every transport."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.usecases.agreement_drafting_replies import DraftingReplies
from bot.usecases.anyone_replies import AnyoneReplies
from bot.usecases.appointment_replies import AppointmentReplies
from bot.usecases.checkin_replies import CheckinReplies
from bot.usecases.conversation import Conversation
from bot.usecases.conversation_safety import SafetyReplies
from bot.usecases.digest_replies import DigestReplies
from bot.usecases.invitation_replies import InvitationReplies
from bot.usecases.joining_replies import JoiningReplies
from bot.usecases.negotiation_replies import NegotiationReplies
from bot.usecases.pending_answers import PendingAnswers
from bot.usecases.rights_replies import RightsReplies
from bot.usecases.settings_replies import SettingsReplies
from bot.usecases.summary_replies import SummaryReplies
from bot.usecases.worker_appointment_replies import WorkerAppointmentReplies
from bot.usecases.worker_conversation import WorkerConversation
from bot.usecases.worker_replies import WorkerReplies

if TYPE_CHECKING:
    from bot.services import Services


@dataclass(frozen=True)
class Conversations:
    """The person's conversation, the worker's, the worker's view of their persons, and
    what anyone's chat gets (help, emergency numbers, what we cannot read), invitations
    issued from a chat, how anyone joins, and the person's data to read."""

    person: Conversation
    worker: WorkerConversation
    worker_desk: WorkerReplies
    anyone: AnyoneReplies
    invitations: InvitationReplies
    joining: JoiningReplies
    rights: RightsReplies


def build_conversations(found: Services) -> Conversations:
    """Each reply builder once, shared where both roles use it (a round of an agreement)."""
    tz = found.settings.timezone
    safety = SafetyReplies(found.safety, found.catalogs, tz)
    negotiation = NegotiationReplies(
        found.agreements, found.summaries, found.workers, found.inputs, tz
    )
    summary = SummaryReplies(found.summaries, found.dialogues, found.inputs, found.clock, tz)
    appointments = AppointmentReplies(
        found.appointments, found.dialogues, found.inputs, found.clock, tz
    )
    rights = RightsReplies(found.rights, tz)
    pending = PendingAnswers(
        found.inputs, summary, found.checkins, found.rhythm, appointments, negotiation
    )
    person = Conversation(
        found.catalogs,
        found.dialogues,
        found.inputs,
        found.persons,
        found.reminders,
        safety,
        summary,
        SettingsReplies(found.rhythm, found.dialogues, found.inputs),
        CheckinReplies(found.checkins, found.reminders, found.dialogues, found.inputs, tz),
        appointments,
        negotiation,
        rights,
        pending,
        tz,
    )
    desk = WorkerReplies(found.workers, found.summaries, found.agreements, found.appointments, tz)
    worker = WorkerConversation(
        found.workers,
        found.inputs,
        desk,
        DraftingReplies(found.agreements, found.workers, found.inputs),
        negotiation,
        WorkerAppointmentReplies(found.appointments, found.workers, found.inputs, found.clock, tz),
        safety,
        DigestReplies(found.safety, found.digests, tz),
    )
    anyone = AnyoneReplies(found.catalogs, person, worker)
    invitations = InvitationReplies(found.invitations, tz)
    joining = JoiningReplies(
        found.catalogs, found.invitations, found.consent, found.workers, person
    )
    return Conversations(person, worker, desk, anyone, invitations, joining, rights)
