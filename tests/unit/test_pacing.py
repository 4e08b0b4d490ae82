"""Per-chat pacing: a burst goes at once, the next waits for the pace; other chats do not."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.telegram.pacing import PacedRateLimiter


async def test_a_private_chat_waits_after_its_burst_and_other_chats_do_not() -> None:
    # So slow a pace that, within the test, the fourth message to one chat can only wait.
    limiter = PacedRateLimiter(chat_burst=3, chat_per_second=0.0001)
    await limiter.initialize()
    sent: list[int] = []

    async def send(chat: int) -> bool:
        sent.append(chat)
        return True

    async def request(chat: int, endpoint: str = "sendMessage") -> Any:
        return await limiter.process_request(send, (chat,), {}, endpoint, {"chat_id": chat}, None)

    tasks = [asyncio.create_task(request(42)) for _ in range(4)]
    others = [request(7), request(-100), request(42, "answerCallbackQuery")]
    await asyncio.gather(*others)
    for _ in range(20):
        await asyncio.sleep(0)
    # Three paced sends got through, plus the callback answer, which is not paced.
    assert sent.count(42) == 4
    assert sent.count(7) == 1 and sent.count(-100) == 1
    assert sum(task.done() for task in tasks) == 3
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await limiter.shutdown()
