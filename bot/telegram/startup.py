"""Start-up that waits out an outage: Telegram unreachable at boot is retried, not fatal."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import Application

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]

# The updates the bot asks Telegram for, by polling or by webhook (here, not in webhook.py:
# polling would otherwise import aiohttp for this one list).
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]

# Waits between tries grow from FIRST_DELAY to MAX_DELAY: quick when the network comes back
# after a moment, gentle on a resolver or a proxy during a long outage.
FIRST_DELAY = 1.0
MAX_DELAY = 30.0
# A line in the journal at the first failure, then at most this often while it lasts.
LOG_EVERY = 60.0


async def wait_for_telegram(
    application: App,
    wait_seconds: float,
    stop: asyncio.Event,
    *,
    now: Callable[[], float] = time.monotonic,
) -> bool:
    """Initialize the application (which asks Telegram who the bot is), retrying while
    Telegram cannot be reached, for `wait_seconds` at most. True when ready, False when
    `stop` was set meanwhile. A refused token is not an outage: it is raised at once, and
    so is the last network error once the wait is over."""
    deadline = now() + wait_seconds
    delay = FIRST_DELAY
    attempt = 0
    last_logged: float | None = None
    while not stop.is_set():
        attempt += 1
        try:
            await application.initialize()
        except RetryAfter as error:
            pause = error.retry_after
            delay = pause.total_seconds() if not isinstance(pause, int) else float(pause)
        except BadRequest:
            raise
        except NetworkError:  # also TimedOut: no answer, a refused connection, no DNS
            if now() >= deadline:
                raise
        else:
            if attempt > 1:
                log.info("telegram_reachable", extra={"attempts": attempt})
            return True
        if last_logged is None or now() - last_logged >= LOG_EVERY:
            last_logged = now()
            log.warning(
                "telegram_unreachable_retrying",
                extra={"attempt": attempt, "gives_up_in_s": max(0, round(deadline - now()))},
            )
        pause_for = min(delay, max(0.0, deadline - now()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=pause_for)
        delay = min(delay * 2, MAX_DELAY)
    return False


async def shut_down(application: App) -> None:
    """Stop the application and its lifecycle hooks, whatever got started (a failed start too)."""
    if application.running:
        await application.stop()
    if application.post_stop is not None:
        await application.post_stop(application)
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)


def run_until_signalled(serve: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run `serve(stop)` in a fresh event loop; SIGTERM or SIGINT sets `stop`."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for received in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(received, stop.set)
        await serve(stop)

    asyncio.run(main())
