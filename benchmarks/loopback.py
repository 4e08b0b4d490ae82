"""The fake Bot API over real HTTP on 127.0.0.1: the test suite's `tests/fakegram` server,
with the few handles a benchmark needs on top.

It runs in the benchmark's own process, and the bots under test in child processes: the
server's CPU (aiohttp, fakegram's checks of every request) is never counted as the bot's.
On top of `FakeTelegram`: every Bot API call counted by method, the moment the first
`getUpdates` arrived (start-up), the updates pushed (to replay them to another bot), and
button presses that do not wait for the bot's answer (the driver waits for the bot itself).
"""

from __future__ import annotations

import copy
import time
from collections import Counter
from typing import Any

from tests.fakegram import BotMessage, FakeTelegram, FakeUser
from tests.fakegram.models import Click, Json
from tests.fakegram.state import World


class CountingWorld(World):
    """fakegram's state, counting the calls and keeping the updates pushed."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[str] = Counter()
        self.pushed: list[tuple[str, Json]] = []
        self.first_get_updates: float | None = None

    def record(self, method: str, params: dict[str, Any]) -> None:
        """Count the call (and time the first getUpdates) before fakegram records it."""
        if method == "getUpdates" and self.first_get_updates is None:
            self.first_get_updates = time.perf_counter()
        self.calls[method] += 1
        super().record(method, params)

    def push_update(self, kind: str, payload: Json) -> None:
        """Keep a copy of what the bot is sent, then queue it for getUpdates."""
        self.pushed.append((kind, copy.deepcopy(payload)))
        super().push_update(kind, payload)


class LoopbackTelegram(FakeTelegram):
    """`tests.fakegram.FakeTelegram` with the benchmark's handles (see the module doc)."""

    def __init__(self) -> None:
        super().__init__()
        self.world = CountingWorld()
        self._world = self.world

    def person(self, first_name: str) -> FakeUser:
        """A user who has already written to the bot (the bot may write to them)."""
        user = self.user(first_name)
        self.world.chats[user.id].started = True
        return user

    @property
    def calls(self) -> Counter[str]:
        """Bot API calls so far, by method."""
        return self.world.calls

    @property
    def first_get_updates(self) -> float | None:
        """`time.perf_counter()` when the first getUpdates came in, or None."""
        return self.world.first_get_updates

    def button(self, user: FakeUser, suffix: str) -> tuple[BotMessage, str]:
        """The newest message of the bot to `user` showing a button whose callback data ends
        with `suffix` (a dialogue answer's value or a menu action), and that data."""
        for message in reversed(user.messages):
            for row in message.buttons:
                for _, data in row:
                    if data is not None and data.endswith(suffix):
                        return message, data
        raise LookupError(f"{user}: no button ending with {suffix!r}\n{user.transcript()}")

    def press(self, user: FakeUser, message: BotMessage, data: str) -> None:
        """A callback query, as `FakeUser.click_data` sends it, without waiting for the answer."""
        click = Click(self.world.new_query_id(), user.id, message, data, None)
        self.world.clicks[click.query_id] = click
        self.world.chats[user.id].add(click)
        self.world.push_update(
            "callback_query",
            {
                "id": click.query_id,
                "from": self.world.chats[user.id].profile.user_json(),
                "message": self.world.message_json(message),
                "chat_instance": f"ci{user.id}",
                "data": data,
            },
        )

    def replay(self, kind: str, payload: Json) -> None:
        """An update another bot was sent, identical but for the ids Telegram gives anew: a
        callback query gets a fresh query id, answerable here (on this bot's newest message
        in the chat, since the other bot's keyboard message does not exist here)."""
        payload = copy.deepcopy(payload)
        if kind == "callback_query":
            chat_id = int(payload["from"]["id"])
            chat = self.world.chats[chat_id]
            shown = [message for message in chat.bot_messages if not message.deleted]
            if not shown:
                raise LookupError(f"chat {chat_id}: no message of this bot to press on")
            click = Click(self.world.new_query_id(), chat_id, shown[-1], payload["data"], None)
            self.world.clicks[click.query_id] = click
            payload["id"] = click.query_id
        self.world.push_update(kind, payload)
