"""Ce que nous avons convenu: a list of steps the worker proposes, negotiated one step at a time.

Each round is kept. A round that answers another changes exactly one step (or removes or
adds one), so both see a clear difference and nothing else moves.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from bot.domain import (
    Agreement,
    AgreementAuthor,
    AgreementStep,
    OutboxMessage,
    Person,
    StepAspect,
    StepChange,
    StepOperation,
    Worker,
)
from bot.messages import (
    AgreementAccepted,
    AgreementAcceptedByWorker,
    AgreementAmended,
    AgreementProposed,
)
from bot.storage.base import AgreementStore, AuditStore, PersonStore
from bot.usecases.access import NotYours, person_of_worker
from bot.usecases.clock import Clock
from bot.usecases.outbox import OutboxSignal


class AgreementsStorage(AgreementStore, PersonStore, AuditStore, Protocol):
    """What agreements read and write."""


log = logging.getLogger(__name__)

WORDING_MAX = 2000
PART_MAX = 500
STEPS_MAX = 10
ASPECTS: tuple[StepAspect, ...] = ("what", "who", "when")
# "1.", "2)", "-", "•" at the start of a line the worker typed: list marks, not words.
_LIST_MARK = re.compile(r"^\s*(?:[-•*–]|\d{1,2}\s*[.)])\s*")

Party = Person | Worker
# The check-in use case: (person, when the first step is due, whether to remind).
FirstStepChosen = Callable[[Person, str | None, bool], Awaitable[None]]


class AgreementClosed(Exception):
    """That round was already answered, or a newer one replaced it."""


class BadChange(Exception):
    """A change that does not fit the round (no such step, empty words, last step removed)."""


@dataclass(frozen=True)
class FirstSteps:
    """The person's current first steps: those of the last accepted agreement."""

    problem: str
    steps: tuple[AgreementStep, ...]


def _clean(text: str) -> str:
    return text.strip()[:WORDING_MAX]


def steps_from_lines(text: str) -> list[AgreementStep]:
    """The worker's steps, one a line, each "what ; who ; when" (who and when may be left out)."""
    steps = []
    for line in text.splitlines():
        line = _LIST_MARK.sub("", line, count=1)
        parts = [" ".join(part.split())[:PART_MAX] for part in line.split(";")]
        if not parts[0]:
            continue
        while len(parts) < 3:
            parts.append("")
        what, who, when = parts[0], parts[1], "; ".join(p for p in parts[2:] if p)
        steps.append(AgreementStep(what, who, when))
    return steps[:STEPS_MAX]


def draft_change(
    steps: Sequence[AgreementStep],
    operation: StepOperation,
    index: int,
    aspect: StepAspect | None = None,
    words: str = "",
) -> StepChange:
    """One change to a list of steps, with what the step said before; BadChange if it cannot be."""
    words = " ".join(words.split())[:PART_MAX]
    if operation == "add":
        if not words or len(steps) >= STEPS_MAX:
            raise BadChange
        return StepChange("add", len(steps), "what", "", words)
    if not 0 <= index < len(steps):
        raise BadChange
    if operation == "remove":
        if len(steps) == 1:
            raise BadChange
        return StepChange("remove", index, None, _whole(steps[index]), "")
    if aspect not in ASPECTS or not words:
        raise BadChange
    return StepChange("change", index, aspect, steps[index].aspect(aspect), words)


def _whole(step: AgreementStep) -> str:
    return " — ".join(part for part in (step.what, step.who, step.when) if part)


def apply_change(steps: Sequence[AgreementStep], change: StepChange) -> tuple[AgreementStep, ...]:
    """The steps after one change; every other step stays exactly as it was."""
    result = list(steps)
    if change.operation == "add":
        result.append(AgreementStep(change.after))
    elif change.operation == "remove":
        del result[change.index]
    else:
        assert change.aspect is not None
        result[change.index] = replace(result[change.index], **{change.aspect: change.after})
    return tuple(result)


def role_of(party: Party) -> AgreementAuthor:
    """Who is acting: the worker or the person."""
    return "worker" if isinstance(party, Worker) else "person"


