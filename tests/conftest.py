"""Shared fixtures: a fake Telegram, settings on a fresh SQLite file, a running bot."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.config import Settings, load_settings
from bot.services import Services, build_services
from bot.telegram.app import build_application
from bot.telegram.polling import start_polling, stop_polling
from bot.usecases.clock import Clock
from tests.clock import DaytimeClock
from tests.fakegram import FakeTelegram
from tests.fakegram.fixtures import fake_telegram

__all__ = ["fake_telegram"]

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def settings(tmp_path: Path, fake_telegram: FakeTelegram) -> Settings:
    """Settings for one test: its own database and key, the fake Bot API server."""
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    return load_settings(
        {
            "TELEGRAM_BOT_TOKEN": fake_telegram.token,
            "TELEGRAM_API_BASE_URL": fake_telegram.base_url,
            "EQUIPAGE_DATABASE": str(tmp_path / "equipage.sqlite3"),
            "EQUIPAGE_DATA_KEY": key,
            "EQUIPAGE_DIALOGS": str(ROOT / "dialogs"),
            # Scripted users type at machine speed; the limit itself has its own test.
            "EQUIPAGE_RATE_BURST": "100000",
            "EQUIPAGE_CHAT_BURST": "100000",
        }
    )


@asynccontextmanager
async def running_bot(settings: Settings, clock: Clock | None = None) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """The real PTB Application, polling the fake server, stopped cleanly afterwards.

    Without a clock, time runs from a Tuesday 10h, so quiet hours never hold a message."""
    services: Services = build_services(settings, clock or DaytimeClock())
    application = build_application(services)
    await application.initialize()
    # post_init is only called by run_polling; starting by hand, we call it ourselves.
    if application.post_init is not None:
        await application.post_init(application)
    await start_polling(application, poll_seconds=1)
    await application.start()
    try:
        yield application
    finally:
        await stop_polling(application)
        await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


@pytest.fixture
async def bot(settings: Settings) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """A running bot for one test."""
    async with running_bot(settings) as application:
        yield application
