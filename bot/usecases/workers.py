"""What workers (and admins) do: join, list their persons, be deactivated, transfer."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain import Invitation, OutboxMessage, Person, Worker
from bot.messages import WorkerChanged
from bot.storage.base import PersonStore, WorkerStore
from bot.usecases.access import person_of_worker
from bot.usecases.clock import Clock
from bot.usecases.consent import InvitationGone, RoleTaken
from bot.usecases.outbox import OutboxSignal


class WorkersStorage(WorkerStore, PersonStore, Protocol):
    """What the worker use cases read and write."""


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PersonListing:
    """One line of a worker's /personnes."""

    person_id: int
    pseudonym: str | None
    joined_at: datetime | None


@dataclass(frozen=True)
class WorkerListing:
    """One line of `equipage admin workers`."""

    worker: Worker
    persons: int


class UnknownWorker(Exception):
    """No such worker, or not active."""


class UnknownPerson(Exception):
    """No such person."""


class Workers:
    """Worker-side use cases; every one checks who may act on whom."""

    def __init__(self, storage: WorkersStorage, clock: Clock, signal: OutboxSignal) -> None:
        self._storage = storage
        self._clock = clock
        self._signal = signal

    async def join(
        self, invitation: Invitation, account: str, *, chat_id: int, language: str
    ) -> Worker:
        """A worker opened their invitation: bind this Telegram account to them."""
        if await self._storage.person_by_account(account) is not None:
            raise RoleTaken
        if await self._storage.worker_by_account(account) is not None:
            raise RoleTaken
        worker = await self._storage.join_worker(
            invitation_id=invitation.id,
            account=account,
            chat_id=chat_id,
            language=language,
            now=self._clock.now(),
        )
        if worker is None:
            raise InvitationGone
        log.info("worker_joined", extra={"worker": worker.id})
        return worker

    async def by_account(self, account: str) -> Worker | None:
        """The worker behind an account, active or not."""
        return await self._storage.worker_by_account(account)

    async def person_of(self, worker: Worker, person_id: int) -> Person:
        """One of this worker's persons (raises NotYours otherwise)."""
        return await person_of_worker(self._storage, worker, person_id)

    async def persons(self, worker: Worker) -> list[PersonListing]:
        """The persons linked to this worker — never anyone else's."""
        return [
            PersonListing(person.id, person.pseudonym, person.consented_at)
            for person in await self._storage.persons_of_worker(worker.id)
        ]

    async def listing(self) -> list[WorkerListing]:
        """Every worker with how many persons they support (admin)."""
        return [
            WorkerListing(worker, await self._storage.count_persons(worker.id))
            for worker in await self._storage.list_workers()
        ]

    async def deactivate(self, worker_id: int) -> Worker:
        """End a worker's access (admin)."""
        if not await self._storage.deactivate_worker(worker_id, self._clock.now()):
            raise UnknownWorker
        worker = await self._storage.get_worker(worker_id)
        assert worker is not None
        log.info("worker_deactivated", extra={"worker": worker_id})
        return worker

    async def transfer(self, person_id: int, to_worker_id: int) -> Worker:
        """Move a person to another worker (admin); the person is told who it is now."""
        worker = await self._storage.get_worker(to_worker_id)
        if worker is None or not worker.active:
            raise UnknownWorker
        person = await self._storage.get_person(person_id)
        if person is None or person.consented_at is None:
            raise UnknownPerson
        now = self._clock.now()
        notice = OutboxMessage(
            dedupe_key=f"worker_changed:{person_id}:{to_worker_id}:{now.isoformat()}",
            recipient_kind="person",
            recipient_id=person_id,
            body=WorkerChanged(worker.name, worker.structure or ""),
            about_person=person_id,
        )
        await self._storage.transfer_person(person_id, to_worker_id, now, notice)
        self._signal.wake()
        log.info("person_transferred", extra={"person": person_id, "worker": to_worker_id})
        return worker
