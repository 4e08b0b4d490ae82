"""The inbox: bad updates set aside, floods refused on arrival, human pace never throttled."""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.i18n import Catalogs, ui_text
from bot.services import build_services
from bot.telegram.app import inbox_of
from bot.usecases.throttle import DISTRESS_BURST
from tests.conftest import ROOT, running_bot, settings_on
from tests.e2e.helpers import (
    eventually,
    finish_forces,
    finish_probleme,
    person_joins,
    services_of,
    ui_start,
)
from tests.e2e.test_summaries import prepare
from tests.fakegram import FakeTelegram
from tests.stored import rows

# The limits as shipped (the shared test settings lift them so scripted users can type fast).
BURST, PER_MINUTE = 20, 90


def shipped_limits(settings: Settings, chat_burst: int | None = None) -> Settings:
    limited = replace(settings, rate_burst=BURST, rate_per_minute=PER_MINUTE)
    return limited if chat_burst is None else replace(limited, chat_burst=chat_burst)


def ui(key: str) -> str:
    return Catalogs.load(ROOT / "dialogs", ROOT / "locales").translator("fr").message(key)


def statuses(settings: Settings) -> dict[str, int]:
    return dict(rows(settings, "SELECT status, COUNT(*) FROM inbox GROUP BY status"))


