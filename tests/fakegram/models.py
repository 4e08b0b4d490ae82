"""What tests read back: the bot's messages, users' actions, clicks, recorded requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from .files import StoredFile
from .html_entities import Entity

Json = dict[str, Any]
Buttons = tuple[tuple[tuple[str, str | None], ...], ...]


class ApiRequest(NamedTuple):
    """One Bot API call the bot made, with decoded parameters (uploads as UploadedFile)."""

    method: str
    params: dict[str, Any]


@dataclass(eq=False)
class BotMessage:
    """A message the bot sent, kept up to date as the bot edits or deletes it.

    `text` is what the user reads: the message text, or the caption of a photo or
    document, already stripped of HTML markup (`html` keeps the markup as sent).
    """

    message_id: int
    chat_id: int
    date: int
    text: str
    entities: tuple[Entity, ...] = ()
    html: str | None = None
    parse_mode: str | None = None
    reply_markup: Json | None = None  # inline keyboards only: the ones a message carries
    reply_keyboard: Json | None = None  # keyboard / remove_keyboard / force_reply sent with it
    kind: Literal["text", "photo", "document", "voice"] = "text"
    file: StoredFile | None = None
    edits: int = 0
    edit_date: int | None = None
    deleted: bool = False
    answer_text: str | None = None  # of the last answered click on this message

    @property
    def buttons(self) -> Buttons:
        """Rows of (label, callback_data); callback_data is None for URL and other buttons."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return tuple(
            tuple((button["text"], button.get("callback_data")) for button in row) for row in rows
        )

    @property
    def button_labels(self) -> list[str]:
        return [label for row in self.buttons for label, _ in row]

    @property
    def caption(self) -> str | None:
        return (self.text or None) if self.kind != "text" else None

    @property
    def photo(self) -> bytes | None:
        return self.file.data if self.kind == "photo" and self.file else None

    @property
    def document(self) -> bytes | None:
        return self.file.data if self.kind == "document" and self.file else None

    @property
    def voice(self) -> StoredFile | None:
        """The recording a voice message carries (its file id is the one that was sent)."""
        return self.file if self.kind == "voice" else None

    @property
    def filename(self) -> str | None:
        return self.file.filename if self.file else None

    def to_api(self, chat: Json, sender: Json) -> Json:
        """The Bot API Message object for this message's current state."""
        message: Json = {
            "message_id": self.message_id,
            "from": sender,
            "chat": chat,
            "date": self.date,
        }
        if self.edit_date is not None:
            message["edit_date"] = self.edit_date
        text_key, entities_key = ("text", "entities")
        if self.kind != "text":
            text_key, entities_key = ("caption", "caption_entities")
            message[self.kind] = self._media_api()
        if self.text:
            message[text_key] = self.text
        if self.entities:
            message[entities_key] = list(self.entities)
        if self.reply_markup is not None:
            message["reply_markup"] = self.reply_markup
        return message

    def _media_api(self) -> Json | list[Json]:
        assert self.file is not None
        media: Json = {
            "file_id": self.file.file_id,
            "file_unique_id": self.file.file_unique_id,
            "file_size": len(self.file.data),
        }
        if self.kind == "photo":
            # The fake never decodes images, so every photo gets one plausible size.
            return [{**media, "width": 800, "height": 600}]
        if self.kind == "voice":
            # The fake does not decode audio: a forwarded voice note keeps no duration.
            media["duration"] = 0
        if self.file.filename:
            media["file_name"] = self.file.filename
        if self.file.mime_type:
            media["mime_type"] = self.file.mime_type
        return media


@dataclass(eq=False)
class UserEvent:
    """Something a user did in the chat, as a transcript line; `payload` for messages."""

    description: str
    message_id: int | None = None
    payload: Json | None = None
    edited: bool = False
    deleted: bool = False


@dataclass(eq=False)
class Click:
    """A callback query a user sent, and the bot's answer once it came."""

    query_id: str
    user_id: int
    message: BotMessage
    data: str
    label: str | None  # None when the data was forged with click_data
    answered: bool = False
    answer_text: str | None = None
    show_alert: bool = False
    url: str | None = None


TranscriptEntry = BotMessage | UserEvent | Click


@dataclass(eq=False)
class Profile:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    def user_json(self) -> Json:
        user: Json = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if (value := getattr(self, key)) is not None:
                user[key] = value
        return user

    def chat_json(self) -> Json:
        chat: Json = {"id": self.id, "type": "private", "first_name": self.first_name}
        for key in ("last_name", "username"):
            if (value := getattr(self, key)) is not None:
                chat[key] = value
        return chat


@dataclass(eq=False)
class Chat:
    """A private chat with one user; message ids are per chat, as in private chats."""

    profile: Profile
    started: bool = False
    blocked: bool = False
    bot_messages: list[BotMessage] = field(default_factory=list)
    user_events: list[UserEvent] = field(default_factory=list)
    log: list[TranscriptEntry] = field(default_factory=list)
    last_message_id: int = 0

    @property
    def id(self) -> int:
        return self.profile.id

    def new_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id

    def bot_message(self, message_id: int) -> BotMessage | None:
        for message in self.bot_messages:
            if message.message_id == message_id and not message.deleted:
                return message
        return None

    def user_message(self, message_id: int) -> UserEvent | None:
        for event in self.user_events:
            if event.message_id == message_id and not event.deleted:
                return event
        return None

    def add(self, entry: TranscriptEntry) -> None:
        if isinstance(entry, BotMessage):
            self.bot_messages.append(entry)
        elif isinstance(entry, UserEvent):
            self.user_events.append(entry)
        self.log.append(entry)
