"""Start-up waits out an outage: bounded back-off, one log line a minute, then gives up."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, cast

import pytest
from telegram.error import InvalidToken, NetworkError

from bot.telegram import startup
from bot.telegram.startup import App, wait_for_telegram


class Outage:
    """An application whose initialize() fails `failures` times, each failure costing
    `seconds` of (fake) time, like a connection attempt that times out."""

    def __init__(self, failures: int, seconds: float = 10.0) -> None:
        self.failures = failures
        self.seconds = seconds
        self.calls = 0
        self.time = 0.0

    async def initialize(self) -> None:
        self.calls += 1
        self.time += self.seconds
        if self.calls <= self.failures:
            raise NetworkError("httpx.ConnectError: All connection attempts failed")

    def now(self) -> float:
        return self.time


@pytest.fixture(autouse=True)
def no_real_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    # The back-off is real time; the outage's clock is fake, so waits can be tiny.
    monkeypatch.setattr(startup, "FIRST_DELAY", 0.001)
    monkeypatch.setattr(startup, "MAX_DELAY", 0.001)


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage() == "telegram_unreachable_retrying"]


async def test_a_five_minute_outage_is_waited_out_and_logged_once_a_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    outage = Outage(failures=30)  # 30 tries of 10 s: five minutes
    caplog.set_level(logging.INFO, logger=startup.__name__)
    app = cast(App, outage)
    assert await wait_for_telegram(app, 600, asyncio.Event(), now=outage.now)
    assert outage.calls == 31
    assert 1 <= len(_warnings(caplog)) <= 300 // 60 + 1
    assert any(r.getMessage() == "telegram_reachable" for r in caplog.records)


async def test_it_gives_up_after_the_wait_with_the_network_error() -> None:
    outage = Outage(failures=1000)
    with pytest.raises(NetworkError):
        await wait_for_telegram(cast(App, outage), 100, asyncio.Event(), now=outage.now)
    assert 10 <= outage.calls <= 12


async def test_a_refused_token_is_not_retried() -> None:
    class Refused:
        calls = 0

        async def initialize(self) -> None:
            Refused.calls += 1
            raise InvalidToken("The token `123:abc` was rejected by the server.")

    with pytest.raises(InvalidToken):
        await wait_for_telegram(cast(App, Refused()), 600, asyncio.Event())
    assert Refused.calls == 1


async def test_a_stop_during_the_outage_ends_the_wait() -> None:
    outage = Outage(failures=1000)
    stop = asyncio.Event()
    stop.set()
    app: Any = outage
    assert not await wait_for_telegram(app, 600, stop, now=outage.now)
