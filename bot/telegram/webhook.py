"""Webhook mode: Telegram calls us; we check its secret, and also answer /healthz."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
import time
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.services import Services
from bot.telegram.startup import wait_for_telegram

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
# /healthz asks Telegram at most this often: a proxy checking every few seconds must not
# turn into a flood of getMe calls.
TELEGRAM_CHECK_SECONDS = 30.0

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
        self._telegram_ok_until = 0.0
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
        """Stop taking updates; those already received are still processed by PTB."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("webhook_forbidden")
            return web.Response(status=403)
        try:
            data = await request.json()
            update = Update.de_json(data, self._application.bot)
        except (json.JSONDecodeError, ValueError, TypeError, KeyError):
            log.warning("webhook_bad_update")
            return web.Response(status=400)
        if update is None:
            return web.Response(status=400)
        await self._application.update_queue.put(update)
        return web.Response(status=200)

    async def _health(self, request: web.Request) -> web.Response:
        checks = {"database": "ok", "telegram": "ok"}
        try:
            await self._services.storage.schema_version()
        except Exception:  # any failure means "not healthy", whatever its kind
            checks["database"] = "unreachable"
        if time.monotonic() > self._telegram_ok_until:
            try:
                await asyncio.wait_for(self._application.bot.get_me(), timeout=5)
                self._telegram_ok_until = time.monotonic() + TELEGRAM_CHECK_SECONDS
            except (TelegramError, TimeoutError):
                checks["telegram"] = "unreachable"
        healthy = all(value == "ok" for value in checks.values())
        return web.json_response(checks, status=200 if healthy else 503)


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
        if application.running:
            await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        log.info("webhook_mode_stopped")


def run_webhook(application: App, services: Services) -> None:
    """`equipage run` in webhook mode: until SIGTERM or SIGINT."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for received in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(received, stop.set)
        await serve(application, services, stop)

    asyncio.run(main())
