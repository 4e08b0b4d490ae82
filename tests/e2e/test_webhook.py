"""Webhook mode: Telegram calls the bot, with its secret; /healthz; a clean stop."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace

import aiohttp

from bot.config import Settings
from bot.i18n import ui_text
from bot.services import build_services
from bot.telegram.app import build_application
from bot.telegram.webhook import SECRET_HEADER, serve
from tests.e2e.helpers import expect, finish_probleme, person_joins, worker_joins
from tests.fakegram import FakeTelegram

SECRET = "un-secret_tres-long-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_mode_checks_the_secret_serves_health_and_stops_cleanly(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    hooked = replace(settings, webhook_url=url, webhook_secret=SECRET, listen_port=port)
    services = build_services(hooked)
    application = build_application(services)
    stop = asyncio.Event()
    running = asyncio.create_task(serve(application, services, stop))
    await fake_telegram.wait_for(lambda: fake_telegram.requests_for("setWebhook"))
    registered = fake_telegram.requests_for("setWebhook")[-1]
    assert registered["url"] == url and registered["secret_token"] == SECRET

    async with aiohttp.ClientSession() as client:
        update = {
            "update_id": 999,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 1, "type": "private"},
                "text": "x",
            },
        }
        for headers in ({}, {SECRET_HEADER: "faux"}):
            async with client.post(url, json=update, headers=headers) as response:
                assert response.status == 403
        async with client.post(
            url, data=b"{pas du json", headers={SECRET_HEADER: SECRET}
        ) as response:
            assert response.status == 400
        async with client.get(f"http://127.0.0.1:{port}/healthz") as response:
            assert response.status == 200
            assert await response.json() == {"database": "ok", "telegram": "ok"}

    # Real traffic, pushed by the fake Telegram with the right secret.
    severine, _ = await worker_joins(fake_telegram, application)
    amina = await person_joins(fake_telegram, application, "Amina", worker_user=severine)
    await finish_probleme(amina, "Les factures")
    await amina.send("/aide")
    await expect(amina, ui_text("bot.help").splitlines()[0])
    assert (
        set(fake_telegram.webhook.responses) <= {200, 403, 400}
        and 200 in fake_telegram.webhook.responses
    )

    # Stopped (as on SIGTERM) right after the bot took an update: it is still answered.
    delivered = len(fake_telegram.webhook.responses)
    await amina.send("/menu")
    await fake_telegram.wait_for(lambda: len(fake_telegram.webhook.responses) > delivered)
    stop.set()
    await running
    assert "Que voulez-vous faire ?" in amina.messages[-1].text
    assert len(fake_telegram.requests_for("deleteWebhook")) == 0  # the webhook stays for next time
