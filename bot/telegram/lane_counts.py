"""How many updates wait, per chat and in all: the inbox's two limits, kept in memory.

Apart from the scheduling because these counts are bookkeeping with their own rules: a
chat's queue is refused past `LANE_LIMIT` (each replica keeps its share of it behind a
round-robin proxy), the receivers stop taking updates past `DEPTH_LIMIT`, and with shared
lanes an update another replica stored is counted only once this replica reads it from
storage (`recount`).
"""

from __future__ import annotations

from bot.usecases.inbox import InboxStorage
from bot.usecases.sharing import SharedWork

# A chat may have this many updates waiting; past it, new ones are refused (and said so).
LANE_LIMIT = 60
# The whole inbox: past this, the receivers stop taking updates (Telegram keeps them).
DEPTH_LIMIT = 20_000


class WaitingCounts:
    """Updates stored and not yet handled, per lane and in all."""

    def __init__(self, storage: InboxStorage, sharing: SharedWork) -> None:
        self._storage = storage
        self._sharing = sharing
        self._waiting: dict[int, int] = {}
        self._lane_limit = LANE_LIMIT
        self._depth = 0

    def share(self, replicas: int) -> None:
        """Behind a round-robin proxy, this replica stores about 1/`replicas` of a chat's
        updates: its share of the per-chat queue keeps the chat's whole queue as on one."""
        self._lane_limit = max(1, LANE_LIMIT // max(1, replicas))

    @property
    def depth(self) -> int:
        """Updates stored and not yet handled."""
        return self._depth

    @property
    def full(self) -> bool:
        """True when receivers should stop taking updates for a while."""
        return self._depth >= DEPTH_LIMIT

    def lane_full(self, lane: int) -> bool:
        """The chat's queue is at its limit: its next update is refused."""
        return self._waiting.get(lane, 0) >= self._lane_limit

    def holds(self, lane: int) -> bool:
        """Whether the lane has updates counted here."""
        return lane in self._waiting

    def resumed(self, lane: int, waiting: int) -> None:
        """At start: what a previous run left in the lane."""
        self._waiting[lane] = waiting
        self._depth += waiting

    def arrived(self, lane: int) -> None:
        """One more update stored for the lane."""
        self._waiting[lane] = self._waiting.get(lane, 0) + 1
        self._depth += 1

    def drop(self, lane: int) -> None:
        """Another replica holds the lane: its updates are that one's to count."""
        self._depth -= self._waiting.pop(lane, 0)

    def forget(self, lane: int) -> None:
        """One of the lane's updates is handled (or set aside)."""
        if self._sharing.shared and lane not in self._waiting:
            return  # stored by another replica: never counted here
        self._waiting[lane] = self._waiting.get(lane, 1) - 1
        if self._waiting[lane] <= 0:
            del self._waiting[lane]
        self._depth -= 1

    async def recount(self, lane: int) -> None:
        """The lane's count as storage has it (updates another replica stored, or an erasure
        that took the person's waiting updates with it)."""
        waiting = await self._storage.inbox_waiting(lane)
        self._depth += waiting - self._waiting.pop(lane, 0)
        if waiting:
            self._waiting[lane] = waiting
