"""Webhook mode: Telegram calls the bot, with its secret; /healthz; a clean stop."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace

import aiohttp
import pytest

from bot.config import Settings
from bot.i18n import ui_text
from bot.services import build_services
from bot.telegram.app import build_application
from bot.telegram.webhook import SECRET_HEADER, serve
from tests.e2e.helpers import expect, finish_probleme, person_joins, ui_start, worker_joins
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
            assert (await response.json())["stale"] == []

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
    assert ui_start("bot.menu") in amina.messages[-1].text
    assert len(fake_telegram.requests_for("deleteWebhook")) == 0  # the webhook stays for next time


async def raw_post(port: int, headers: bytes, body: bytes) -> int:
    """POST exactly these bytes (headers a client library would refuse to send)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"POST /telegram HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + headers
        + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])


async def test_webhook_input_is_checked_and_never_causes_a_500(
    fake_telegram: FakeTelegram, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.telegram import lane_counts

    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    hooked = replace(settings, webhook_url=url, webhook_secret=SECRET, listen_port=port)
    services = build_services(hooked)
    application = build_application(services)
    stop = asyncio.Event()
    running = asyncio.create_task(serve(application, services, stop))
    await fake_telegram.wait_for(lambda: fake_telegram.requests_for("setWebhook"))
    secret = f"{SECRET_HEADER}: {SECRET}\r\n".encode()
    for body in (b"[]", b"null", b"[1, 2]", b'"texte"', b"{}", b'{"update_id": "1"}', b"\xff"):
        assert await raw_post(port, secret, body) == 400
    not_utf8 = f"{SECRET_HEADER}: ".encode() + b"\xff\xfe\r\n"
    assert await raw_post(port, not_utf8, b'{"update_id": 5}') == 403

    # Bounded: past the inbox's limit, Telegram is asked to come back later (it keeps them).
    monkeypatch.setattr(lane_counts, "DEPTH_LIMIT", 0)
    assert await raw_post(port, secret, b'{"update_id": 6}') == 503
    monkeypatch.setattr(lane_counts, "DEPTH_LIMIT", 20_000)
    assert await raw_post(port, secret, b'{"update_id": 6}') == 200
    stop.set()
    await running
