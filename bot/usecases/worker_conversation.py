"""What a worker's input means now, and what the bot answers, for every transport: words for
what waits (an agreement being written or answered, an appointment's date), every button,
/retour, /convenu."""

from __future__ import annotations

from typing import assert_never

from bot.actions import (
    AcceptAgreementButton,
    AckSummaryButton,
    AgreementButton,
    CallAckButton,
    ReminderButton,
    StepButton,
    TakeProposalButton,
    WorkerButton,
)
from bot.domain import Worker
from bot.i18n import Translator
from bot.pending_states import (
    AgreementProblem,
    AgreementSteps,
    AppointmentWhen,
    CannotWhen,
    CannotWhy,
    ChangeDraft,
    Forwarded,
    LearnedWords,
    QuietBound,
    SummaryTopics,
)
from bot.replies import ClosePressed, Notice, Reply, reply, say
from bot.usecases.access import NotYours
from bot.usecases.agreement_drafting_replies import DraftingReplies
from bot.usecases.agreements import AgreementClosed, BadChange
from bot.usecases.conversation_safety import SafetyReplies
from bot.usecases.digest_replies import DigestReplies
from bot.usecases.inputs import PendingInputs
from bot.usecases.negotiation_replies import NegotiationReplies, name_or_default
from bot.usecases.worker_appointment_replies import WorkerAppointmentReplies
from bot.usecases.worker_replies import LISTED, WorkerReplies
from bot.usecases.workers import Workers

# Every button a worker may press.
WorkerPress = (
    AgreementButton
    | StepButton
    | WorkerButton
    | AckSummaryButton
    | AcceptAgreementButton
    | TakeProposalButton
    | CallAckButton
    | ReminderButton
)


