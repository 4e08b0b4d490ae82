"""Everything the fake Telegram knows, shared by the HTTP side and the scripted users."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from .errors import bad_request, forbidden
from .files import FileStore
from .models import ApiRequest, BotMessage, Chat, Click, Json, Profile
from .notify import Changes
from .transcript import render
from .updates import UpdateQueue

BOT_ID = 123456
BOT_USERNAME = "equipage_test_bot"
BOT_FIRST_NAME = "Équipage"
DEFAULT_SCOPE: Json = {"type": "default"}


def now() -> int:
    return int(time.time())


def scope_key(scope: Json | None) -> str:
    """Commands are stored per scope; equal scopes must match whatever their key order."""
    return json.dumps(scope or DEFAULT_SCOPE, sort_keys=True)


class World:
    def __init__(self) -> None:
        self.bot: Json = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.chats: dict[int, Chat] = {}
        self.updates = UpdateQueue()
        self.files = FileStore()
        self.changes = Changes()
        self.requests: list[ApiRequest] = []
        self.commands: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.clicks: dict[str, Click] = {}
        self.webhook: Json | None = None
        self.stopping = False
        self._user_ids = itertools.count(1_000_001)
        self._query_ids = itertools.count(4_000_000_000_000_001)

    def new_chat(self, **profile: Any) -> Chat:
        chat = Chat(Profile(id=next(self._user_ids), **profile))
        self.chats[chat.id] = chat
        return chat

    def new_query_id(self) -> str:
        return str(next(self._query_ids))

    def record(self, method: str, params: dict[str, Any]) -> None:
        self.requests.append(ApiRequest(method, params))
        self.changes.notify()

    def push_update(self, kind: str, payload: Json) -> None:
        self.updates.push(kind, payload)
        self.changes.notify()

    def add_bot_message(self, chat: Chat, message: BotMessage) -> Json:
        chat.add(message)
        self.changes.notify()
        return self.message_json(message)

    def message_json(self, message: BotMessage) -> Json:
        return message.to_api(self.chats[message.chat_id].profile.chat_json(), self.bot)

    def chat(self, chat_id: Any) -> Chat:
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def writable_chat(self, chat_id: Any) -> Chat:
        """The chat, if Telegram would let the bot post there."""
        if chat_id is None:
            raise bad_request("chat_id is empty")
        chat = self.chat(chat_id)
        if chat.blocked:
            raise forbidden("bot was blocked by the user")
        if not chat.started:
            raise forbidden("bot can't initiate conversation with a user")
        return chat

    def transcripts(self) -> str:
        return "\n\n".join(
            f"Chat with {chat.profile.first_name} ({chat.id}):\n{render(chat)}"
            for chat in self.chats.values()
        )
