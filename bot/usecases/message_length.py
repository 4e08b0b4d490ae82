"""Text length as Telegram counts it, for what is shaped to fit one of its messages."""

from __future__ import annotations


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2
