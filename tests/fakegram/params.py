"""Decode a Bot API request body into typed parameters.

PTB sends every parameter as a form field (multipart/form-data as soon as a file is
uploaded, urlencoded otherwise): strings raw, everything else JSON-encoded, so the
integer 42 arrives as "42" and a keyboard as a JSON object. Only the parameter's name
tells which, hence the name tables below.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .errors import bad_request

JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "commands",
        "scope",
        "entities",
        "caption_entities",
        "reply_parameters",
        "link_preview_options",
    }
)
NUMBER_PARAMS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "reply_to_message_id",
        "message_thread_id",
        "cache_time",
        "user_id",
        "max_connections",
    }
)
BOOL_PARAMS = frozenset(
    {
        "show_alert",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "disable_content_type_detection",
        "has_spoiler",
        "show_caption_above_media",
    }
)
_ATTACH = "attach://"


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart upload."""

    data: bytes
    filename: str | None
    content_type: str | None


class Params:
    """Decoded parameters; getters raise Telegram's 400 when a value has the wrong shape."""

    def __init__(self, raw: dict[str, str | UploadedFile]) -> None:
        self._unparsable: set[str] = set()
        self.values: dict[str, Any] = {name: self._decode(name, v) for name, v in raw.items()}

    def _decode(self, name: str, value: str | UploadedFile) -> Any:
        if isinstance(value, UploadedFile):
            return value
        if name in BOOL_PARAMS:
            return value.strip().lower() in ("true", "1")
        if name in JSON_PARAMS or name in NUMBER_PARAMS:
            try:
                decoded = json.loads(value)
            except ValueError:
                self._unparsable.add(name)
                return value
            if name in NUMBER_PARAMS and not _is_number(decoded):
                # e.g. chat_id="@channel": keep the string, the handler decides.
                return value
            return decoded
        return value

    def __contains__(self, name: str) -> bool:
        return name in self.values

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return None if value is None else str(value)

    def integer(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise bad_request(f"invalid {name} specified")

    def number(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None:
            return None
        if _is_number(value):
            return float(value)
        raise bad_request(f"invalid {name} specified")

    def flag(self, name: str) -> bool:
        return bool(self.values.get(name, False))

    def json(self, name: str) -> Any:
        if name in self._unparsable:
            raise bad_request(f"can't parse {name} JSON object")
        return self.values.get(name)

    def file(self, name: str) -> UploadedFile | str | None:
        value = self.values.get(name)
        if value is None or isinstance(value, UploadedFile):
            return value
        return str(value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


async def read_params(request: web.Request) -> Params:
    raw: dict[str, str | UploadedFile] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise bad_request("request body must be a JSON object")
            raw.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
        else:
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    raw[name] = UploadedFile(value.file.read(), value.filename, value.content_type)
                elif isinstance(value, str):
                    raw[name] = value
                else:
                    raw[name] = bytes(value).decode()
    return Params(_resolve_attachments(raw))


def _resolve_attachments(raw: dict[str, str | UploadedFile]) -> dict[str, str | UploadedFile]:
    """Replace "attach://<part>" references by the uploaded part they name."""
    resolved = dict(raw)
    for name, value in raw.items():
        if isinstance(value, str) and value.startswith(_ATTACH):
            part = raw.get(value.removeprefix(_ATTACH))
            if isinstance(part, UploadedFile):
                resolved[name] = part
    return resolved
