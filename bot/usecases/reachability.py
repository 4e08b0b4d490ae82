"""Whether Telegram lets us write to someone: they block the bot, or unblock it."""

from __future__ import annotations

import logging
from typing import Protocol

from bot.storage.base import PersonStore, WorkerStore
from bot.usecases.outbox import OutboxSignal


class ReachabilityStorage(PersonStore, WorkerStore, Protocol):
    """Who can be reached."""


log = logging.getLogger(__name__)


class Reachability:
    """Follows `my_chat_member`: blocked → unreachable; unblocked → reachable, queue resumes."""

    def __init__(self, storage: ReachabilityStorage, signal: OutboxSignal) -> None:
        self._storage = storage
        self._signal = signal

    async def changed(self, account: str, reachable: bool) -> None:
        """Record the account's new state, as a person and as a worker (one may be both)."""
        person = await self._storage.person_by_account(account)
        if person is not None:
            await self._storage.set_person_reachable(person.id, reachable)
            log.info("person_reachability", extra={"person": person.id, "reachable": reachable})
        worker = await self._storage.worker_by_account(account)
        if worker is not None:
            await self._storage.set_worker_reachable(worker.id, reachable)
            log.info("worker_reachability", extra={"worker": worker.id, "reachable": reachable})
        if reachable:
            self._signal.wake()  # what waited for them goes now
