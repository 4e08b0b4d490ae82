"""Polling mode (`equipage run` without a webhook): wait for Telegram, poll, stop cleanly."""

from __future__ import annotations

import asyncio
import signal

from bot.services import Services
from bot.telegram.startup import App, wait_for_telegram
from bot.telegram.webhook import ALLOWED_UPDATES


async def serve_polling(application: App, services: Services, stop: asyncio.Event) -> None:
    """Poll until `stop` is set; updates in progress finish before the bot exits."""
    if not await wait_for_telegram(application, services.settings.startup_wait, stop):
        await application.shutdown()
        return
    assert application.updater is not None
    try:
        if application.post_init is not None:
            await application.post_init(application)
        # -1: if the network drops between getMe and deleteWebhook, keep trying (PTB's
        # own back-off, up to 30 s) rather than exit.
        await application.updater.start_polling(
            allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False, bootstrap_retries=-1
        )
        await application.start()
        await stop.wait()
    finally:
        if application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def run_polling(application: App, services: Services) -> None:
    """`equipage run` in polling mode: until SIGTERM or SIGINT."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for received in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(received, stop.set)
        await serve_polling(application, services, stop)

    asyncio.run(main())
