"""Scripted Telegram users: what a person does in the app, as awaitable calls."""

from __future__ import annotations

from typing import Any

from .html_entities import utf16_len
from .models import BotMessage, Chat, Click, Json, UserEvent
from .state import World, now
from .transcript import render

# Enough of an Ogg header for anything that sniffs the magic bytes.
DEFAULT_VOICE = b"OggS\x00\x02" + bytes(58)
DEFAULT_PHOTO = b"\xff\xd8\xff\xe0" + bytes(60) + b"\xff\xd9"


class FakeUser:
    """One person in a private chat with the bot (chat id == user id)."""

    def __init__(self, world: World, chat: Chat) -> None:
        self._world = world
        self._chat = chat
        self._read = 0  # how many bot messages next_message has handed out

    def __repr__(self) -> str:
        return f"FakeUser({self.first_name!r}, id={self.id})"

    @property
    def id(self) -> int:
        return self._chat.id

    @property
    def chat_id(self) -> int:
        return self._chat.id

    @property
    def first_name(self) -> str:
        return self._chat.profile.first_name

    @property
    def language_code(self) -> str | None:
        return self._chat.profile.language_code

    @property
    def blocked(self) -> bool:
        return self._chat.blocked

    @property
    def messages(self) -> list[BotMessage]:
        """The bot's messages still in the chat, oldest first, as last edited."""
        return [message for message in self._chat.bot_messages if not message.deleted]

    @property
    def sent(self) -> list[Json]:
        """What this user sent (the Bot API messages), oldest first."""
        return [
            entry.payload
            for entry in self._chat.log
            if isinstance(entry, UserEvent) and entry.payload is not None
        ]

    @property
    def clicks(self) -> list[Click]:
        return [entry for entry in self._chat.log if isinstance(entry, Click)]

    def transcript(self) -> str:
        return render(self._chat)

    # -- sending ------------------------------------------------------------------------

    async def send(self, text: str) -> int:
        """Send a text message; returns its message_id."""
        return self._post({"text": text, **_command_entities(text)}, text)

    async def send_raw(self, content: Json, description: str = "raw message") -> int:
        """Send a message with exactly these fields (e.g. one the bot cannot parse)."""
        return self._post(content, description)

    async def command(self, name: str, payload: str | None = None) -> int:
        text = f"/{name.removeprefix('/')}"
        return await self.send(f"{text} {payload}" if payload else text)

    async def send_forwarded(self, text: str, *, from_name: str = "Marc") -> int:
        """A text forwarded from someone else's message (it carries forward_origin)."""
        origin = {"type": "hidden_user", "date": now(), "sender_user_name": from_name}
        return self._post({"text": text, "forward_origin": origin}, f"[forwarded] {text}")

    async def send_voice(self, duration: int = 7, *, data: bytes = DEFAULT_VOICE) -> int:
        stored = self._world.files.add(data, folder="voice", extension="oga", mime_type="audio/ogg")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(data),
        }
        return self._post({"voice": voice}, f"[voice note, {duration} s]")

    async def send_sticker(self, emoji: str = "👍") -> int:
        stored = self._world.files.add(b"RIFF", folder="stickers", extension="webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._post({"sticker": sticker}, f"[sticker {emoji}]")

    async def send_photo(self, data: bytes = DEFAULT_PHOTO, *, caption: str | None = None) -> int:
        stored = self._world.files.add(data, folder="photos", extension="jpg")
        size = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 800,
            "height": 600,
            "file_size": len(data),
        }
        content: Json = {"photo": [size]}
        if caption:
            content["caption"] = caption
        return self._post(content, f"[photo] {caption}" if caption else "[photo]")

    async def send_location(self, latitude: float, longitude: float) -> int:
        location = {"latitude": latitude, "longitude": longitude}
        return self._post({"location": location}, f"[location {latitude}, {longitude}]")

    async def send_contact(
        self, phone_number: str = "+33612345678", *, first_name: str | None = None
    ) -> int:
        contact = {
            "phone_number": phone_number,
            "first_name": first_name or self.first_name,
            "user_id": self.id,
        }
        return self._post({"contact": contact}, f"[contact {phone_number}]")

    async def edit_last(self, text: str) -> int:
        """Edit the user's last text message (an edited_message update); returns its id."""
        self._require_not_blocked()
        event = next(
            (
                e
                for e in reversed(self._chat.user_events)
                if e.payload and "text" in e.payload and not e.deleted
            ),
            None,
        )
        if event is None or event.payload is None or event.message_id is None:
            raise AssertionError(f"{self.first_name} has no text message to edit")
        payload = {k: v for k, v in event.payload.items() if k != "entities"}
        event.payload = {**payload, "text": text, "edit_date": now(), **_command_entities(text)}
        event.description, event.edited = text, True
        self._world.push_update("edited_message", event.payload)
        return event.message_id

    def _post(self, content: Json, description: str) -> int:
        self._require_not_blocked()
        self._chat.started = True
        message_id = self._chat.new_message_id()
        message = {
            "message_id": message_id,
            "from": self._chat.profile.user_json(),
            "chat": self._chat.profile.chat_json(),
            "date": now(),
            **content,
        }
        self._chat.add(UserEvent(description, message_id, message))
        self._world.push_update("message", message)
        return message_id

    def _require_not_blocked(self) -> None:
        if self._chat.blocked:
            raise AssertionError(f"{self.first_name} blocked the bot; call unblock() first")

    # -- blocking -----------------------------------------------------------------------

    def block(self) -> None:
        """Block the bot: its sends now fail with 403, and it gets a my_chat_member update."""
        self._chat.blocked = True
        self._chat_member_update("member", "kicked", "[blocked the bot]")

    def unblock(self) -> None:
        self._chat.blocked = False
        self._chat_member_update("kicked", "member", "[unblocked the bot]")

    def _chat_member_update(self, old: str, new: str, description: str) -> None:
        def member(status: str) -> Json:
            extra = {"until_date": 0} if status == "kicked" else {}
            return {"user": self._world.bot, "status": status, **extra}

        self._chat.add(UserEvent(description))
        self._world.push_update(
            "my_chat_member",
            {
                "chat": self._chat.profile.chat_json(),
                "from": self._chat.profile.user_json(),
                "date": now(),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    # -- buttons ------------------------------------------------------------------------

    async def click(
        self,
        label: str,
        *,
        message: BotMessage | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - fails with the transcript, unlike a bare timeout
    ) -> str | None:
        """Press a button and wait for the bot's answerCallbackQuery; returns its text.

        The button is the one labelled exactly `label`, else the only one containing it,
        on `message` or else on the newest bot message with an inline keyboard.
        """
        target = message or self._newest_keyboard()
        choices = [(text, data) for row in target.buttons for text, data in row if data]
        exact = [choice for choice in choices if choice[0] == label]
        matches = exact or [choice for choice in choices if label in choice[0]]
        if len(matches) != 1:
            problem = "several buttons match" if matches else "no callback button matches"
            available = ", ".join(f"“{text}”" for text, _ in choices) or "none"
            raise AssertionError(
                f"{self.first_name}: {problem} “{label}” on bot message "
                f"#{target.message_id}; buttons: {available}\n\n{self._transcript_block()}"
            )
        text, data = matches[0]
        return await self._press(target, data, text, timeout)

    async def click_data(
        self,
        data: str,
        *,
        message: BotMessage | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - fails with the transcript, unlike a bare timeout
    ) -> str | None:
        """Send a callback query with arbitrary (possibly forged) data from a bot message."""
        target = message or self._newest_bot_message()
        return await self._press(target, data, None, timeout)

    def press_now(self, data: str) -> str:
        """Press a button (any data) on the newest bot message without waiting for the
        answer; returns the query id (floods, crash tests)."""
        target = self._newest_bot_message()
        click = Click(self._world.new_query_id(), self.id, target, data, None)
        self._world.clicks[click.query_id] = click
        self._chat.add(click)
        self._world.push_update(
            "callback_query",
            {
                "id": click.query_id,
                "from": self._chat.profile.user_json(),
                "message": self._world.message_json(target),
                "chat_instance": f"ci{self.id}",
                "data": data,
            },
        )
        return click.query_id

    async def _press(
        self, target: BotMessage, data: str, label: str | None, within: float
    ) -> str | None:
        self._require_not_blocked()
        if target.deleted or target.chat_id != self.id:
            raise AssertionError(
                f"{self.first_name} cannot click on bot message #{target.message_id}: "
                f"{'it was deleted' if target.deleted else 'it is in another chat'}"
            )
        click = Click(self._world.new_query_id(), self.id, target, data, label)
        self._world.clicks[click.query_id] = click
        self._chat.add(click)
        self._world.push_update(
            "callback_query",
            {
                "id": click.query_id,
                "from": self._chat.profile.user_json(),
                "message": self._world.message_json(target),
                "chat_instance": f"ci{self.id}",
                "data": data,
            },
        )
        if not await self._world.changes.wait(lambda: click.answered, within):
            raise AssertionError(
                f"{self.first_name}: the bot did not call answerCallbackQuery within "
                f"{within} s after the click on {label or data!r}\n\n{self._transcript_block()}"
            )
        return click.answer_text

    def _newest_keyboard(self) -> BotMessage:
        for message in reversed(self.messages):
            if any(data for row in message.buttons for _, data in row):
                return message
        raise AssertionError(
            f"{self.first_name}: no bot message with an inline keyboard to click on\n\n"
            f"{self._transcript_block()}"
        )

    def _newest_bot_message(self) -> BotMessage:
        if not self.messages:
            raise AssertionError(f"{self.first_name}: the bot has not sent any message yet")
        return self.messages[-1]

    # -- reading ------------------------------------------------------------------------

    async def next_message(
        self,
        timeout: float = 10.0,  # noqa: ASYNC109 - fails with the transcript, unlike a bare timeout
    ) -> BotMessage:
        """The bot's next message in this chat not yet returned here, in sending order."""
        read = self._read
        if not await self._world.changes.wait(lambda: len(self._chat.bot_messages) > read, timeout):
            raise AssertionError(
                f"{self.first_name}: no new bot message within {timeout} s "
                f"({read} received before)\n\n{self._transcript_block()}"
            )
        self._read += 1
        return self._chat.bot_messages[read]

    def _transcript_block(self) -> str:
        return f"Transcript with {self.first_name}:\n{self.transcript()}"


def _command_entities(text: str) -> dict[str, Any]:
    command = text.split(maxsplit=1)[0] if text.startswith("/") else ""
    if len(command) < 2:
        return {}
    return {"entities": [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]}
