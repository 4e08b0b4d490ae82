"""Answering a round of what was agreed, as replies, for both sides of the negotiation.

Whoever receives a round agrees, or changes, removes or adds one step; they preview the
difference before it goes. The worker's first round: agreement_drafting_replies.py.
"""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from bot.actions import AgreementAction, AgreementButton, Callback, StepButton, StepEdit
from bot.domain import Agreement, Person, StepChange, Worker
from bot.i18n import Translator
from bot.pending_states import ChangeDraft
from bot.replies import ClosePressed, Notice, Reply, reply, say
from bot.usecases.access import NotYours
from bot.usecases.agreement_layout import change_text, rounds_text, steps_text
from bot.usecases.agreements import (
    ASPECTS,
    STEPS_MAX,
    AgreementClosed,
    Agreements,
    BadChange,
    Party,
    draft_change,
)
from bot.usecases.inputs import PendingInputs
from bot.usecases.summaries import Summaries
from bot.usecases.workers import Workers

Choice = tuple[str, Callback]


def name_or_default(name: str | None, tr: Translator) -> str:
    return name or tr.message("worker.no_pseudonym")


def back_row(tr: Translator, button: Callback) -> list[Choice]:
    return [(tr.message("engine.previous"), button)]


def answer_rows(agreement: Agreement, tr: Translator) -> list[list[Choice]]:
    """The answers to a round: D'accord, or one step changed, removed, added."""
    rows: list[list[Choice]] = [
        [(tr.message("agreement.ok"), AgreementButton("ok", agreement.id))],
        [(tr.message("agreement.change_step"), AgreementButton("change", agreement.id))],
    ]
    if len(agreement.steps) > 1:
        rows.append(
            [(tr.message("agreement.remove_step"), AgreementButton("remove", agreement.id))]
        )
    if len(agreement.steps) < STEPS_MAX:
        rows.append([(tr.message("agreement.add_step"), AgreementButton("add", agreement.id))])
    return rows


def _change_of(current: Agreement, draft: ChangeDraft) -> StepChange:
    """The draft kept in the pending input, checked against the round it changes."""
    if draft.operation is None:
        raise BadChange
    return draft_change(
        current.steps,
        draft.operation,
        0 if draft.index is None else draft.index,
        draft.aspect,
        draft.after or "",
    )