class WorkerConversation:
    """The worker's agreements, as use cases: input in, reply out."""

    def __init__(
        self,
        workers: Workers,
        inputs: PendingInputs,
        desk: WorkerReplies,
        drafting: DraftingReplies,
        negotiation: NegotiationReplies,
        appointments: WorkerAppointmentReplies,
        safety: SafetyReplies,
        digest: DigestReplies,
    ) -> None:
        self._workers = workers
        self._inputs = inputs
        self._desk = desk
        self._drafting = drafting
        self._negotiation = negotiation
        self._appointments = appointments
        self._safety = safety
        self._digest = digest

    async def said(self, worker: Worker, account: str, text: str, tr: Translator) -> Reply:
        """A worker's words: for what waits for them (an agreement being written or answered,
        an appointment's date); else distress words about themselves bring the numbers; else
        a pointer to the commands."""
        waiting = await self._waiting(worker, account, text, tr)
        if waiting is not None:
            return waiting
        help = await self._safety.screen(None, account, text)
        return help if help is not None else say(tr.message("worker.use_commands"))

    async def _waiting(
        self, worker: Worker, account: str, text: str, tr: Translator
    ) -> Reply | None:
        pending = await self._inputs.peek(account)
        match pending:
            case ChangeDraft(agreement_id=agreement_id):
                return await self._negotiation.change_words(worker, account, agreement_id, text, tr)
            case AgreementProblem() | AgreementSteps():
                return await self._drafting.words(worker, account, pending, text, tr)
            case AppointmentWhen():
                return await self._appointments.date_words(worker, account, pending, text, tr)
            case (
                None
                | LearnedWords()
                | QuietBound()
                | CannotWhy()
                | CannotWhen()
                | SummaryTopics()
                | Forwarded()
            ):
                return None
            case _:
                assert_never(pending)

    async def back(self, worker: Worker, account: str, tr: Translator) -> Reply:
        """/retour: back one question in the agreement being written or answered."""
        pending = await self._inputs.peek(account)
        if isinstance(pending, ChangeDraft):
            return await self._negotiation.back(worker, account, pending, tr)
        if isinstance(pending, AgreementProblem | AgreementSteps):
            try:
                return await self._drafting.step_back(worker, account, pending.person_id, tr)
            except (AgreementClosed, NotYours, BadChange):
                await self._inputs.clear(account)
                return say(tr.message("agreement.closed"))
        return say(tr.message("worker.nothing_to_go_back_to"))

    async def question_again(self, worker: Worker, account: str, tr: Translator) -> Reply:
        """After a command: the agreement question waiting for the worker's words, if any."""
        pending = await self._inputs.peek(account)
        if isinstance(pending, ChangeDraft):
            return await self._negotiation.reask(worker, account, pending, tr)
        if isinstance(pending, AgreementProblem | AgreementSteps):
            return await self._drafting.reask(worker, account, pending, tr)
        return Reply()

    async def appointments_pick(self, worker: Worker, tr: Translator) -> Reply:
        """/rdv: choose a person, then type the date."""
        return await self._appointments.pick(worker, tr)

    async def agreed(self, worker: Worker, tr: Translator) -> Reply:
        """/convenu: the worker picks whose rounds to see (straight to them with one person)."""
        listing = await self._workers.persons(worker)
        if not listing:
            return say(tr.message("worker.persons_none"))
        if len(listing) == 1:
            return await self._negotiation.rounds_for_worker(worker, listing[0].person_id, tr)
        rows = [
            [
                (
                    name_or_default(entry.pseudonym, tr),
                    WorkerButton("rounds", entry.person_id),
                )
            ]
            for entry in listing[:LISTED]
        ]
        return say(tr.message("worker.agreed_pick"), rows)

    async def pressed(
        self,
        worker: Worker,
        account: str,
        button: WorkerPress,
        chosen: str | None,
        tr: Translator,
    ) -> Reply:
        """Every worker button: a round's, and those about one of their persons; anything
        about someone else's persons is refused kindly."""
        if isinstance(button, CallAckButton):
            return await self._digest.acknowledge(worker, button, chosen, tr)
        if isinstance(button, ReminderButton):
            # "Voir" under the evening reminder: the digest; the reminder's buttons go.
            return reply(Notice(), ClosePressed()) + await self._digest.digest(worker, tr)
        if isinstance(button, AckSummaryButton | AcceptAgreementButton):
            return await self._desk.pressed(worker, button, tr)
        if isinstance(button, TakeProposalButton):
            try:
                taken = await self._appointments.take_proposal(worker, button.appointment_id, tr)
            except (NotYours, AgreementClosed):
                return reply(Notice(tr.message("worker.not_yours")))
            return taken + reply(Notice())
        if isinstance(button, AgreementButton):
            return await self._negotiation.pressed(worker, account, button, chosen, tr)
        if isinstance(button, StepButton):
            return await self._negotiation.step_pressed(worker, account, button, chosen, tr)
        closed = reply(ClosePressed(chosen))
        person_id = button.person_id
        shown = Reply()
        try:
            match button.action:
                case "card" | "hist" | "chart":
                    return await self._desk.pressed(worker, button, tr)
                case "rdv":
                    shown = await self._appointments.ask(worker, account, person_id, tr)
                case "rdvok":
                    shown = await self._appointments.confirm(worker, account, person_id, tr)
                case "rdvcancel":
                    shown = await self._appointments.cancel(worker, person_id, tr)
                case "agree":
                    shown = await self._drafting.start(worker, account, person_id, tr)
                case "rounds":
                    shown = await self._negotiation.rounds_for_worker(worker, person_id, tr)
                case "agsend":
                    shown = closed
                    shown += await self._drafting.send(worker, account, person_id, tr)
                case "agredo":
                    shown = await self._drafting.rewrite(account, person_id, closed, tr)
                case "agback":
                    shown = closed
                    shown += await self._drafting.step_back(worker, account, person_id, tr)
                case _:
                    assert_never(button.action)
        except (NotYours, AgreementClosed):
            return shown + reply(Notice(tr.message("worker.not_yours")))
        # Answered once, after the use case said yes or no: Telegram refuses a second answer.
        return shown + reply(Notice())
