"""Logs cannot leak: PTB's own error paths, crafted records and floods through the configured
logging, and nothing of the person's words, name or the token comes out."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from telegram import Bot
from telegram.error import NetworkError, TelegramError
from telegram.request import BaseRequest, RequestData

from bot.logs import setup_logging

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
WORDS = "Mon voisin Gaspard me vole mon courrier"
NAME = "Zéphyrine"


class Clock:
    """Seconds that pass only when the test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Logs:
    """The configured root handler writing into a buffer."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.buffer = io.StringIO()

    @property
    def text(self) -> str:
        return self.buffer.getvalue()

    def lines(self) -> list[str]:
        return self.text.splitlines()

    def assert_private(self) -> None:
        for private in (WORDS, "Gaspard", NAME, TOKEN, TOKEN.split(":")[1], "<html>"):
            assert private not in self.text, (private, self.text)


@pytest.fixture
def logs() -> Iterator[Logs]:
    root = logging.getLogger()
    before = (root.handlers[:], root.level, sys.excepthook)
    clock = Clock()
    captured = Logs(clock)
    setup_logging(TOKEN, captured.buffer, clock=clock)
    try:
        yield captured
    finally:
        root.handlers[:] = before[0]
        root.setLevel(before[1])
        sys.excepthook = before[2]


class CannedRequest(BaseRequest):
    """Answers every Bot API call with one canned HTTP status and body."""

    def __init__(self, status: int, body: bytes) -> None:
        self._status = status
        self._body = body

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        return self._status, self._body


def _unparseable_update() -> dict[str, Any]:
    """A message whose poll lacks required fields: PTB cannot build the Update."""
    person = {"id": 4242, "is_bot": False, "first_name": NAME, "username": "zephy"}
    return {
        "update_id": 9001,
        "message": {
            "message_id": 1,
            "date": 1700000000,
            "chat": {"id": 4242, "type": "private", "first_name": NAME},
            "from": person,
            "text": WORDS,
            "poll": {"id": "p", "question": WORDS},
        },
    }


async def test_an_unparseable_update_logs_its_id_never_its_content(logs: Logs) -> None:
    body = json.dumps({"ok": True, "result": [_unparseable_update()]}).encode()
    canned = CannedRequest(200, body)
    bot = Bot(TOKEN, request=canned, get_updates_request=canned)
    with pytest.raises(Exception):  # noqa: B017 - PTB raises whatever the parsing raised
        await bot.get_updates()

    logs.assert_private()
    assert "Error while parsing updates" in logs.text
    assert "9001" in logs.text  # the update's id stays
    assert "exc_type=TypeError" in logs.text


async def test_a_raw_502_body_is_not_logged(logs: Logs) -> None:
    body = f"<html>Bad Gateway {WORDS} {NAME} bot{TOKEN}</html>".encode()
    bot = Bot(TOKEN, request=CannedRequest(502, body))
    with pytest.raises((NetworkError, TelegramError)):
        await bot.get_me()

    logs.assert_private()
    assert "Can not load invalid JSON data" in logs.text


def test_the_token_is_masked_in_messages_arguments_exceptions_and_fields(logs: Logs) -> None:
    ours = logging.getLogger("bot.telegram.delivery")
    ours.info(f"request to https://api.telegram.org/bot{TOKEN}/sendMessage failed")
    ours.warning("courier_failed", extra={"url": f"https://x/bot{TOKEN}/getMe", "id": 5})
    other_token = "987654321:ZZZqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
    logging.getLogger("httpx").warning("HTTP Request: %s %s", "POST", f"/bot{other_token}/x")
    try:
        raise RuntimeError(f"failed at /bot{TOKEN}/sendMessage with {WORDS}")
    except RuntimeError:
        logging.getLogger("telegram.ext.Updater").exception("Error while getting Updates")

    logs.assert_private()
    assert other_token not in logs.text
    assert logs.text.count("<token>") >= 2
    assert "id=5" in logs.text
    assert "exc_type=RuntimeError" in logs.text


def _raise_from_the_handler(text: str) -> None:
    raise ValueError(f"could not store {text!r}")


async def person_text_answer(text: str) -> None:
    """Stands for one of our handlers: its name must appear in the traceback."""
    _raise_from_the_handler(text)


async def test_a_traceback_names_every_frame_and_no_message(logs: Logs) -> None:
    try:
        await person_text_answer(WORDS)
    except ValueError as error:
        logging.getLogger("telegram.ext.Application").error(
            "No error handlers are registered, logging exception.", exc_info=error
        )

    logs.assert_private()
    assert "person_text_answer" in logs.text
    assert "_raise_from_the_handler" in logs.text
    assert "tests/unit/test_log_privacy.py" in logs.text
    assert "could not store" not in logs.text


def test_a_flood_of_one_error_is_capped_and_counted(logs: Logs) -> None:
    """The audit saw 21,727 lines in 20 s: the same record, over and over."""
    ptb = logging.getLogger("telegram.ext.Updater")
    flood = 21_727
    for index in range(flood):
        logs.clock.now = 20.0 * index / flood
        ptb.critical("Error while parsing updates! Received data was %r", [_unparseable_update()])
    logs.clock.now = 25.0
    ptb.critical("Error while parsing updates! Received data was %r", [_unparseable_update()])

    lines = logs.lines()
    # 20 at once, then one a second for 20 s, then the line that reports the dropped ones.
    assert len(lines) <= 20 + 21 + 1, len(lines)
    suppressed = sum(
        int(part.split("=", 1)[1])
        for line in lines
        for part in line.split()
        if "suppressed=" in part
    )
    assert suppressed + len(lines) == flood + 1
    logs.assert_private()
    # Another event is not starved by the flood.
    logging.getLogger("bot.jobs").error("job_failed", extra={"job": "reminder-scanner"})
    assert "job_failed" in logs.lines()[-1]


def test_json_lines_are_cleaned_too(logs: Logs, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EQUIPAGE_LOG_FORMAT", "json")
    setup_logging(TOKEN, logs.buffer, clock=logs.clock)
    logging.getLogger("aiohttp.server").error("Error handling request %s", WORDS.encode())
    logging.getLogger("asyncio").error("Task exception was never retrieved\n%s", NAME)

    logs.assert_private()
    for line in logs.lines():
        json.loads(line)
