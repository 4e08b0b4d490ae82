"""A round-robin HTTP proxy on 127.0.0.1, in front of webhook replicas (as a load balancer).

Each POST goes to the next replica in turn, headers (the secret) and body as they came; the
replica's status comes back. A replica that does not answer (killed) makes that POST fail
with 502, so the fake Telegram tries the update again later, as Telegram does; the next try
goes to the next replica."""

from __future__ import annotations

from itertools import count

import aiohttp
from aiohttp import web

FORWARDED = ("Content-Type", "X-Telegram-Bot-Api-Secret-Token")


class RoundRobin:
    """Spreads webhook POSTs across `ports` (set or changed at any time)."""

    def __init__(self) -> None:
        self.ports: list[int] = []
        self.forwarded: dict[int, int] = {}  # port -> POSTs it answered
        self.failed = 0
        self._turn = count()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"

    async def start(self) -> None:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post("/telegram", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        port = self.ports[next(self._turn) % len(self.ports)]
        headers = {name: request.headers[name] for name in FORWARDED if name in request.headers}
        try:
            async with self._session.post(
                f"http://127.0.0.1:{port}/telegram",
                data=await request.read(),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=10),
            ) as response:
                self.forwarded[port] = self.forwarded.get(port, 0) + 1
                return web.Response(status=response.status)
        except (aiohttp.ClientError, TimeoutError):
            self.failed += 1
            return web.Response(status=502)
