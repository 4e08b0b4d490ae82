"""/healthz tells the truth: a backlog, a silent Bot API or a stopped loop make it 503."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import aiohttp
from telegram.ext import Application

from bot.config import Settings
from bot.domain import Arrival
from bot.services import build_services
from bot.telegram.app import build_application
from bot.telegram.health import HealthCheck
from bot.telegram.polling import serve_polling
from tests.e2e.helpers import services_of
from tests.e2e.test_webhook import free_port
from tests.fakegram import FakeTelegram


async def test_health_is_503_with_a_backlog_or_with_the_bot_api_down(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    services = services_of(bot)
    vitals = bot.bot_data["vitals"]
    check = HealthCheck(services.storage, vitals, bot.bot, services.clock)
    await fake_telegram.wait_for(lambda: fake_telegram.requests_for("getUpdates"))
    await services.storage.beat("courier", services.clock.now())
    await services.storage.beat("reminder-scanner", services.clock.now())
    healthy = await check.check()
    assert healthy.healthy, healthy.stale
    assert healthy.figures["inbox_depth"] == 0 and healthy.figures["write_probe"] == "ok"

    # An update waiting for two minutes (stored, never handled: a stuck lane).
    await services.storage.inbox_store(
        [Arrival(10**9, 77, False, False, {"update_id": 10**9})],
        services.clock.now() - timedelta(minutes=2),
    )
    behind = await check.check()
    assert "inbox" in behind.stale and behind.figures["inbox_depth"] == 1

    # The Bot API silent for two minutes and getMe failing: not cached as fine.
    vitals.api_ok_at -= 120
    fake_telegram.fail_next("getMe", status=502)
    down = await check.check()
    assert "bot_api" in down.stale


async def test_polling_mode_serves_the_same_health_on_a_loopback_port(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    port = free_port()
    services = build_services(replace(settings, health_port=port))
    application = build_application(services)
    stop = asyncio.Event()
    running = asyncio.create_task(serve_polling(application, services, stop))
    await fake_telegram.wait_for(lambda: fake_telegram.requests_for("getUpdates"))
    someone = fake_telegram.user(first_name="Léa")
    await someone.send("/aide")
    await fake_telegram.wait_for(lambda: someone.messages)
    url = f"http://127.0.0.1:{port}/healthz"
    async with aiohttp.ClientSession() as client, client.get(url) as response:
        body = await response.json()
        assert response.status == 200, body
    assert body["stale"] == [] and body["inbox_depth"] == 0
    stop.set()
    await running
