"""The worker records a new agreement, as replies: the problem, then the steps (one per
line), then a preview of exactly what the person will get, with Envoyer."""

from __future__ import annotations

from bot.actions import WorkerButton
from bot.domain import AgreementStep, Worker
from bot.i18n import Translator
from bot.pending_states import AgreementProblem, AgreementSteps
from bot.replies import Reply, say
from bot.usecases.access import NotYours
from bot.usecases.agreement_layout import steps_text
from bot.usecases.agreements import AgreementClosed, Agreements, steps_from_lines
from bot.usecases.inputs import PendingInputs
from bot.usecases.negotiation_replies import back_row, name_or_default
from bot.usecases.workers import Workers


class DraftingReplies:
    """The worker's first round of an agreement, one question at a time."""

    def __init__(self, agreements: Agreements, workers: Workers, inputs: PendingInputs) -> None:
        self._agreements = agreements
        self._workers = workers
        self._inputs = inputs

    async def start(self, worker: Worker, account: str, person_id: int, tr: Translator) -> Reply:
        """Ask the worker for the problem's wording."""
        who = await self._workers.person_of(worker, person_id)
        await self._inputs.expect(account, AgreementProblem(person_id))
        name = name_or_default(who.pseudonym, tr)
        return say(tr.message("worker.agree_problem_question", person=name))

    async def words(
        self,
        worker: Worker,
        account: str,
        pending: AgreementProblem | AgreementSteps,
        text: str,
        tr: Translator,
    ) -> Reply:
        """The problem's wording (then the steps are asked), or the steps (then the preview)."""
        if isinstance(pending, AgreementProblem):
            await self._inputs.expect(account, AgreementSteps(pending.person_id, text))
            return self.ask_steps(pending.person_id, tr)
        steps = steps_from_lines(text)
        if not steps:
            return say(tr.message("worker.agree_no_steps"))
        person_id, problem = pending.person_id, pending.problem
        await self._inputs.expect(account, AgreementSteps(person_id, problem, tuple(steps)))
        return await self.preview(worker, account, person_id, problem, steps, tr)

    async def preview(
        self,
        worker: Worker,
        account: str,
        person_id: int,
        problem: str,
        steps: list[AgreementStep],
        tr: Translator,
    ) -> Reply:
        """Exactly what the person will get, with Envoyer and Réécrire les étapes."""
        try:
            who = await self._workers.person_of(worker, person_id)
        except NotYours:
            await self._inputs.clear(account)
            return say(tr.message("worker.not_yours"))
        name = name_or_default(who.pseudonym, tr)
        text = "\n".join(
            [
                tr.message("worker.agree_preview", person=name),
                tr.message("agreement.proposed_problem", problem=problem),
                steps_text(steps, tr),
            ]
        )
        return say(
            text,
            [
                [(tr.message("worker.agree_send"), WorkerButton("agsend", person_id))],
                [(tr.message("worker.agree_redo"), WorkerButton("agredo", person_id))],
            ],
        )

    async def send(self, worker: Worker, account: str, person_id: int, tr: Translator) -> Reply:
        """Envoyer, under the worker's preview: the round goes to the person."""
        pending = await self._inputs.peek(account)
        if not isinstance(pending, AgreementSteps) or pending.person_id != person_id:
            raise AgreementClosed
        steps = list(pending.steps or ())
        if not steps:
            raise AgreementClosed
        await self._agreements.propose(worker, person_id, pending.problem, steps)
        await self._inputs.clear(account)
        who = await self._workers.person_of(worker, person_id)
        return say(tr.message("worker.agree_sent", person=name_or_default(who.pseudonym, tr)))

    async def rewrite(self, account: str, person_id: int, closed: Reply, tr: Translator) -> Reply:
        """Réécrire les étapes: the problem is kept, the steps are asked again."""
        pending = await self._inputs.peek(account)
        if not isinstance(pending, AgreementSteps) or pending.person_id != person_id:
            raise AgreementClosed
        await self._inputs.expect(account, AgreementSteps(person_id, pending.problem))
        return closed + self.ask_steps(person_id, tr)

    def ask_steps(self, person_id: int, tr: Translator) -> Reply:
        """The steps, one per line; Retour goes back to the problem's wording."""
        back = [back_row(tr, WorkerButton("agback", person_id))]
        return say(tr.message("worker.agree_steps_question"), back)

    async def step_back(
        self, worker: Worker, account: str, person_id: int, tr: Translator
    ) -> Reply:
        """↩︎ Retour while the worker writes an agreement: the question before, words kept."""
        pending = await self._inputs.peek(account)
        match pending:
            case AgreementSteps(person_id=person) if (
                person == person_id and pending.steps is not None
            ):
                # From the preview: the steps again, the problem kept.
                return await self.rewrite(account, person_id, Reply(), tr)
            case AgreementSteps(person_id=person) if person == person_id:
                # From the steps: the problem again.
                return await self.start(worker, account, person_id, tr)
            case AgreementProblem(person_id=person) if person == person_id:
                no_previous = say(tr.message("engine.no_previous"))
                return no_previous + await self.start(worker, account, person_id, tr)
            case _:
                raise AgreementClosed

    async def reask(
        self,
        worker: Worker,
        account: str,
        pending: AgreementProblem | AgreementSteps,
        tr: Translator,
    ) -> Reply:
        """After a command: the agreement question waiting for the worker's words."""
        try:
            if isinstance(pending, AgreementProblem):
                return await self.start(worker, account, pending.person_id, tr)
            if pending.steps is not None:
                steps = list(pending.steps)
                return await self.preview(
                    worker, account, pending.person_id, pending.problem, steps, tr
                )
            return self.ask_steps(pending.person_id, tr)
        except (AgreementClosed, NotYours):
            await self._inputs.clear(account)
            return Reply()
