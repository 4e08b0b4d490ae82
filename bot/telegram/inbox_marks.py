"""When an update counts as handled: its "processed" mark in the inbox.

Apart from the scheduling because the mark is what makes handling exactly once for what is
stored, as far as a kill -9 allows (bot/handling.py): an update's mark commits in the same
transaction as the first change its handlers write, or, when they wrote nothing yet, just
before their first Bot API call with an effect (a message, an edit; not a button answer,
which Telegram takes only once): `handling_for`. After a crash, an update is handled again
only if nothing of it was written or sent. The cost: a message in flight at the kill is lost
rather than repeated (a dialogue's question is shown again before free text is taken as its
answer). Urgent updates keep the old order, marked after their handlers returned: a lost
emergency reply would be worse than a repeated one. What is still unmarked once handled (an
urgent update, one that wrote and sent nothing, one refused or set aside) is marked by
`DoneMarks`, in groups.
"""

from __future__ import annotations

import asyncio

from bot.domain import InboxEntry, InboxStatus
from bot.handling import Handling
from bot.services import Services
from bot.usecases.clock import Clock
from bot.usecases.inbox import InboxStorage


def handling_for(entry: InboxEntry, storage: InboxStorage, clock: Clock) -> Handling | None:
    """The update's mark, committed with its first write or before its first reply; None
    for urgent updates, marked once handled."""
    if entry.urgent:
        return None
    now = clock.now()

    async def mark_now() -> None:
        handling.marked = True  # set first: this very write must not carry the mark again
        try:
            gone = await storage.inbox_done([(entry.update_id, "processed")], now)
        except BaseException:
            handling.marked = False
            raise
        handling.gone = bool(gone)

    handling = Handling(entry.update_id, now, mark_now, task=None, repeat=entry.attempts > 0)
    return handling


class DoneMarks:
    """Group commit of "processed" marks: lanes finishing together share one transaction
    (one fsync), and each lane waits for its mark before taking its next update."""

    def __init__(self, storage: InboxStorage, services: Services) -> None:
        self._storage = storage
        self._clock = services.clock
        self._queued: list[tuple[int, InboxStatus, asyncio.Future[bool]]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        """Flush in the background."""
        self._task = asyncio.create_task(self._run(), name="inbox-marks")

    async def stop(self) -> None:
        """Flush what is queued, then stop (never cancelled inside a transaction)."""
        if self._task is not None:
            self._stopping = True
            self._wake.set()
            await self._task
            self._task = None
        await self._flush()

    async def mark(self, update_id: int, status: InboxStatus) -> bool:
        """Record the update as done; returns once committed, False when the update was no
        longer stored (an erasure emptied its lane)."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queued.append((update_id, status, done))
        self._wake.set()
        if self._task is None:
            await self._flush()
        return await done

    async def _run(self) -> None:
        while not self._stopping:
            await self._wake.wait()
            self._wake.clear()
            await self._flush()

    async def _flush(self) -> None:
        batch, self._queued = self._queued, []
        if not batch:
            return
        try:
            gone = await self._storage.inbox_done(
                [(update_id, status) for update_id, status, _ in batch], self._clock.now()
            )
        except Exception as error:  # each lane sees the failure and retries its update
            for _, _, done in batch:
                if not done.done():
                    done.set_exception(error)
            return
        for update_id, _, done in batch:
            if not done.done():
                done.set_result(update_id not in gone)
