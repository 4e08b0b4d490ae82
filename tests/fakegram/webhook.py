"""Calling the bot's webhook as Telegram does: one update at a time, in order, until it says 200."""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp

from .state import World

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookPusher:
    """Pushes pending updates to the registered webhook; a refused one is retried later."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._task: asyncio.Task[None] | None = None
        self.responses: list[int] = []

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="fakegram-webhook")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _ready(self) -> bool:
        world = self._world
        return world.stopping or (world.webhook is not None and len(world.updates) > 0)

    async def _run(self) -> None:
        world = self._world
        async with aiohttp.ClientSession() as session:
            while True:
                await world.changes.wait(self._ready, None)
                if world.stopping:
                    return
                hook = world.webhook
                pending = world.updates.take(1)
                if hook is None or not pending:
                    continue
                update = pending[0]
                secret = hook.get("secret_token")
                headers = {SECRET_HEADER: str(secret)} if secret else {}
                try:
                    async with session.post(
                        str(hook["url"]),
                        json=update,
                        headers=headers,
                        timeout=aiohttp.ClientTimeout(total=10),
                    ) as response:
                        status = response.status
                except (aiohttp.ClientError, TimeoutError):
                    status = 0
                self.responses.append(status)
                world.changes.notify()
                if status == 200:
                    world.updates.confirm(int(update["update_id"]) + 1)
                    world.changes.notify()
                else:
                    # Telegram backs off before trying the same update again.
                    await asyncio.sleep(0.2)
