"""An update's "processed" mark commits in the same transaction as its first change."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from telegram.request import BaseRequest

from bot.domain import Arrival
from bot.handling import Handling, bookkeeping, current_handling
from bot.storage.common import TableStorage
from bot.storage.crypto import Cipher
from bot.telegram.marking import MarkFirstRequest, has_effect

NOW = datetime(2026, 11, 30, 10, tzinfo=UTC)


@pytest.fixture
async def storage(make_storage: Callable[[Cipher], TableStorage]) -> AsyncIterator[TableStorage]:
    """On each backend: the mark rides on SQLite's writer and on PostgreSQL's transaction."""
    store = make_storage(Cipher(os.urandom(32)))
    await store.open()
    await store.inbox_store([Arrival(7, 70, False, False, {"update_id": 7})], NOW)
    yield store
    await store.close()


async def status(storage: TableStorage) -> str:
    row = await storage._fetch_one("SELECT status FROM inbox WHERE update_id = 7")
    assert row is not None
    return str(row[0])


async def handling_update_7(work: object) -> Handling:
    """Run `work()` as the handlers of update 7 would (in their own task)."""

    async def never() -> None:
        raise AssertionError("the mark must ride on the write")

    handling = Handling(7, NOW, never, task=None)

    async def run() -> None:
        handling.task = asyncio.current_task()
        current_handling.set(handling)
        await work()  # type: ignore[operator]

    await asyncio.create_task(run())
    return handling


async def test_the_first_write_carries_the_mark(storage: TableStorage, tmp_path: Path) -> None:
    handling = await handling_update_7(lambda: storage.beat("effect", NOW))
    assert handling.marked and not handling.gone
    assert await status(storage) == "processed"


async def test_a_failed_change_takes_the_mark_back_with_it(
    storage: TableStorage, tmp_path: Path
) -> None:
    async def failing() -> None:
        async with storage._transaction() as db:
            await db.execute("INSERT INTO heartbeats (name, beat_at) VALUES ('x', 'y')")
            raise RuntimeError("the handler failed mid-transaction")

    with pytest.raises(RuntimeError):
        await handling_update_7(failing)
    assert await status(storage) == "pending"
    assert await storage.heartbeats() == {}


async def test_bookkeeping_and_empty_writes_carry_no_mark(
    storage: TableStorage, tmp_path: Path
) -> None:
    async def bookkeeping_only() -> None:
        with bookkeeping():
            await storage.beat("contact", NOW)
        async with storage._transaction() as db:
            await db.execute("DELETE FROM heartbeats WHERE name = 'nothing'")

    handling = await handling_update_7(bookkeeping_only)
    assert not handling.marked
    assert await status(storage) == "pending"


async def test_a_task_started_by_the_handlers_carries_no_mark(
    storage: TableStorage, tmp_path: Path
) -> None:
    async def kicks_a_courier() -> None:
        await asyncio.create_task(storage.beat("courier", NOW))

    handling = await handling_update_7(kicks_a_courier)
    assert not handling.marked
    assert await status(storage) == "pending"


def test_only_calls_with_an_effect_mark_the_update_before_they_go() -> None:
    base = "http://127.0.0.1:8081/bot123:abc"
    for method in ("sendMessage", "editMessageText", "answerCallbackQuery", "deleteMessage"):
        assert has_effect(f"{base}/{method}", "POST")
    for method in ("getFile", "getMe", "getUpdates", "sendChatAction"):
        assert not has_effect(f"{base}/{method}", "POST")
    assert not has_effect("http://127.0.0.1:8081/file/bot123:abc/voice/1.oga", "GET")


class Telegram(BaseRequest):
    """Answers every call as Telegram does a second answer to the same button press."""

    read_timeout = None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, *args: object, **kwargs: object) -> tuple[int, bytes]:
        return 400, (
            b'{"ok":false,"error_code":400,"description":"Bad Request: query is too old and'
            b' response timeout expired or query ID is invalid"}'
        )


@pytest.mark.parametrize("repeat", [True, False])
async def test_a_button_answered_again_after_a_crash_is_taken_as_answered(repeat: bool) -> None:
    async def never() -> None:
        raise AssertionError("a button answer commits no mark")

    request = MarkFirstRequest(Telegram())
    url = "http://127.0.0.1:8081/bot123:abc/answerCallbackQuery"
    current_handling.set(Handling(7, NOW, never, repeat=repeat))
    status, _ = await request.do_request(url, "POST")
    # Only when the update was handled before: a first answer refused stays an error.
    assert status == (200 if repeat else 400)
