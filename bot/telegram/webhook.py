"""Webhook mode: Telegram calls us; we check its secret, and also answer /healthz."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram.ext import Application

from bot.services import Services
from bot.telegram.health import HealthCheck
from bot.telegram.startup import (
    ALLOWED_UPDATES,
    run_until_signalled,
    shut_down,
    wait_for_telegram,
)

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

App = Application[Any, Any, Any, Any, Any, Any]


class WebhookServer:
    """An aiohttp server: POST <path> feeds updates to PTB; GET /healthz reports health."""

    def __init__(self, application: App, services: Services) -> None:
        self._application = application
        self._services = services
        settings = services.settings
        assert settings.webhook_url is not None and settings.webhook_secret is not None
        self._secret = settings.webhook_secret.encode()
        self._path = urlsplit(settings.webhook_url).path or "/"
        self._runner: web.AppRunner | None = None
        self._check = HealthCheck(
            services.storage, application.bot_data["vitals"], application.bot, services.clock
        )
        self.port = 0

    async def start(self) -> None:
        """Listen on EQUIPAGE_LISTEN_HOST:PORT."""
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post(self._path, self._receive)
        app.router.add_get("/healthz", self._health)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        settings = self._services.settings
        site = web.TCPSite(self._runner, settings.listen_host, settings.listen_port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        log.info("webhook_listening", extra={"port": self.port})

    async def stop(self) -> None:
        """Stop taking updates; those stored wait in the inbox if the stop comes first."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _receive(self, request: web.Request) -> web.Response:
        """Answer 200 only once the update is stored; malformed input gets 400, never 500."""
        given = request.headers.get(SECRET_HEADER, "")
        # A header that is not valid UTF-8 arrives with surrogates: compare bytes, never fail.
        if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), self._secret):
            log.warning("webhook_forbidden")
            return web.Response(status=403)
        try:
            data = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            log.warning("webhook_bad_update")
            return web.Response(status=400)
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            log.warning("webhook_bad_update")
            return web.Response(status=400)
        inbox = self._application.bot_data["inbox"]
        if inbox.full:
            # Bounded: Telegram keeps the update and tries again later.
            log.warning("webhook_inbox_full", extra={"depth": inbox.depth})
            return web.Response(status=503)
        try:
            await inbox.receive([data])
        except Exception as error:  # storage failing: not stored, so not acknowledged
            log.error("webhook_store_failed", extra={"error": type(error).__name__})
            return web.Response(status=503)
        return web.Response(status=200)

    async def _health(self, request: web.Request) -> web.Response:
        return await self._check.handle(request)


async def serve(application: App, services: Services, stop: asyncio.Event) -> None:
    """Run in webhook mode until `stop` is set, then shut down without losing anything."""
    settings = services.settings
    assert settings.webhook_url is not None
    if not await wait_for_telegram(application, settings.startup_wait, stop):
        await application.shutdown()
        return
    server = WebhookServer(application, services)
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await server.start()
        await application.bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=ALLOWED_UPDATES,
        )
        await application.start()
        log.info("webhook_mode_started")
        await stop.wait()
    finally:
        # Stop taking new updates first; PTB then finishes those it already has. Also on a
        # failed start (port in use, URL refused): nothing may be left running.
        await server.stop()
        await shut_down(application)
        log.info("webhook_mode_stopped")


def run_webhook(application: App, services: Services) -> None:
    """`equipage run` in webhook mode: until SIGTERM or SIGINT."""
    run_until_signalled(lambda stop: serve(application, services, stop))
