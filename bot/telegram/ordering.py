"""Fair scheduling of lanes (one chat each): in order within a lane, fair across lanes.

A lane is started only when no worker holds it, so nothing ever waits for a chat's lock
while holding a shared slot. Lanes wait in FIFO order for one of `max_lanes` slots; a lane
with an urgent update (`/urgence`) skips that wait and runs at once. A lane gives its slot
back after a few updates and joins the back of the queue, so a flooding chat gets one slot's
share, never everyone's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

# Handles a few of the lane's waiting updates; True when the lane may have more.
LaneWork = Callable[[int], Awaitable[bool]]


class FairLanes:
    """Runs `work(lane)` for lanes that have updates, one worker per lane at most."""

    def __init__(self, work: LaneWork, max_lanes: int = 64) -> None:
        self._work = work
        self._max_lanes = max_lanes
        self._waiting: deque[int] = deque()
        self._queued: set[int] = set()
        self._running: dict[int, asyncio.Task[None]] = {}
        # Lanes that received work while running: they go round once more.
        self._again: set[int] = set()
        self._urgent_again: set[int] = set()
        self._stopping = False
        self._idle = asyncio.Event()
        self._idle.set()

    def notify(self, lane: int, *, urgent: bool = False) -> None:
        """`lane` has new work (urgent: run it now, whatever the queue)."""
        if self._stopping:
            return
        self._idle.clear()
        if lane in self._running:
            self._again.add(lane)
            if urgent:
                self._urgent_again.add(lane)
            return
        if urgent:
            if lane in self._queued:
                self._queued.discard(lane)
                self._waiting.remove(lane)
            self._launch(lane)
            return
        if lane not in self._queued:
            self._queued.add(lane)
            self._waiting.append(lane)
        self._fill()

    def holds(self, lane: int) -> bool:
        """Whether the lane is running or waiting for a slot here."""
        return lane in self._running or lane in self._queued

    @property
    def busy(self) -> int:
        """Lanes running or waiting for a slot."""
        return len(self._running) + len(self._waiting)

    async def join(self) -> None:
        """Wait until every lane is drained (tests, graceful stop)."""
        await self._idle.wait()

    async def stop(self, grace: float) -> None:
        """Start no new lane; give running ones `grace` seconds to finish their update."""
        self._stopping = True
        self._waiting.clear()
        self._queued.clear()
        running = list(self._running.values())
        if running:
            _, late = await asyncio.wait(running, timeout=grace)
            for task in late:
                task.cancel()
            for task in late:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    @property
    def stopping(self) -> bool:
        """True once `stop` was called: lanes finish their current update and return."""
        return self._stopping

    def _fill(self) -> None:
        while self._waiting and len(self._running) < self._max_lanes:
            lane = self._waiting.popleft()
            self._queued.discard(lane)
            self._launch(lane)

    def _launch(self, lane: int) -> None:
        self._running[lane] = asyncio.create_task(self._run(lane), name=f"lane-{lane}")

    async def _run(self, lane: int) -> None:
        more = False
        try:
            more = await self._work(lane)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a lane that fails must not stop the others
            log.error("lane_failed", extra={"lane": lane, "error": type(error).__name__})
            more = True
            await asyncio.sleep(1.0)
        finally:
            del self._running[lane]
            again = lane in self._again
            urgent = lane in self._urgent_again
            self._again.discard(lane)
            self._urgent_again.discard(lane)
            if not self._stopping and (more or again):
                self.notify(lane, urgent=urgent)
            self._fill()
            if not self._running and not self._waiting:
                self._idle.set()
