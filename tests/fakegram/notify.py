"""Wake whoever waits on the fake server's state, without polling."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Changes:
    """A broadcast "something changed" signal.

    A fresh Event per change lets `notify` stay synchronous (so plain methods such as
    `FakeUser.block()` can call it) while every current waiter still wakes up, which an
    asyncio.Condition would only allow from a coroutine holding its lock.
    """

    def __init__(self) -> None:
        self._changed = asyncio.Event()

    def notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait(self, predicate: Callable[[], T], within: float | None) -> T | None:
        """The predicate's first truthy value, re-checked after each change; None on timeout."""
        try:
            async with asyncio.timeout(within):
                while True:
                    changed = self._changed
                    result = predicate()
                    if result:
                        return result
                    await changed.wait()
        except TimeoutError:
            return None