class Agreements:
    """The negotiation loop; each round is kept, so both can see how it evolved."""

    def __init__(
        self,
        storage: AgreementsStorage,
        clock: Clock,
        signal: OutboxSignal,
        first_step_chosen: FirstStepChosen | None = None,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._signal = signal
        self._first_step_chosen = first_step_chosen

    async def _own_person(self, worker: Worker, person_id: int) -> Person:
        return await person_of_worker(self._storage, worker, person_id)

    async def _open_thread(self, person_id: int) -> int | None:
        rounds = await self._storage.agreements_of(person_id)
        if rounds and rounds[-1].status == "proposed":
            return rounds[-1].thread_id
        return None

    async def propose(
        self, worker: Worker, person_id: int, problem: str, steps: Sequence[AgreementStep]
    ) -> Agreement:
        """The worker records what was agreed; the person receives it to accept or amend."""
        await self._own_person(worker, person_id)
        if not steps:
            raise BadChange
        agreement = await self._storage.propose_agreement(
            person_id=person_id,
            worker_id=worker.id,
            thread_id=await self._open_thread(person_id),
            author="worker",
            problem=_clean(problem),
            steps=list(steps)[:STEPS_MAX],
            change=None,
            now=self._clock.now(),
            notify=OutboxMessage(
                "agreement_proposed",
                "person",
                person_id,
                AgreementProposed(worker=worker.name),
            ),
        )
        self._signal.wake()
        log.info("agreement_proposed", extra={"agreement": agreement.id, "by": "worker"})
        return agreement

    async def open_round(self, party: Party, agreement_id: int) -> Agreement:
        """A round this party may answer: addressed to them, still open, written by the other."""
        current = await self._round_of(party, agreement_id)
        if current.status != "proposed" or current.author == role_of(party):
            raise AgreementClosed
        if current.worker_id is None:
            raise AgreementClosed
        return current

    async def _round_of(self, party: Party, agreement_id: int) -> Agreement:
        current = await self._storage.get_agreement(agreement_id)
        if current is None:
            raise NotYours
        if isinstance(party, Worker):
            if current.worker_id != party.id:
                raise NotYours
            await self._own_person(party, current.person_id)
        elif current.person_id != party.id:
            raise NotYours
        return current

    async def counter(self, party: Party, agreement_id: int, change: StepChange) -> Agreement:
        """One step changed, removed or added: the next round, sent to the other side."""
        current = await self.open_round(party, agreement_id)
        assert current.worker_id is not None
        # Recomputed from the round itself, so a stale or forged draft cannot slip through.
        checked = draft_change(
            current.steps, change.operation, change.index, change.aspect, change.after
        )
        if isinstance(party, Worker):
            notify = OutboxMessage(
                "agreement_proposed",
                "person",
                current.person_id,
                AgreementProposed(worker=party.name),
            )
        else:
            notify = OutboxMessage(
                "agreement_amended",
                "worker",
                current.worker_id,
                AgreementAmended(person=party.pseudonym or ""),
            )
        agreement = await self._storage.propose_agreement(
            person_id=current.person_id,
            worker_id=current.worker_id,
            thread_id=current.thread_id,
            author=role_of(party),
            problem=current.problem,
            steps=apply_change(current.steps, checked),
            change=checked,
            now=self._clock.now(),
            notify=notify,
        )
        self._signal.wake()
        log.info(
            "agreement_proposed",
            extra={"agreement": agreement.id, "by": role_of(party), "change": checked.operation},
        )
        return agreement

    async def accept(self, party: Party, agreement_id: int) -> Agreement:
        """ "D'accord": the other side is told; the steps become the person's first steps."""
        current = await self.open_round(party, agreement_id)
        assert current.worker_id is not None
        if isinstance(party, Worker):
            notice = OutboxMessage(
                f"agreement_accepted:{agreement_id}",
                "person",
                current.person_id,
                AgreementAcceptedByWorker(agreement_id, worker=party.name),
            )
        else:
            notice = OutboxMessage(
                f"agreement_accepted:{agreement_id}",
                "worker",
                current.worker_id,
                AgreementAccepted(agreement_id, person=party.pseudonym or ""),
            )
        if not await self._storage.accept_agreement(agreement_id, self._clock.now(), notice):
            raise AgreementClosed
        self._signal.wake()
        log.info("agreement_accepted", extra={"agreement": agreement_id, "by": role_of(party)})
        person = await self._storage.get_person(current.person_id)
        if person is not None and current.steps and self._first_step_chosen is not None:
            # The first agreed step is now the person's first step: its check-in, and a
            # reminder on the day it names (when it can be read as a date).
            first = current.steps[0]
            await self._first_step_chosen(person, first.when or None, bool(first.when))
        return current

    async def accept_as_person(self, person: Person, agreement_id: int) -> Agreement:
        """The person agrees with the worker's round."""
        return await self.accept(person, agreement_id)

    async def accept_as_worker(self, worker: Worker, agreement_id: int) -> Agreement:
        """The worker agrees with the person's round."""
        return await self.accept(worker, agreement_id)

    async def rounds(self, person_id: int) -> list[Agreement]:
        """Every round for a person, oldest first (the person's own view)."""
        return await self._storage.agreements_of(person_id)

    async def rounds_for_worker(self, worker: Worker, person_id: int) -> list[Agreement]:
        """Every round for one of this worker's persons (the access is audited)."""
        await self._own_person(worker, person_id)
        await self._storage.record_access(
            worker.id, person_id, "agreements_listed", None, self._clock.now()
        )
        return [a for a in await self._storage.agreements_of(person_id) if a.worker_id == worker.id]

    async def get_for_person(self, person: Person, agreement_id: int) -> Agreement:
        """A round addressed to this person."""
        return await self._round_of(person, agreement_id)

    async def get_for_worker(self, worker: Worker, agreement_id: int) -> Agreement:
        """A round of one of this worker's persons."""
        return await self._round_of(worker, agreement_id)

    async def person_named(self, worker: Worker, person_id: int) -> str | None:
        """The pseudonym of one of this worker's persons (raises NotYours otherwise)."""
        return (await self._own_person(worker, person_id)).pseudonym

    async def for_delivery(self, agreement_id: int) -> Agreement | None:
        """A round as the courier renders it for its recipient (None: erased meanwhile)."""
        return await self._storage.get_agreement(agreement_id)

    async def first_steps(self, person_id: int) -> FirstSteps | None:
        """The agreed next steps, which are now the person's current first steps."""
        for agreement in reversed(await self._storage.agreements_of(person_id)):
            if agreement.status == "accepted":
                return FirstSteps(agreement.problem, agreement.steps)
        return None
