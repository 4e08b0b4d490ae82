"""Ce que nous avons convenu: the worker records it, the person accepts or amends it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.storage.base import Agreement, OutboxMessage, Person, Storage, Worker
from bot.usecases.clock import Clock
from bot.usecases.outbox import OutboxSignal
from bot.usecases.summaries import NotYours

log = logging.getLogger(__name__)

WORDING_MAX = 2000


class AgreementClosed(Exception):
    """That round was already answered, or a newer one replaced it."""


@dataclass(frozen=True)
class FirstSteps:
    """The person's current first steps: those of the last accepted agreement."""

    problem: str
    steps: str


def _clean(text: str) -> str:
    return text.strip()[:WORDING_MAX]


class Agreements:
    """The negotiation loop; each round is kept, so both can see how it evolved."""

    def __init__(self, storage: Storage, clock: Clock, signal: OutboxSignal) -> None:
        self._storage = storage
        self._clock = clock
        self._signal = signal

    async def _own_person(self, worker: Worker, person_id: int) -> Person:
        person = await self._storage.get_person(person_id)
        if person is None or person.worker_id != worker.id:
            raise NotYours
        return person

    async def _open_thread(self, person_id: int) -> int | None:
        rounds = await self._storage.agreements_of(person_id)
        if rounds and rounds[-1].status == "proposed":
            return rounds[-1].thread_id
        return None

    async def propose(self, worker: Worker, person_id: int, problem: str, steps: str) -> Agreement:
        """The worker records what was agreed; the person receives it to accept or amend."""
        await self._own_person(worker, person_id)
        agreement = await self._storage.propose_agreement(
            person_id=person_id,
            worker_id=worker.id,
            thread_id=await self._open_thread(person_id),
            author="worker",
            problem=_clean(problem),
            steps=_clean(steps),
            now=self._clock.now(),
            notify=OutboxMessage(
                "agreement_proposed",
                "person",
                person_id,
                "agreement_proposed",
                {"worker": worker.name},
            ),
        )
        self._signal.wake()
        log.info("agreement_proposed", extra={"agreement": agreement.id, "by": "worker"})
        return agreement

    async def amend(self, person: Person, agreement_id: int, wording: str) -> Agreement:
        """The person would change it: their own wording becomes the next round."""
        current = await self._storage.get_agreement(agreement_id)
        if current is None or current.person_id != person.id:
            raise NotYours
        if current.status != "proposed" or current.author != "worker":
            raise AgreementClosed
        if current.worker_id is None:
            raise AgreementClosed
        agreement = await self._storage.propose_agreement(
            person_id=person.id,
            worker_id=current.worker_id,
            thread_id=current.thread_id,
            author="person",
            problem=current.problem,
            steps=_clean(wording),
            now=self._clock.now(),
            notify=OutboxMessage(
                "agreement_amended",
                "worker",
                current.worker_id,
                "agreement_amended",
                {"person": person.pseudonym or ""},
            ),
        )
        self._signal.wake()
        log.info("agreement_proposed", extra={"agreement": agreement.id, "by": "person"})
        return agreement

    async def accept_as_person(self, person: Person, agreement_id: int) -> Agreement:
        """ "D'accord": the worker is told; the steps become the person's first steps."""
        current = await self._storage.get_agreement(agreement_id)
        if current is None or current.person_id != person.id or current.author != "worker":
            raise NotYours
        if current.worker_id is None:
            raise AgreementClosed
        notice = OutboxMessage(
            f"agreement_accepted:{agreement_id}",
            "worker",
            current.worker_id,
            "agreement_accepted",
            {"person": person.pseudonym or "", "agreement_id": agreement_id},
        )
        if not await self._storage.accept_agreement(agreement_id, self._clock.now(), notice):
            raise AgreementClosed
        self._signal.wake()
        return current

    async def accept_as_worker(self, worker: Worker, agreement_id: int) -> Agreement:
        """The worker agrees with the person's wording; the person is told."""
        current = await self._storage.get_agreement(agreement_id)
        if current is None or current.worker_id != worker.id or current.author != "person":
            raise NotYours
        await self._own_person(worker, current.person_id)
        notice = OutboxMessage(
            f"agreement_accepted:{agreement_id}",
            "person",
            current.person_id,
            "agreement_accepted_by_worker",
            {"worker": worker.name, "agreement_id": agreement_id},
        )
        if not await self._storage.accept_agreement(agreement_id, self._clock.now(), notice):
            raise AgreementClosed
        self._signal.wake()
        return current

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
        found = await self._storage.get_agreement(agreement_id)
        if found is None or found.person_id != person.id:
            raise NotYours
        return found

    async def get_for_worker(self, worker: Worker, agreement_id: int) -> Agreement:
        """A round of one of this worker's persons."""
        found = await self._storage.get_agreement(agreement_id)
        if found is None or found.worker_id != worker.id:
            raise NotYours
        return found

    async def first_steps(self, person_id: int) -> FirstSteps | None:
        """The agreed next steps, which are now the person's current first steps."""
        for agreement in reversed(await self._storage.agreements_of(person_id)):
            if agreement.status == "accepted":
                return FirstSteps(agreement.problem, agreement.steps)
        return None
