"""What an account's next free text answers, when it is not a dialogue question."""

from __future__ import annotations

from bot.pending_states import PendingState
from bot.storage.base import PendingStore
from bot.usecases.clock import Clock


class PendingInputs:
    """Remembers, in the database, that the next text is e.g. the summary's topics."""

    def __init__(self, storage: PendingStore, clock: Clock) -> None:
        self._storage = storage
        self._clock = clock

    async def clear(self, account: str) -> None:
        """Expect nothing in particular any more."""
        await self._storage.clear_pending(account)

    async def expect(self, account: str, state: PendingState) -> None:
        """The next text from this account answers `state` (replacing what was expected)."""
        await self._storage.set_pending(account, state, self._clock.now())

    async def peek(self, account: str) -> PendingState | None:
        """What the next text answers, typed; None if nothing or nothing this code can read."""
        return await self._storage.get_pending(account)
