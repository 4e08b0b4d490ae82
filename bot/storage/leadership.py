"""One active bot among polling replicas sharing a PostgreSQL database; the others wait,
ready. (Webhook replicas are all active and share the work: bot/storage/claims.py.)

The active one holds a PostgreSQL session advisory lock on a connection of its own, for as
long as it runs. PostgreSQL lets go of it the moment that session ends (the process killed,
its machine gone: TCP keepalives detect that within seconds), and a waiting replica takes it
and starts. So Telegram is polled by one process only, and the outbox courier, the reminder
scan and the purge run once, however many replicas are started.

The connection lives in a thread with its own event loop, so the bot's loop (created later,
by PTB's start-up) neither owns it nor can starve it. If the connection breaks while this
process is active, it may no longer be the only one: it stops itself (SIGTERM, the clean
stop), and its supervisor starts it again, as a replica that waits.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
from collections.abc import Callable

import asyncpg

log = logging.getLogger(__name__)

LEADER_LOCK = 0x45515541  # "EQUA": the active bot
WAIT_SECONDS = 1.0
CHECK_SECONDS = 2.0
# Seconds of silence before PostgreSQL probes the leader's socket, between probes, and how
# many unanswered probes end its session (so its lock) when its machine disappeared.
KEEPALIVES = {
    "tcp_keepalives_idle": "5",
    "tcp_keepalives_interval": "2",
    "tcp_keepalives_count": "3",
}


def leader_session_name() -> str:
    """The leader's PostgreSQL session names its process, so an operator (or a test) reading
    pg_stat_activity sees which replica is the active one."""
    return f"equipage-leader-{os.getpid()}"


def _stop_this_process() -> None:
    os.kill(os.getpid(), signal.SIGTERM)


class Leadership:
    """Wait to become the active replica, then stay it until `release()`."""

    def __init__(self, url: str, on_lost: Callable[[], None] = _stop_this_process) -> None:
        self._url = url
        self._on_lost = on_lost
        self._held = threading.Event()
        self._failed: BaseException | None = None
        self._release = threading.Event()
        self._thread: threading.Thread | None = None
        # Set when the lock went away while active: the process must exit as a failure.
        self.lost = False

    def acquire(self) -> None:
        """Block until this process is the active one (or raise what prevents it)."""
        self._thread = threading.Thread(target=self._run, name="leadership", daemon=True)
        self._thread.start()
        while not self._held.wait(0.2):
            if self._failed is not None:
                raise self._failed
            if not self._thread.is_alive():
                raise RuntimeError("leadership thread ended")

    def release(self) -> None:
        """Let another replica take over (at a clean stop)."""
        self._release.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        try:
            asyncio.run(self._hold())
        except BaseException as error:  # told to the waiting thread, or the bot stops
            if self._held.is_set():
                if not self._release.is_set():
                    log.error("leadership_lost", extra={"error": type(error).__name__})
                    self.lost = True
                    self._on_lost()
            else:
                self._failed = error

    async def _hold(self) -> None:
        connection = await asyncpg.connect(
            self._url, server_settings={"application_name": leader_session_name(), **KEEPALIVES}
        )
        try:
            waiting_said = False
            while not await connection.fetchval("SELECT pg_try_advisory_lock($1)", LEADER_LOCK):
                if not waiting_said:
                    log.info("replica_waiting")
                    waiting_said = True
                if self._release.is_set():
                    return
                await asyncio.sleep(WAIT_SECONDS)
            log.info("replica_active")
            self._held.set()
            while not self._release.is_set():
                await asyncio.sleep(CHECK_SECONDS)
                # Still our session (so still our lock)? A broken connection raises here.
                await asyncio.wait_for(connection.fetchval("SELECT 1"), timeout=CHECK_SECONDS * 3)
        finally:
            if not connection.is_closed():
                await connection.close()
