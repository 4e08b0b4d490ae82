"""A Bot API client outside the running application (command line: admin, doctor)."""

from __future__ import annotations

from telegram import Bot

from bot.config import Settings

TELEGRAM = "https://api.telegram.org"


def standalone_bot(settings: Settings) -> Bot:
    """A Bot for the configured token and server (the official one, or TELEGRAM_API_BASE_URL)."""
    assert settings.token is not None
    root = settings.api_base_url or TELEGRAM
    return Bot(settings.token, base_url=f"{root}/bot", base_file_url=f"{root}/file/bot")
