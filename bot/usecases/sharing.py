"""Work that replicas share: who handles a chat's lane now, which replica runs a background
job this round, and how many replicas are alive (to split Telegram's global send rate).

One process alone (SQLite, or PostgreSQL in polling mode behind the leader lock) owns every
lane and every job: `SoleReplica`. Webhook replicas on one PostgreSQL database claim them
with PostgreSQL advisory locks (bot/storage/claims.py). Transports see only this protocol.
"""

from __future__ import annotations

from typing import Protocol


class SharedWork(Protocol):
    """Claims on lanes and jobs; `shared` says whether other replicas may hold some."""

    @property
    def shared(self) -> bool:
        """True when other processes share the inbox and the jobs."""

    async def open(self) -> None:
        """Connect (before the first claim)."""

    async def close(self) -> None:
        """Let go of every claim."""

    async def claim_lane(self, lane: int) -> bool:
        """Take the lane (a chat) if no other replica holds it; True when taken."""

    async def release_lane(self, lane: int) -> None:
        """Give the lane back (its handling is over for now)."""

    async def claim_job(self, job: str) -> bool:
        """Take a background job (courier, reminder scan, purge) for one round."""

    async def release_job(self, job: str) -> None:
        """End the job's round: another replica may run the next one."""

    async def live_replicas(self) -> int:
        """How many replicas are running now (at least this one)."""


class SoleReplica:
    """The only process: every lane and job is its own, no round trip."""

    shared = False

    async def open(self) -> None:
        """Nothing to connect."""

    async def close(self) -> None:
        """Nothing to let go."""

    async def claim_lane(self, lane: int) -> bool:
        """Always ours."""
        return True

    async def release_lane(self, lane: int) -> None:
        """Nothing held."""

    async def claim_job(self, job: str) -> bool:
        """Always ours."""
        return True

    async def release_job(self, job: str) -> None:
        """Nothing held."""

    async def live_replicas(self) -> int:
        """Just this one."""
        return 1
