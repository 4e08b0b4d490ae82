"""Replicas sharing work on one PostgreSQL database (bot/storage/claims.py): lane and job
claims are exclusive and die with their session; two couriers draining one outbox send
each message once; each replica keeps its share of Telegram's global send rate."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from bot.domain import OutboxMessage
from bot.messages import PersonJoined
from bot.services import Services, build_services
from bot.storage.claims import PgSharedWork, lane_keys
from bot.telegram.app import build_application
from bot.telegram.delivery import OutboxCourier
from bot.telegram.pacing import PacedRateLimiter
from bot.usecases.persons import telegram_account
from tests.conftest import settings_on
from tests.fakegram import FakeTelegram
from tests.stored import rows, settled

MESSAGES = 60


def never_lost() -> None:
    raise AssertionError("the claims session broke")


async def test_a_lane_or_a_job_is_held_by_one_replica_until_released_or_its_session_ends(
    postgres_url: str,
) -> None:
    first, second = PgSharedWork(postgres_url, never_lost), PgSharedWork(postgres_url, never_lost)
    await first.open()
    await second.open()
    try:
        assert await first.live_replicas() == 2
        lane = 7_123_456_789  # a Telegram user id past 32 bits
        assert await first.claim_lane(lane)
        assert not await second.claim_lane(lane)
        # Another lane, even one sharing the low 32 bits, is free.
        assert await second.claim_lane(lane + (1 << 32))
        await first.release_lane(lane)
        assert await second.claim_lane(lane)

        assert await first.claim_job("outbox-courier")
        assert not await second.claim_job("outbox-courier")
        assert await second.claim_job("reminder-scanner")
        # A replica killed while holding them: its session ends, the claims go with it.
        await first.close()
        assert await second.claim_job("outbox-courier")
        assert await second.live_replicas() == 1
    finally:
        await first.close()
        await second.close()


def test_lane_keys_cover_every_chat_id_without_collision() -> None:
    ids = [0, 1, -1, 2**31, 2**32 - 1, 2**32, -(10**12) - 5, 7_123_456_789, 2**52]
    keys = [lane_keys(lane) for lane in ids]
    assert len(set(keys)) == len(ids)
    assert all(-(2**31) <= part < 2**31 for key in keys for part in key)


async def test_two_replicas_draining_one_outbox_send_each_message_once(
    fake_telegram: FakeTelegram, postgres_url: str, tmp_path: Path
) -> None:
    settings = replace(
        settings_on(postgres_url, tmp_path, fake_telegram),
        webhook_url="https://bot.example.org/telegram",
        webhook_secret="secret-0123456789",
    )
    replicas: list[Services] = [build_services(settings) for _ in range(2)]
    for services in replicas:
        assert services.sharing.shared
        await services.storage.open()
        await services.sharing.open()
    first = replicas[0]
    worker, issued = await first.invitations.invite_worker("Séverine D.", None)
    severine = fake_telegram.user(first_name="Séverine")
    await severine.send("/start")  # her chat is open: the bot may write to her
    invitation = await first.invitations.check(telegram_account(severine.id), issued.code)
    assert invitation is not None
    await first.workers.join(
        invitation, telegram_account(severine.id), chat_id=severine.id, language="fr"
    )
    now = first.clock.now()
    for number in range(MESSAGES):
        await first.storage.enqueue(
            OutboxMessage(
                dedupe_key=f"joined:{number}",
                recipient_kind="worker",
                recipient_id=worker.id,
                body=PersonJoined(f"Personne {number}"),
            ),
            now,
        )
    applications = [build_application(services) for services in replicas]
    couriers = []
    for application, services in zip(applications, replicas, strict=True):
        await application.initialize()
        couriers.append(OutboxCourier(application.bot, services))
    try:
        for courier in couriers:
            courier.start()
        await settled(
            lambda: (
                rows(settings, "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL") == [(0,)]
            )
        )
    finally:
        for courier in couriers:
            await courier.stop()
        for application, services in zip(applications, replicas, strict=True):
            await application.shutdown()
            await services.sharing.close()
            await services.storage.close()
    texts = [message.text for message in severine.messages]
    for number in range(MESSAGES):
        assert sum(text.endswith(f": Personne {number}") for text in texts) == 1, number
    assert len(texts) == MESSAGES


async def test_each_replica_keeps_its_share_of_the_global_send_rate() -> None:
    limiter = PacedRateLimiter(chat_burst=5, chat_per_second=1.0, send_rate=30)
    limiter.share(3)
    assert limiter.replicas == 3
    loop = asyncio.get_running_loop()

    async def send() -> bool:
        return True

    # 30 sends to 30 chats from one replica of three: about 10 a second (a burst of 10,
    # then one every 0.1 s), so the last leaves at least about 2 s after the first.
    started = loop.time()
    await asyncio.gather(
        *(
            limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 1000 + n}, None)
            for n in range(30)
        )
    )
    assert loop.time() - started >= 1.8
