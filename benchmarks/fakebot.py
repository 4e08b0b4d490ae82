"""An in-process Bot API: canned JSON for each method, and the last messages of each chat.

`FakeRequest` replaces PTB's HTTP client (it subclasses `telegram.request.BaseRequest`), so
the bot's calls cost what PTB's serialisation and our code cost, and no network is measured.
`SimUser` builds the updates a Telegram client would send: texts, commands, button presses
read from the inline keyboard the bot last sent to that chat.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter, deque
from typing import Any

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

Json = dict[str, Any]

BOT_USER: Json = {
    "id": 7_000_000_001,
    "is_bot": True,
    "first_name": "Équipage",
    "username": "equipage_bench_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}

_SENDING = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
_EDITING = frozenset({"editMessageReplyMarkup", "editMessageText", "editMessageCaption"})


class FakeBotApi:
    """Answers Bot API methods; keeps the last `keep` messages sent to each chat."""

    def __init__(self, keep: int = 8) -> None:
        self.keep = keep
        self.chats: dict[int, deque[Json]] = {}
        self.calls: Counter[str] = Counter()
        self._ids = itertools.count(1)

    def next_id(self) -> int:
        """A new message id (one counter for the whole fake server)."""
        return next(self._ids)

    def answer(self, method: str, params: Json) -> Any:
        """The `result` of one Bot API call."""
        self.calls[method] += 1
        if method in _SENDING:
            return self._sent(method, params)
        if method in _EDITING:
            return self._edited(method, params)
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return []
        # answerCallbackQuery, setMyCommands, deleteMessage, leaveChat, setWebhook…
        return True

    def total_calls(self) -> int:
        """Every call answered so far."""
        return sum(self.calls.values())

    def record(self, chat_id: int, text: str, markup: Json | None) -> Json:
        """A message as if the bot had sent it (to press a button of an earlier screen)."""
        message = self._message(chat_id)
        message["text"] = text
        if markup is not None:
            message["reply_markup"] = markup
        self._keep(chat_id, message)
        return message

    def _message(self, chat_id: int) -> Json:
        return {
            "message_id": self.next_id(),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Personne"},
            "from": BOT_USER,
        }

    def _keep(self, chat_id: int, message: Json) -> None:
        if self.keep <= 0:
            return
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = self.chats[chat_id] = deque(maxlen=self.keep)
        chat.append(message)

    def _sent(self, method: str, params: Json) -> Json:
        chat_id = int(params["chat_id"])
        message = self._message(chat_id)
        if method == "sendMessage":
            message["text"] = params.get("text", "")
        else:
            message["photo"] = [
                {"file_id": "photo", "file_unique_id": "photo", "width": 900, "height": 600}
            ]
            if "caption" in params:
                message["caption"] = params["caption"]
        markup = _markup(params)
        if markup is not None:
            message["reply_markup"] = markup
        self._keep(chat_id, message)
        return message

    def _edited(self, method: str, params: Json) -> Json | bool:
        if "chat_id" not in params:
            return True  # inline messages: Telegram answers True
        chat_id = int(params["chat_id"])
        message_id = int(params["message_id"])
        found = next(
            (m for m in self.chats.get(chat_id, ()) if m["message_id"] == message_id), None
        )
        if found is None:
            found = self._message(chat_id)
            found["message_id"] = message_id
            found["text"] = ""
        if method == "editMessageText":
            found["text"] = params.get("text", "")
        elif method == "editMessageCaption":
            found["caption"] = params.get("caption", "")
        markup = _markup(params)
        if markup is None:
            found.pop("reply_markup", None)
        else:
            found["reply_markup"] = markup
        return dict(found)


def _markup(params: Json) -> Json | None:
    markup = params.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    if isinstance(markup, dict) and markup.get("inline_keyboard"):
        return markup
    return None


class FakeRequest(BaseRequest):
    """PTB's request object, answered by a FakeBotApi instead of HTTP."""

    def __init__(self, api: FakeBotApi) -> None:
        self._api = api

    @property
    def read_timeout(self) -> float | None:
        """No network, no timeout."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Serve one Bot API call as Telegram would: 200 and `{"ok": true, "result": …}`."""
        endpoint = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data is not None else {}
        result = self._api.answer(endpoint, dict(params))
        return 200, json.dumps({"ok": True, "result": result}).encode("utf-8")


_update_ids = itertools.count(1)


class SimUser:
    """One simulated Telegram user: builds the updates their client would send."""

    def __init__(
        self, api: FakeBotApi, user_id: int, first_name: str = "Amina", language_code: str = "fr"
    ) -> None:
        self.api = api
        self.id = user_id
        self.user: Json = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        self.chat: Json = {"id": user_id, "type": "private", "first_name": first_name}

    @property
    def account(self) -> str:
        """The bot's account key for this user."""
        return f"telegram:{self.id}"

    def text(self, text: str) -> Json:
        """A text message (a command when it starts with '/')."""
        message: Json = {
            "message_id": self.api.next_id(),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": next(_update_ids), "message": message}

    def press(self, suffix: str) -> Json:
        """Press the button whose callback data ends with `suffix`, on the newest message
        that still shows it (the bot removes the buttons of answered questions)."""
        for message in reversed(self.api.chats.get(self.id, ())):
            for row in message.get("reply_markup", {}).get("inline_keyboard", ()):
                for button in row:
                    data = button.get("callback_data", "")
                    if data.endswith(suffix):
                        return self.press_on(message, data)
        raise LookupError(f"user {self.id}: no button ending with {suffix!r}\n{self.screen()}")

    def press_on(self, message: Json, data: str) -> Json:
        """A callback query for `data` on `message` (a snapshot: later edits do not change it)."""
        update_id = next(_update_ids)
        return {
            "update_id": update_id,
            "callback_query": {
                "id": str(update_id),
                "from": self.user,
                "chat_instance": str(self.id),
                "data": data,
                "message": dict(message),
            },
        }

    def screen(self) -> str:
        """The chat's last messages, to explain a journey that went astray."""
        lines = []
        for message in self.api.chats.get(self.id, ()):
            buttons = [
                button.get("callback_data", "")
                for row in message.get("reply_markup", {}).get("inline_keyboard", ())
                for button in row
            ]
            lines.append(f"  {message.get('text', '')[:70]!r} {buttons}")
        return "\n".join(lines)
