"""Calling the bot's webhook as Telegram does: updates in order, each until it says 200.

By default one update at a time. With `connections` above one (Telegram's max_connections,
40 unless the bot asks otherwise), several are in flight at once, never two of the same chat:
a chat's updates still arrive in order, while other chats do not wait for it."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import aiohttp

from .state import World

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_DELAY = 0.2


def _chat_of(update: dict[str, Any]) -> object:
    for key, body in update.items():
        if key == "update_id" or not isinstance(body, dict):
            continue
        sender = body.get("from")
        if isinstance(sender, dict):
            return sender.get("id")
        chat = body.get("chat")
        if isinstance(chat, dict):
            return chat.get("id")
    return None


class WebhookPusher:
    """Pushes pending updates to the registered webhook; a refused one is retried later."""

    def __init__(self, world: World, connections: int = 1) -> None:
        self._world = world
        self._tasks: list[asyncio.Task[None]] = []
        self.connections = connections
        self.responses: list[int] = []
        # Updates being pushed now, and their chats (one update per chat in flight).
        self._in_flight: set[int] = set()
        self._busy_chats: set[object] = set()

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._run(), name=f"fakegram-webhook-{number}")
            for number in range(self.connections)
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    def _next(self) -> dict[str, Any] | None:
        world = self._world
        if world.webhook is None:
            return None
        for update in world.updates.take(len(world.updates)):
            if update["update_id"] in self._in_flight:
                continue
            chat = _chat_of(update)
            if chat is not None and chat in self._busy_chats:
                continue
            return update
        return None

    def _ready(self) -> bool:
        return self._world.stopping or self._next() is not None

    async def _run(self) -> None:
        world = self._world
        async with aiohttp.ClientSession() as session:
            while True:
                await world.changes.wait(self._ready, None)
                if world.stopping:
                    return
                hook = world.webhook
                update = self._next()
                if hook is None or update is None:
                    continue
                update_id = int(update["update_id"])
                chat = _chat_of(update)
                self._in_flight.add(update_id)
                if chat is not None:
                    self._busy_chats.add(chat)
                try:
                    status = await self._push(session, hook, update)
                finally:
                    self._in_flight.discard(update_id)
                    self._busy_chats.discard(chat)
                self.responses.append(status)
                if status == 200:
                    if self.connections == 1:
                        world.updates.confirm(update_id + 1)
                    else:
                        world.updates.remove(update_id)
                    world.changes.notify()
                else:
                    world.changes.notify()
                    # Telegram backs off before trying the same update again.
                    await asyncio.sleep(RETRY_DELAY)

    async def _push(
        self, session: aiohttp.ClientSession, hook: dict[str, Any], update: dict[str, Any]
    ) -> int:
        secret = hook.get("secret_token")
        headers = {SECRET_HEADER: str(secret)} if secret else {}
        try:
            async with session.post(
                str(hook["url"]),
                json=update,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=10),
            ) as response:
                return response.status
        except (aiohttp.ClientError, TimeoutError):
            return 0
