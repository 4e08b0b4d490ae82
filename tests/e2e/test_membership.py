"""Blocking and unblocking the bot (`my_chat_member`): unreachable, then reachable again."""

from __future__ import annotations

from bot.domain import ReminderDraft
from tests.e2e.helpers import App, eventually, person_joins, services_of, worker_joins
from tests.fakegram import FakeTelegram


async def test_a_worker_who_blocks_then_unblocks_gets_their_reminders_again(
    fake_telegram: FakeTelegram, bot: App
) -> None:
    """The audit: a worker who blocked then unblocked stayed unreachable for ever, their
    reminders dropped."""
    services = services_of(bot)
    storage = services.storage
    severine, worker = await worker_joins(fake_telegram, bot)

    async def reachable() -> bool:
        found = await storage.get_worker(worker.id)
        return found is not None and found.reachable

    severine.block()
    await fake_telegram.wait_for(lambda: severine.blocked)
    await _until_async(fake_telegram, lambda: reachable(), expected=False)

    # A reminder due while blocked waits instead of being dropped.
    now = services.clock.now()
    await storage.add_reminders([ReminderDraft("digest", now, worker_id=worker.id)], now)
    (pending,) = await storage.due_reminders(now)
    await services.reminders.scan()
    waiting = await storage.get_reminder(pending.id)
    assert waiting is not None and waiting.status == "pending"

    severine.unblock()
    await _until_async(fake_telegram, lambda: reachable(), expected=True)
    # Back: what is sent to them flows again (a person joining is announced to them).
    await person_joins(fake_telegram, bot, "Nadia", worker_user=severine)
    await eventually(fake_telegram, severine, "Nadia")


async def test_a_person_who_blocks_is_unreachable_and_reachable_again_after_unblocking(
    fake_telegram: FakeTelegram, bot: App
) -> None:
    storage = services_of(bot).storage
    nadia = await person_joins(fake_telegram, bot, "Nadia")
    account = f"telegram:{nadia.id}"

    async def reachable() -> bool:
        found = await storage.person_by_account(account)
        return found is not None and found.reachable

    nadia.block()
    await _until_async(fake_telegram, lambda: reachable(), expected=False)
    nadia.unblock()
    await _until_async(fake_telegram, lambda: reachable(), expected=True)


async def _until_async(fake: FakeTelegram, check: object, *, expected: bool) -> None:
    """Wait (bounded by the fake server's own timeout) until the async check gives `expected`."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while await check() is not expected:  # type: ignore[operator]
        assert loop.time() < deadline, "state never changed"
        await asyncio.sleep(0.02)
