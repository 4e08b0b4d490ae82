"""Waking the outbox courier when something was queued."""

from __future__ import annotations

import asyncio
import contextlib


class OutboxSignal:
    """Set by use cases after queuing; awaited by the delivery loop."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def wake(self) -> None:
        """Something new is waiting."""
        self._event.set()

    async def wait(self, seconds: float) -> None:
        """Until woken or `seconds` pass."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), seconds)
        self._event.clear()
