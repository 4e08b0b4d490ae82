"""Bot API methods that put, change or remove messages in a chat."""

from __future__ import annotations

import mimetypes
from typing import Literal

from . import validation
from .api_types import Handler
from .errors import bad_request
from .files import StoredFile
from .models import BotMessage, Chat, Json, UserEvent
from .params import Params, UploadedFile
from .state import World, now

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def _markups(params: Params) -> tuple[Json | None, Json | None]:
    """(inline keyboard, reply keyboard): only the former stays attached to the message."""
    markup = validation.reply_markup(params.json("reply_markup"))
    if markup is not None and "inline_keyboard" in markup:
        return markup, None
    return None, markup


def _inline_markup(params: Params) -> Json | None:
    inline, other = _markups(params)
    if other is not None:
        raise bad_request("inline keyboard expected")
    return inline


async def send_message(world: World, params: Params) -> Json:
    chat = world.writable_chat(params.values.get("chat_id"))
    text = validation.message_text(
        params.text("text"), params.text("parse_mode"), params.json("entities")
    )
    inline, keyboard = _markups(params)
    message = BotMessage(
        message_id=chat.new_message_id(),
        chat_id=chat.id,
        date=now(),
        text=text.text,
        entities=text.entities,
        html=text.html,
        parse_mode=text.parse_mode,
        reply_markup=inline,
        reply_keyboard=keyboard,
    )
    return world.add_bot_message(chat, message)


async def send_photo(world: World, params: Params) -> Json:
    return _send_media(world, params, "photo")


async def send_document(world: World, params: Params) -> Json:
    return _send_media(world, params, "document")


async def send_voice(world: World, params: Params) -> Json:
    return _send_media(world, params, "voice")


def _send_media(world: World, params: Params, kind: Literal["photo", "document", "voice"]) -> Json:
    chat = world.writable_chat(params.values.get("chat_id"))
    stored = _media_file(world, params.file(kind), kind)
    caption = validation.caption(
        params.text("caption"), params.text("parse_mode"), params.json("caption_entities")
    )
    inline, keyboard = _markups(params)
    message = BotMessage(
        message_id=chat.new_message_id(),
        chat_id=chat.id,
        date=now(),
        text=caption.text if caption else "",
        entities=caption.entities if caption else (),
        html=caption.html if caption else None,
        parse_mode=caption.parse_mode if caption else None,
        reply_markup=inline,
        reply_keyboard=keyboard,
        kind=kind,
        file=stored,
    )
    return world.add_bot_message(chat, message)


def _media_file(world: World, source: UploadedFile | str | None, kind: str) -> StoredFile:
    folder = {"photo": "photos", "voice": "voice"}.get(kind, "documents")
    if source is None:
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(source, UploadedFile):
        if not source.data:
            raise bad_request("file must be non-empty")
        mime = source.content_type
        if not mime or mime == "application/octet-stream":
            mime = mimetypes.guess_type(source.filename or "")[0] or mime
        return world.files.add(
            source.data,
            folder=folder,
            extension=_extension(
                source.filename, {"photo": "jpg", "voice": "oga"}.get(kind, "bin")
            ),
            filename=source.filename,
            mime_type=mime,
        )
    if source.startswith(("http://", "https://")):
        # Telegram would fetch the URL; the fake only remembers where it pointed.
        name = source.rsplit("/", 1)[-1] or None
        return world.files.add(b"", folder=folder, extension=_extension(name, "bin"), filename=name)
    stored = world.files.get(source)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return stored


def _extension(filename: str | None, default: str) -> str:
    if filename and "." in filename:
        return filename.rsplit(".", 1)[1].lower()
    return default


def _editable(world: World, params: Params) -> tuple[Chat, BotMessage]:
    if "inline_message_id" in params:
        raise bad_request("fakegram does not implement inline messages")
    chat = world.writable_chat(params.values.get("chat_id"))
    message_id = params.integer("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    if chat.user_message(message_id) is not None:
        raise bad_request("message can't be edited")
    message = chat.bot_message(message_id)
    if message is None:
        raise bad_request("message to edit not found")
    return chat, message


def _mark_edited(world: World, message: BotMessage) -> Json:
    message.edits += 1
    message.edit_date = now()
    world.changes.notify()
    return world.message_json(message)


async def edit_message_text(world: World, params: Params) -> Json:
    _, message = _editable(world, params)
    if message.kind != "text":
        raise bad_request("there is no text in the message to edit")
    text = validation.message_text(
        params.text("text"), params.text("parse_mode"), params.json("entities")
    )
    # Like Telegram: an edit without reply_markup removes the inline keyboard.
    markup = _inline_markup(params)
    if (text.text, text.entities, markup) == (message.text, message.entities, message.reply_markup):
        raise bad_request(_NOT_MODIFIED)
    message.text, message.entities = text.text, text.entities
    message.html, message.parse_mode = text.html, text.parse_mode
    message.reply_markup = markup
    return _mark_edited(world, message)


async def edit_message_reply_markup(world: World, params: Params) -> Json:
    _, message = _editable(world, params)
    markup = _inline_markup(params)
    if markup == message.reply_markup:
        raise bad_request(_NOT_MODIFIED)
    message.reply_markup = markup
    return _mark_edited(world, message)


async def delete_message(world: World, params: Params) -> bool:
    chat = world.chat(params.values.get("chat_id"))
    message_id = params.integer("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    target: BotMessage | UserEvent | None = chat.bot_message(message_id) or chat.user_message(
        message_id
    )
    if target is None:
        raise bad_request("message to delete not found")
    target.deleted = True
    world.changes.notify()
    return True


async def send_chat_action(world: World, params: Params) -> bool:
    world.writable_chat(params.values.get("chat_id"))
    validation.chat_action(params.text("action"))
    return True


METHODS: dict[str, Handler] = {
    "sendMessage": send_message,
    "sendPhoto": send_photo,
    "sendDocument": send_document,
    "sendVoice": send_voice,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "sendChatAction": send_chat_action,
}
