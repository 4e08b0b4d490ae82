"""Webhook replicas sharing one PostgreSQL database: lanes and jobs claimed with session
advisory locks, on one connection per replica kept for that purpose.

A lane (a chat) is handled by the replica holding its lock, so one replica at a time, in
update_id order (bot/telegram/inbox.py). A background job (the outbox courier, the reminder
scan, the purge, the inbox pruning) runs a round only while holding its job lock, so no two
replicas send the same message or remind the same person. Nothing is leased by time: a lock
lives as long as the session, so a replica killed mid-lane lets go of it the moment
PostgreSQL sees its connection close (at once for a killed process, within the TCP keepalive
probes below for a vanished machine), and another replica carries on.

Lane locks use PostgreSQL's two-key form (the lane's high and low 32 bits, `objsubid = 2` in
pg_locks), a key space apart from the single-key locks (the writer, the leader, the jobs):
a chat id can never collide with them. An operator sees the claims in pg_locks, and each
replica's session in pg_stat_activity as `equipage-replica-PID`.

If this connection breaks, this process may no longer hold what it thinks it holds: it stops
itself (SIGTERM, the clean stop) and its supervisor starts it again, as for the leader lock.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable
from typing import Any

import asyncpg

from bot.storage.leadership import KEEPALIVES

log = logging.getLogger(__name__)

REPLICA_PREFIX = "equipage-replica-"
# One single-key advisory lock per background job (distinct from the writer's and the leader's).
JOB_LOCKS = {
    "outbox-courier": 0x45515101,
    "reminder-scanner": 0x45515102,
    "daily-purge": 0x45515103,
    "inbox-pruner": 0x45515104,
}


def replica_session_name() -> str:
    """The name this replica's claims session shows in pg_stat_activity."""
    return f"{REPLICA_PREFIX}{os.getpid()}"


def lane_keys(lane: int) -> tuple[int, int]:
    """The lane as two signed 32-bit keys (high, low): every chat id maps to its own lock."""
    high = lane >> 32
    low = lane & 0xFFFFFFFF
    if low >= 0x80000000:
        low -= 0x100000000
    return high, low


def _stop_this_process() -> None:
    os.kill(os.getpid(), signal.SIGTERM)


class PgSharedWork:
    """Claims held by this replica's own PostgreSQL session."""

    shared = True

    def __init__(self, url: str, on_lost: Callable[[], None] = _stop_this_process) -> None:
        self._url = url
        self._on_lost = on_lost
        self._connection: asyncpg.Connection | None = None
        # asyncpg runs one statement at a time per connection.
        self._turn = asyncio.Lock()
        self._lost = False

    async def open(self) -> None:
        """Connect the claims session."""
        self._connection = await asyncpg.connect(
            self._url,
            server_settings={"application_name": replica_session_name(), **KEEPALIVES},
        )

    async def close(self) -> None:
        """Close the session: PostgreSQL lets go of every lock it held."""
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            await connection.close()

    async def _value(self, sql: str, *arguments: Any) -> Any:
        if self._connection is None:
            raise RuntimeError("claims session is not open")
        try:
            async with self._turn:
                return await self._connection.fetchval(sql, *arguments)
        except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError) as error:
            if not self._lost:
                self._lost = True
                log.error("claims_session_lost", extra={"error": type(error).__name__})
                self._on_lost()
            raise

    async def claim_lane(self, lane: int) -> bool:
        """pg_try_advisory_lock on the lane: never waits for another replica."""
        return bool(await self._value("SELECT pg_try_advisory_lock($1, $2)", *lane_keys(lane)))

    async def release_lane(self, lane: int) -> None:
        """pg_advisory_unlock on the lane."""
        await self._value("SELECT pg_advisory_unlock($1, $2)", *lane_keys(lane))

    async def claim_job(self, job: str) -> bool:
        """pg_try_advisory_lock on the job's key."""
        return bool(await self._value("SELECT pg_try_advisory_lock($1)", JOB_LOCKS[job]))

    async def release_job(self, job: str) -> None:
        """pg_advisory_unlock on the job's key."""
        await self._value("SELECT pg_advisory_unlock($1)", JOB_LOCKS[job])

    async def live_replicas(self) -> int:
        """Claims sessions open on the server: one per running replica."""
        found = await self._value(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name LIKE $1",
            REPLICA_PREFIX + "%",
        )
        return max(1, int(found))
