"""Telegram's limits on what a bot sends; each check raises the ApiError Telegram would."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import bad_request
from .html_entities import Entity, EntityParseError, ParsedText, parse_html, utf16_len

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_COMMANDS = 100
MAX_COMMAND_LENGTH = 32
MAX_COMMAND_DESCRIPTION_LENGTH = 256

_COMMAND = re.compile(r"^[a-z0-9_]+$")
_BUTTON_ACTIONS = frozenset(
    {
        "callback_data",
        "url",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "callback_game",
        "pay",
        "web_app",
        "copy_text",
    }
)
_URL_SCHEMES = ("http://", "https://", "tg://")
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


@dataclass(frozen=True)
class FormattedText:
    """Text as Telegram stores it: plain, with entities, and the markup it came from."""

    text: str
    entities: tuple[Entity, ...]
    html: str | None
    parse_mode: str | None


def message_text(text: str | None, parse_mode: str | None, entities: Any) -> FormattedText:
    formatted = _format(text or "", parse_mode, entities)
    if not formatted.text:
        raise bad_request("message text is empty")
    if len(formatted.text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return formatted


def caption(text: str | None, parse_mode: str | None, entities: Any) -> FormattedText | None:
    if text is None:
        return None
    formatted = _format(text, parse_mode, entities)
    if len(formatted.text) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    return formatted if formatted.text else None


def _format(raw: str, parse_mode: str | None, entities: Any) -> FormattedText:
    mode = (parse_mode or "").lower()
    if not mode:
        return FormattedText(*_trim(ParsedText(raw, _explicit_entities(entities))), None, None)
    if mode == "html":
        try:
            parsed = parse_html(raw)
        except EntityParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
        return FormattedText(*_trim(parsed), raw, parse_mode)
    if mode in ("markdown", "markdownv2"):
        # The project only sends HTML or plain text; a Markdown parser here would be
        # dead weight that could drift from Telegram's.
        raise bad_request(
            f"can't parse entities: fakegram does not implement parse_mode {parse_mode}; "
            "use HTML or plain text"
        )
    raise bad_request("unsupported parse_mode")


def _explicit_entities(entities: Any) -> tuple[Entity, ...]:
    if entities is None:
        return ()
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        raise bad_request("can't parse entities JSON object")
    return tuple(entities)


def _trim(parsed: ParsedText) -> tuple[str, tuple[Entity, ...]]:
    """Telegram strips surrounding whitespace, shifting and clipping entities to match."""
    text = parsed.text.strip()
    if text == parsed.text:
        return text, parsed.entities
    lead = utf16_len(parsed.text[: len(parsed.text) - len(parsed.text.lstrip())])
    size = utf16_len(text)
    kept: list[Entity] = []
    for entity in parsed.entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return text, tuple(kept)


def reply_markup(markup: Any) -> dict[str, Any] | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _inline_keyboard(markup["inline_keyboard"])
    elif not {"keyboard", "remove_keyboard", "force_reply"} & markup.keys():
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard button: field must be an Array")
    buttons = [button for row in rows for button in row]
    if len(buttons) > MAX_INLINE_BUTTONS:
        raise bad_request("reply markup is too long")
    for button in buttons:
        if not isinstance(button, dict):
            raise bad_request("can't parse inline keyboard button: field must be an Object")
        label = button.get("text")
        if not isinstance(label, str) or not label.strip():
            raise bad_request("BUTTON_TEXT_INVALID")
        if not _BUTTON_ACTIONS & button.keys():
            raise bad_request("text buttons are unallowed in the inline keyboard")
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise bad_request("BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or not url.startswith(_URL_SCHEMES):
                raise bad_request("BUTTON_URL_INVALID")


def bot_commands(commands: Any) -> list[tuple[str, str]]:
    if not isinstance(commands, list) or not all(isinstance(c, dict) for c in commands):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("too many commands specified")
    checked: list[tuple[str, str]] = []
    for entry in commands:
        command = entry.get("command")
        description = entry.get("description")
        if not isinstance(command, str) or not command:
            raise bad_request("command must be non-empty")
        if len(command) > MAX_COMMAND_LENGTH:
            raise bad_request("command is too long")
        if not _COMMAND.match(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not description.strip():
            raise bad_request("command description must be non-empty")
        if len(description) > MAX_COMMAND_DESCRIPTION_LENGTH:
            raise bad_request("command description is too long")
        checked.append((command, description.strip()))
    return checked


def callback_answer_text(text: str | None) -> str | None:
    if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
        raise bad_request("MESSAGE_TOO_LONG")
    return text or None


def chat_action(action: str | None) -> str:
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return action
