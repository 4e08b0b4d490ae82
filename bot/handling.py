"""The update being handled, and whether its "processed" mark is committed yet.

Shared by every layer (like `bot/domain.py`): the inbox (a transport) opens a `Handling`
for each update it hands to the handlers; storage commits the update's "processed" mark in
the same transaction as the first change the handling makes; the Bot API client commits it
before the first call with an effect (a message, an edit) when nothing was written.
So after a kill -9, an update is either handled again from scratch (nothing of it stored or
shown) or not at all (its effect is on disk): never both effect and repeat.

A button answer (answerCallbackQuery) does not commit the mark: Telegram itself takes one
answer per press and refuses a second. A press is answered with the rest of its reply, after
the use case's writes (the use case decides what the answer says): a process that died
before the first write handles the press again whole (its repeated answer refused, see
bot/telegram/marking.py); one that died after it loses the answer with the rest of the
reply, like any reply in hand at a kill, and the person presses or writes again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Handling:
    """One update in the handlers' hands."""

    update_id: int
    started_at: datetime
    # Commits the mark on its own (before a Bot API call, when nothing was written yet).
    mark_now: Callable[[], Awaitable[None]]
    # The task running the handlers: a task they start (a delivery kick) must not carry the
    # mark with its own writes, as the handlers' effect may still be to come.
    task: asyncio.Task[object] | None = field(default_factory=asyncio.current_task)
    # Handled before (the process died with it in hand, or its handlers failed): a button
    # answer it makes again is refused by Telegram, which answers a press only once.
    repeat: bool = False
    marked: bool = False  # the mark is committed (or being committed by `mark_now`)
    gone: bool = False  # the mark found no row: an erasure took the lane's updates
    # Writes that are bookkeeping, not the update's effect (a contact time), carry no mark.
    bookkeeping: bool = False

    def wants_mark(self) -> bool:
        """True when the current write or call should carry this update's mark."""
        return not self.marked and not self.bookkeeping and asyncio.current_task() is self.task


current_handling: ContextVar[Handling | None] = ContextVar("current_handling", default=None)


@contextlib.contextmanager
def bookkeeping() -> Iterator[None]:
    """Writes in this block are not the update's effect: they do not carry its mark (they
    may be repeated harmlessly if the update is handled again)."""
    handling = current_handling.get()
    if handling is None or handling.bookkeeping:
        yield
        return
    handling.bookkeeping = True
    try:
        yield
    finally:
        handling.bookkeeping = False


def repeated() -> bool:
    """True while handling an update that was handled before (see `Handling.repeat`)."""
    handling = current_handling.get()
    return handling is not None and handling.repeat


async def before_effect() -> None:
    """Called before a Bot API call with a visible effect: the update is marked processed
    first, unless a write already carried the mark."""
    handling = current_handling.get()
    if handling is not None and handling.wants_mark():
        await handling.mark_now()
