"""Is the bot keeping up? The same figures for /healthz, the polling health port and doctor.

Stale means unhealthy (503): updates waiting too long, a loop that stopped beating, no
successful Bot API call lately (checked with getMe before saying so), or a failed write.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from telegram.error import TelegramError

from bot.usecases.inbox import InboxStorage

if TYPE_CHECKING:
    # aiohttp is imported only when a health server starts: importing it (and the TLS
    # contexts it builds at import) is a third of the bot's start-up otherwise.
    from aiohttp import web

log = logging.getLogger(__name__)

# How old each figure may be before the bot is unhealthy, in seconds.
OLDEST_WAITING = 60.0
BEAT_LIMITS = {"courier": 120.0, "reminder-scanner": 300.0}
API_SILENCE = 60.0


class Vitals:
    """What only the running process knows: its last successful Bot API call."""

    def __init__(self, now: Callable[[], float] = time.time) -> None:
        # The application's clock (a test's clock too), as seconds since the epoch: the
        # health check compares it with the same clock.
        self._now = now
        self.api_ok_at: float | None = None

    def api_ok(self) -> None:
        """A Bot API call succeeded just now."""
        self.api_ok_at = self._now()


@dataclass
class Health:
    """The figures, and which of them are stale."""

    figures: dict[str, Any] = field(default_factory=dict)
    stale: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """True when nothing is stale."""
        return not self.stale


async def measure(
    storage: InboxStorage, now: datetime, api_ok_at: float | None, *, probe: bool = True
) -> Health:
    """Read the figures from storage (and the process's last API success, when known).

    `probe`: also write a row, proving the database takes writes (doctor only looks)."""
    health = Health()
    if probe:
        try:
            await storage.beat("write-probe", now)
            health.figures["write_probe"] = "ok"
        except Exception as error:  # any failure to write is the news
            health.figures["write_probe"] = type(error).__name__
            health.stale.append("write_probe")
            return health
    figures = await storage.inbox_figures()
    oldest = None if figures.oldest is None else (now - figures.oldest).total_seconds()
    health.figures.update(
        inbox_depth=figures.depth,
        inbox_oldest_seconds=None if oldest is None else round(oldest, 1),
        inbox_set_aside=figures.set_aside,
    )
    if oldest is not None and oldest > OLDEST_WAITING:
        health.stale.append("inbox")
    beats = await storage.heartbeats()
    for name, limit in BEAT_LIMITS.items():
        beat = beats.get(name)
        age = None if beat is None else round((now - beat).total_seconds(), 1)
        health.figures[f"{name}_seconds"] = age
        if age is None or age > limit:
            health.stale.append(name)
    if api_ok_at is None and "bot-api" in beats:
        api_ok_at = beats["bot-api"].timestamp()
    api_age = None if api_ok_at is None else round(now.timestamp() - api_ok_at, 1)
    health.figures["bot_api_seconds"] = api_age
    if api_age is None or api_age > API_SILENCE:
        health.stale.append("bot_api")
    return health


class HealthCheck:
    """The /healthz answer: figures as JSON, 200 or 503. Asks getMe when the API was quiet."""

    def __init__(self, storage: InboxStorage, vitals: Vitals, bot: Any, clock: Any) -> None:
        self._storage = storage
        self._vitals = vitals
        self._bot = bot
        self._clock = clock

    async def check(self) -> Health:
        """Measure; if only the Bot API looks quiet, ask it once (5 s at most) and measure again."""
        try:
            health = await measure(self._storage, self._clock.now(), self._vitals.api_ok_at)
        except Exception as error:  # the database itself is unreadable
            return Health({"database": type(error).__name__}, ["database"])
        if "bot_api" in health.stale:
            try:
                await asyncio.wait_for(self._bot.get_me(), timeout=5)
                self._vitals.api_ok()
                health = await measure(self._storage, self._clock.now(), self._vitals.api_ok_at)
            except (TelegramError, TimeoutError) as error:
                log.warning("health_bot_api_failed", extra={"error": type(error).__name__})
        return health

    async def handle(self, request: web.Request) -> web.Response:
        """GET /healthz."""
        from aiohttp import web

        health = await self.check()
        body = {**health.figures, "stale": health.stale}
        return web.json_response(body, status=200 if health.healthy else 503)


async def serve_health(check: HealthCheck, host: str, port: int) -> web.AppRunner:
    """A loopback /healthz for polling mode (EQUIPAGE_HEALTH_PORT)."""
    from aiohttp import web

    app = web.Application()
    app.router.add_get("/healthz", check.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
