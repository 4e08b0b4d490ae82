"""Lone UTF-16 surrogates in what Telegram sends (a broken emoji from some clients): replaced
by U+FFFD as updates are decoded, so no answer is lost to a UnicodeEncodeError later."""

from __future__ import annotations

from typing import Any

from telegram._utils.types import JSONDict
from telegram.request import HTTPXRequest


def without_lone_surrogates(value: Any) -> Any:
    """The same JSON value, each lone surrogate in its strings replaced (pairs are joined)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {key: without_lone_surrogates(item) for key, item in value.items()}
    return value


def clean_text(text: str) -> str:
    """Text that encodes as UTF-8: valid surrogate pairs joined, lone halves replaced."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


class CleanTextRequest(HTTPXRequest):
    """The getUpdates client: decodes Telegram's JSON, then cleans every string in it."""

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        """PTB's decoding, then `without_lone_surrogates`."""
        decoded = HTTPXRequest.parse_json_payload(payload)
        # Raw UTF-8 cannot hold a surrogate: only a JSON escape (\ud800-\udfff) brings one.
        if b"\\ud" not in payload and b"\\uD" not in payload:
            return decoded
        cleaned: JSONDict = without_lone_surrogates(decoded)
        return cleaned