class NegotiationReplies:
    """A round's question, its buttons' answers, the words of a change, /convenu."""

    def __init__(
        self,
        agreements: Agreements,
        summaries: Summaries,
        workers: Workers,
        inputs: PendingInputs,
        timezone: ZoneInfo,
    ) -> None:
        self._agreements = agreements
        self._summaries = summaries
        self._workers = workers
        self._inputs = inputs
        self._timezone = timezone

    def ask_again(self, agreement: Agreement, tr: Translator) -> Reply:
        """The round's question: D'accord, or one step changed, removed, added."""
        return say(tr.message("agreement.question"), answer_rows(agreement, tr))

    async def pressed(
        self,
        party: Party,
        account: str,
        button: AgreementButton,
        chosen: str | None,
        tr: Translator,
    ) -> Reply:
        """An answer to a round, from either side; anything stale gets a kind word."""
        shown = reply(Notice())
        closed = reply(ClosePressed(chosen))
        try:
            if button.action == "drop":
                shown += closed
                await self._forget_change(account)
                shown += say(tr.message("agreement.dropped"))
                current = await self._agreements.open_round(party, button.agreement_id)
                return shown + self.ask_again(current, tr)
            current = await self._agreements.open_round(party, button.agreement_id)
            if button.action == "back":
                shown += closed
                return shown + await self.step_back(party, account, current, tr)
            if button.action == "send":
                return shown + await self._send_change(party, account, current, closed, tr)
            shown += closed
            await self._forget_change(account)
            if button.action == "ok":
                await self._agreements.accept(party, current.id)
                done = "worker.agreement_accepted_done" if isinstance(party, Worker) else None
                return shown + say(tr.message(done or "agreement.accepted"))
            if button.action == "add":
                return shown + await self.ask_words(
                    account, current, ChangeDraft(current.id, "add"), tr
                )
            if button.action in ("change", "remove"):
                operation: StepEdit = "change" if button.action == "change" else "remove"
                return shown + self._ask_which_step(current, operation, tr)
            return shown
        except (AgreementClosed, NotYours, BadChange):
            # The pressed message's buttons go, whatever was shown of it before.
            return shown + reply(ClosePressed()) + say(tr.message("agreement.closed"))

    async def step_pressed(
        self,
        party: Party,
        account: str,
        button: StepButton,
        chosen: str | None,
        tr: Translator,
    ) -> Reply:
        """A step chosen (and which part of it): ask for the words, or preview a removal."""
        shown = reply(Notice(), ClosePressed(chosen))
        try:
            current = await self._agreements.open_round(party, button.agreement_id)
            await self._forget_change(account)
            if button.operation == "remove":
                draft = ChangeDraft(current.id, "remove", button.index)
                draft_change(current.steps, "remove", button.index)
                await self._inputs.expect(account, draft)
                return shown + await self.preview_change(party, current, draft, tr)
            if button.aspect == "-":
                if not 0 <= button.index < len(current.steps):
                    raise BadChange
                return shown + self._ask_which_part(current, button.index, tr)
            draft = ChangeDraft(current.id, "change", button.index, button.aspect)
            return shown + await self.ask_words(account, current, draft, tr)
        except (AgreementClosed, NotYours, BadChange):
            return shown + say(tr.message("agreement.closed"))

    async def _forget_change(self, account: str) -> None:
        """A change being drafted is dropped: the party went elsewhere in the round."""
        if isinstance(await self._inputs.peek(account), ChangeDraft):
            await self._inputs.clear(account)

    async def ask_words(
        self, account: str, current: Agreement, draft: ChangeDraft, tr: Translator
    ) -> Reply:
        """Ask for the new wording of a step's part, or of a new step; Retour goes back one."""
        await self._inputs.expect(account, draft)
        aspect = draft.aspect
        key = f"agreement.ask_{aspect}" if aspect in ASPECTS else "agreement.ask_add"
        return say(tr.message(key), [back_row(tr, AgreementButton("back", current.id))])

    async def step_back(
        self, party: Party, account: str, current: Agreement, tr: Translator
    ) -> Reply:
        """↩︎ Retour (or /retour) in a round: the question before, the draft kept where it can."""
        pending = await self._inputs.peek(account)
        if not isinstance(pending, ChangeDraft) or pending.agreement_id != current.id:
            # From "Quelle étape ?" (or anything without a draft): back to the round's question.
            return self.ask_again(current, tr)
        operation = pending.operation
        if operation == "remove":
            # From the removal's preview: which step to remove.
            await self._inputs.clear(account)
            return self._ask_which_step(current, "remove", tr)
        if pending.after is not None:
            # From the preview: the wording question again.
            return await self.ask_words(account, current, replace(pending, after=None), tr)
        await self._inputs.clear(account)
        if operation == "change" and pending.index is not None:
            # From the wording question: which part of the step.
            return self._ask_which_part(current, pending.index, tr)
        return self.ask_again(current, tr)

    def _ask_which_step(self, current: Agreement, operation: StepEdit, tr: Translator) -> Reply:
        if operation == "change" and len(current.steps) == 1:
            return self._ask_which_part(current, 0, tr)
        rows: list[list[Choice]] = [
            [
                (
                    tr.message("agreement.step_button", number=index + 1),
                    StepButton(operation, current.id, index),
                )
            ]
            for index in range(len(current.steps))
        ]
        rows.append(back_row(tr, AgreementButton("back", current.id)))
        text = "\n\n".join([steps_text(current.steps, tr), tr.message("agreement.which_step")])
        return say(text, rows)

    def _ask_which_part(self, current: Agreement, index: int, tr: Translator) -> Reply:
        rows: list[list[Choice]] = [
            [
                (
                    tr.message(f"agreement.part_{aspect}"),
                    StepButton("change", current.id, index, aspect),
                )
            ]
            for aspect in ASPECTS
        ]
        # Back to "Quelle étape ?", or to the round's question when there is only one step.
        before: AgreementAction = "change" if len(current.steps) > 1 else "back"
        rows.append(back_row(tr, AgreementButton(before, current.id)))
        return say(tr.message("agreement.which_part", number=index + 1), rows)

    async def change_words(
        self, party: Party, account: str, agreement_id: int, words: str, tr: Translator
    ) -> Reply:
        """The new wording of a step (or a new step): exactly what the other side will get."""
        pending = await self._inputs.peek(account)
        kept = pending if isinstance(pending, ChangeDraft) else ChangeDraft(agreement_id)
        draft = replace(kept, agreement_id=agreement_id, after=words)
        try:
            current = await self._agreements.open_round(party, agreement_id)
            _change_of(current, draft)
        except (AgreementClosed, NotYours):
            await self._inputs.clear(account)
            return say(tr.message("agreement.closed"))
        except BadChange:
            # Nothing usable in the words: ask the same question again.
            return await self.ask_words(account, current, replace(draft, after=None), tr)
        await self._inputs.expect(account, draft)
        return await self.preview_change(party, current, draft, tr)

    async def preview_change(
        self, party: Party, current: Agreement, draft: ChangeDraft, tr: Translator
    ) -> Reply:
        change = _change_of(current, draft)
        text = tr.message(
            "agreement.preview",
            name=await self._other_name(party, current, tr),
            change=change_text(change, tr),
        )
        rows: list[list[Choice]] = [
            [
                (tr.message("agreement.send"), AgreementButton("send", current.id)),
                (tr.message("agreement.drop"), AgreementButton("drop", current.id)),
            ],
            back_row(tr, AgreementButton("back", current.id)),
        ]
        return say(text, rows)

    async def reask(
        self, party: Party, account: str, pending: ChangeDraft, tr: Translator
    ) -> Reply:
        """After a command: the change being written, where it was."""
        try:
            current = await self._agreements.open_round(party, pending.agreement_id)
            if pending.after is not None or pending.operation == "remove":
                return await self.preview_change(party, current, pending, tr)
            return await self.ask_words(account, current, pending, tr)
        except (AgreementClosed, NotYours, BadChange):
            await self._inputs.clear(account)
            return Reply()

    async def back(self, party: Party, account: str, pending: ChangeDraft, tr: Translator) -> Reply:
        """/retour while a change is written."""
        try:
            current = await self._agreements.open_round(party, pending.agreement_id)
            return await self.step_back(party, account, current, tr)
        except (AgreementClosed, NotYours, BadChange):
            await self._inputs.clear(account)
            return say(tr.message("agreement.closed"))

    async def _send_change(
        self, party: Party, account: str, current: Agreement, closed: Reply, tr: Translator
    ) -> Reply:
        pending = await self._inputs.peek(account)
        if not isinstance(pending, ChangeDraft) or pending.agreement_id != current.id:
            raise AgreementClosed
        change = _change_of(current, pending)
        await self._agreements.counter(party, current.id, change)
        await self._inputs.clear(account)
        if isinstance(party, Worker):
            name = await self._other_name(party, current, tr)
            return closed + say(tr.message("agreement.counter_sent", person=name))
        return closed + say(tr.message("agreement.amended_sent"))

    async def _other_name(self, party: Party, agreement: Agreement, tr: Translator) -> str:
        """Who will receive what this party sends: the worker's name, or the person's."""
        if isinstance(party, Worker):
            name = await self._agreements.person_named(party, agreement.person_id)
            return name_or_default(name, tr)
        found = await self._summaries.worker_name(party)
        return found or tr.message("summary.your_worker")

    async def agreed(self, person: Person, tr: Translator) -> Reply:
        """/convenu for the person: every round, then the open question if it waits for her."""
        rounds = await self._agreements.rounds(person.id)
        if not rounds:
            return say(tr.message("agreement.none"))
        header = tr.message("agreement.history_header")
        text = rounds_text(header, rounds, tr, self._timezone, reader="person")
        return say(text) + self._open_question(rounds[-1], "worker", tr)

    async def rounds_for_worker(self, worker: Worker, person_id: int, tr: Translator) -> Reply:
        """Every round with one person, as differences; then the question if it waits."""
        who = await self._workers.person_of(worker, person_id)
        name = name_or_default(who.pseudonym, tr)
        rounds = await self._agreements.rounds_for_worker(worker, person_id)
        if not rounds:
            return say(tr.message("worker.rounds_none", person=name))
        header = tr.message("worker.rounds_header", person=name)
        text = rounds_text(header, rounds, tr, self._timezone, reader="worker")
        return say(text) + self._open_question(rounds[-1], "person", tr)

    def _open_question(self, last: Agreement, other: str, tr: Translator) -> Reply:
        """The last round still waits for this reader's answer: ask again, with its buttons."""
        if last.status == "proposed" and last.author == other:
            return self.ask_again(last, tr)
        return Reply()