@pytest.mark.both_backends
async def test_an_unparseable_update_is_set_aside_and_the_others_are_handled(
    fake_telegram: FakeTelegram, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # the level the bot logs at (bot/logs.py)
    help_text = ui("join.stranger")
    async with running_bot(settings) as app:
        people = [fake_telegram.user(first_name=f"Zéphyrine{n}") for n in range(10)]
        for number in range(100):
            someone = people[number % 10]
            if number == 50:
                # PTB cannot parse this poll (fields missing): Update.de_json raises.
                await someone.send_raw({"poll": {"id": "7", "question": "mots très secrets"}})
            await someone.send("/aide")
        await fake_telegram.wait_for(
            lambda: sum(m.text == help_text for p in people for m in p.messages) >= 100,
            timeout=60,
        )
        await inbox_of(app).join()
    assert statuses(settings) == {"processed": 100, "set_aside": 1}
    logged = caplog.text + "".join(str(record.__dict__) for record in caplog.records)
    assert "update_set_aside" in logged
    assert "mots très secrets" not in logged and "Zéphyrine" not in logged


async def test_a_flood_is_refused_on_arrival_and_another_persons_urgence_is_answered_fast(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    emergency = ui("bot.emergency")
    slow_down = ui("bot.slow_down")
    async with running_bot(shipped_limits(settings, chat_burst=5)) as app:
        flood = fake_telegram.user(first_name="Pressé")
        for _ in range(300):
            await flood.send("bonjour")
        # The bot is taking the flood in when the other person asks for help.
        await fake_telegram.wait_for(lambda: len(flood.messages) >= 1, timeout=60)
        other = fake_telegram.user(first_name="Inès")
        asked = time.monotonic()
        await other.send("/urgence")
        await fake_telegram.wait_for(
            lambda: any(m.text == emergency for m in other.messages), timeout=60
        )
        latency = time.monotonic() - asked
        print(f"\n/urgence answered {latency:.3f} s after it was sent, during a 300-message flood")
        assert latency < 2.0
        await fake_telegram.wait_for(lambda: fake_telegram.pending_updates == 0, timeout=60)
        await inbox_of(app).join()
        # The flood: refused past its allowance, told once (not 280 times), never handled.
        found = statuses(settings)
        assert found["processed"] == 301
        assert sum(m.text == slow_down for m in flood.messages) == 1
        assert len(flood.messages) <= BURST + 3


class OneSecondApart:
    """The throttle's clock: each arrival one second after the previous one."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 30, 10, tzinfo=UTC)

    def now(self) -> datetime:
        self.moment += timedelta(seconds=1)
        return self.moment


async def test_a_person_at_one_action_a_second_is_never_throttled(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    async with running_bot(shipped_limits(settings)) as app:
        services_of(app).throttle._clock = OneSecondApart()
        amina = await person_joins(fake_telegram, app, "Amina")
        await finish_probleme(amina, "Les factures")
        await finish_forces(amina, 6)
        control = await prepare(amina, "Le loyer")
        await amina.click(ui_text("summary.send"), message=control)
        await eventually(fake_telegram, amina, ui_start("summary.sent"))
        await amina.send("/aide")
        await fake_telegram.wait_for(lambda: fake_telegram.pending_updates == 0)
        await inbox_of(app).join()
    assert "refused" not in statuses(settings)
    assert not any(ui("bot.slow_down") in m.text for m in amina.messages)


@pytest.mark.both_backends
async def test_an_update_in_hand_at_three_crashes_is_set_aside(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    from bot.domain import Arrival

    services = build_services(settings)
    await services.storage.open()
    poison = {"update_id": 5, "message": {"message_id": 1, "date": 0, "text": "x"}}
    await services.storage.inbox_store([Arrival(5, 42, False, False, poison)], services.clock.now())
    await services.storage.close()
    for _ in range(3):
        # The bot starts, takes the update, dies (no clean stop is recorded).
        await services.storage.open()
        await services.storage.beat("inbox-started", services.clock.now())
        await services.storage.inbox_count_crashes()
        await services.storage.close()
    async with running_bot(settings) as app:
        await inbox_of(app).join()
    assert statuses(settings) == {"set_aside": 1}


DISTRESS = "je veux mourir"


async def test_a_distress_message_in_a_long_queue_is_helped_before_the_queue(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    heard, queued_reply = ui("safety.heard"), ui("join.stranger")
    async with running_bot(settings) as app:
        lina = fake_telegram.user(first_name="Lina")
        for _ in range(50):
            await lina.send("/aide")
        await lina.send(DISTRESS)
        await fake_telegram.wait_for(
            lambda: (
                sum(m.text == queued_reply for m in lina.messages) >= 50
                and any(m.text == heard for m in lina.messages)
            ),
            timeout=60,
        )
        await inbox_of(app).join()
    texts = [m.text for m in lina.messages]
    replies_before_help = texts[: texts.index(heard)].count(queued_reply)
    print(f"\nhelp shown after {replies_before_help} of the 50 queued replies")
    assert replies_before_help < 25
    # Then the message is still screened as input: the whole block, once.
    assert texts.count(heard) == 1
    assert statuses(settings) == {"processed": 51}


async def test_a_distress_message_during_a_flood_is_answered_as_fast_as_urgence(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    heard = ui("safety.heard")
    async with running_bot(shipped_limits(settings, chat_burst=5)) as app:
        flood = fake_telegram.user(first_name="Pressé")
        for _ in range(300):
            await flood.send("bonjour")
        await fake_telegram.wait_for(lambda: len(flood.messages) >= 1, timeout=60)
        other = fake_telegram.user(first_name="Inès")
        asked = time.monotonic()
        await other.send(DISTRESS)
        await fake_telegram.wait_for(
            lambda: any(m.text == heard for m in other.messages), timeout=60
        )
        latency = time.monotonic() - asked
        print(f"\ndistress answered {latency:.3f} s after it was sent, during a 300-message flood")
        assert latency < 2.0
        await fake_telegram.wait_for(lambda: fake_telegram.pending_updates == 0, timeout=60)
        await inbox_of(app).join()
    with sqlite3.connect(settings.database) as db:
        urgent = db.execute("SELECT COUNT(*) FROM inbox WHERE urgent = 1").fetchone()[0]
    assert urgent == 1  # the distress message only, not the flood's greetings


@pytest.mark.both_backends
async def test_an_erasure_takes_the_persons_waiting_updates_with_it(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    erased, stranger = ui("rights.erased"), ui("join.stranger")
    async with running_bot(settings) as app:
        amina = await person_joins(fake_telegram, app, "Amina")
        await amina.send("/effacer")
        question = await amina.next_message()
        assert question.text == ui("rights.erase_question")
        (confirm,) = [
            data for row in question.buttons for text, data in row if text == ui("rights.erase_yes")
        ]
        assert confirm is not None
        # The confirmation and five more messages reach the bot together: they wait in the
        # person's lane while the erasure runs.
        amina.press_now(confirm)
        for number in range(5):
            await amina.send(f"mes mots {number}")
        await fake_telegram.wait_for(lambda: any(m.text == erased for m in amina.messages))
        await fake_telegram.wait_for(lambda: fake_telegram.pending_updates == 0)
        await inbox_of(app).join()
        left = rows(settings, "SELECT COUNT(*) FROM inbox WHERE lane = ?", (amina.id,))
        # Neither kept (not even encrypted) nor handled: no answer to the words that followed.
        assert left == [(0,)]
        texts = [m.text for m in amina.messages]
        assert texts[texts.index(erased) + 1 :] == []
        assert inbox_of(app).depth == 0
        # What the person sends afterwards is new, from a stranger, and answered as such.
        await amina.send("/menu")
        await fake_telegram.wait_for(lambda: amina.messages[-1].text == stranger)


class Frozen:
    """The throttle's clock, stopped: no allowance comes back during the test."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 30, 10, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment


async def test_a_flood_of_distress_words_is_capped_but_never_refused(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    emergency, heard = ui("bot.emergency"), ui("safety.heard")
    async with running_bot(shipped_limits(settings)) as app:
        services_of(app).throttle._clock = Frozen()
        flood = fake_telegram.user(first_name="Pressé")
        for _ in range(300):
            await flood.send(DISTRESS)
        await fake_telegram.wait_for(lambda: len(flood.messages) >= 1, timeout=60)
        # Another person asks for help while the flood is being taken in…
        other = fake_telegram.user(first_name="Inès")
        asked = time.monotonic()
        await other.send("/urgence")
        await fake_telegram.wait_for(
            lambda: any(m.text == emergency for m in other.messages), timeout=60
        )
        latency = time.monotonic() - asked
        # …and a third one states distress, once: that goes first too.
        nour = fake_telegram.user(first_name="Nour")
        said = time.monotonic()
        await nour.send(DISTRESS)
        await fake_telegram.wait_for(lambda: any(m.text == heard for m in nour.messages))
        distress_latency = time.monotonic() - said
        print(
            f"\nduring 300 distress-worded messages from one account: /urgence answered in"
            f" {latency:.3f} s, another person's distress in {distress_latency:.3f} s"
        )
        assert latency < 2.0 and distress_latency < 2.0
        await fake_telegram.wait_for(lambda: fake_telegram.pending_updates == 0, timeout=60)
        await inbox_of(app).join()
    with sqlite3.connect(settings.database) as db:
        urgent = dict(db.execute("SELECT lane, SUM(urgent) FROM inbox GROUP BY lane").fetchall())
    # The flood: only its first few went first; none refused, every one screened.
    assert urgent[flood.chat_id] == DISTRESS_BURST
    assert urgent[nour.chat_id] == 1
    assert statuses(settings) == {"processed": 302}
    # The safety block itself is shown to the flooder once, as to anyone (bot/usecases/safety.py).
    assert sum(m.text == heard for m in flood.messages) == 1


async def shared_inbox_after_deaths(
    fake_telegram: FakeTelegram, postgres_url: str, tmp_path: Path, deaths: int
) -> Settings:
    """Webhook replicas' settings (lanes shared on PostgreSQL), with one stored update that
    `deaths` replicas took and died handling, each after counting its try."""
    from bot.domain import Arrival

    settings = replace(
        settings_on(postgres_url, tmp_path, fake_telegram),
        webhook_url="https://bot.example.org/telegram",
    )
    services = build_services(settings)
    await services.storage.open()
    try:
        words = {"message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"}, "text": "x"}
        poison = {"update_id": 5, "message": words}
        now = services.clock.now()
        await services.storage.inbox_store([Arrival(5, 42, False, False, poison)], now)
        for _ in range(deaths):
            await services.storage.inbox_taking(5)
    finally:
        await services.storage.close()
    return settings


async def test_with_shared_lanes_an_update_three_replicas_died_on_is_set_aside(
    fake_telegram: FakeTelegram, postgres_url: str, tmp_path: Path
) -> None:
    """No clean-stop record exists across replicas: each claim counts its try before handling,
    so an update that kills whoever takes it stops going round after three deaths."""
    settings = await shared_inbox_after_deaths(fake_telegram, postgres_url, tmp_path, 3)
    async with running_bot(settings) as app:
        assert services_of(app).sharing.shared
        await inbox_of(app).join()
    assert statuses(settings) == {"set_aside": 1}


async def test_with_shared_lanes_an_update_two_replicas_died_on_is_still_handled(
    fake_telegram: FakeTelegram, postgres_url: str, tmp_path: Path
) -> None:
    settings = await shared_inbox_after_deaths(fake_telegram, postgres_url, tmp_path, 2)
    async with running_bot(settings) as app:
        await inbox_of(app).join()
    assert statuses(settings) == {"processed": 1}
    # This claim counted its own try too: the third.
    assert rows(settings, "SELECT attempts FROM inbox WHERE update_id = 5") == [(3,)]


async def test_with_shared_lanes_each_replica_keeps_its_share_of_a_persons_allowance(
    fake_telegram: FakeTelegram,
    postgres_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Behind round-robin, a replica sees a third of a person's updates when three run: it
    keeps a third of the allowance (here 6 at once: 2), so three replicas allow 6, not 18."""
    from bot.storage.claims import PgSharedWork

    settings = replace(
        settings_on(postgres_url, tmp_path, fake_telegram),
        webhook_url="https://bot.example.org/telegram",
        rate_burst=6,
        rate_per_minute=1,
    )
    others = [PgSharedWork(postgres_url), PgSharedWork(postgres_url)]
    for other in others:
        await other.open()  # two more replicas' claims sessions: three live
    caplog.set_level(logging.INFO)
    try:
        async with running_bot(settings) as app:
            await fake_telegram.wait_for(
                lambda: any(r.msg == "send_rate_shared" for r in caplog.records), timeout=30
            )
            pressed = fake_telegram.user(first_name="Pressé")
            for _ in range(3):
                await pressed.send("bonjour")
            await fake_telegram.wait_for(lambda: fake_telegram.pending_updates == 0)
            await inbox_of(app).join()
            await fake_telegram.wait_for(
                lambda: any(m.text == ui("bot.slow_down") for m in pressed.messages)
            )
    finally:
        for other in others:
            await other.close()
    assert statuses(settings) == {"processed": 3}  # two handled, one refused (and said so)
    assert sum(m.text == ui("bot.slow_down") for m in pressed.messages) == 1
