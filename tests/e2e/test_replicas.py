"""Replicas on one PostgreSQL database: one is active (polls Telegram, sends, scans), the
others wait; kill the active one and another takes over within seconds, losing nothing."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bot.config import Settings
from bot.i18n import ui_text
from bot.storage.crypto import Cipher
from bot.storage.leadership import LEADER_LOCK
from bot.storage.postgresql import PostgresStorage
from tests.conftest import settings_on
from tests.e2e.helpers import expect, invite, open_dialogue
from tests.e2e.test_invitations import admin
from tests.fakegram import FakeTelegram, FakeUser
from tests.stored import rows

ROOT = Path(__file__).resolve().parents[2]
TAKEOVER_SECONDS = 10.0


async def launch(fake: FakeTelegram, settings: Settings) -> asyncio.subprocess.Process:
    """`equipage run` as its own process on the test's PostgreSQL database."""
    assert settings.database_url is not None
    key = ",".join(base64.urlsafe_b64encode(k).decode() for k in settings.data_keys or ())
    environment = dict(
        os.environ,
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url,
        EQUIPAGE_DATABASE=settings.database_url,
        EQUIPAGE_DATA_DIR=str(settings.database.parent),
        EQUIPAGE_DATA_KEY=key,
        EQUIPAGE_DIALOGS=str(ROOT / "dialogs"),
        EQUIPAGE_RATE_BURST="100000",
        EQUIPAGE_CHAT_BURST="100000",
    )
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=environment,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


def started(fake: FakeTelegram) -> int:
    """How many times a bot started serving (it registers its commands, in two languages)."""
    return len(fake.requests_for("setMyCommands")) // 2


def taken_over(fake: FakeTelegram, times: int) -> Callable[[], bool]:
    """Whether a replica has started serving `times` times in all."""
    return lambda: started(fake) == times


async def stop_all(processes: list[asyncio.subprocess.Process]) -> None:
    """SIGTERM to every replica still running; each must stop cleanly."""
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout=25)
            except TimeoutError:
                process.kill()
                raise


def active_replica(
    settings: Settings, replicas: list[asyncio.subprocess.Process]
) -> asyncio.subprocess.Process:
    """The replica holding the leader lock, as PostgreSQL sees it: after a take-over, any of
    the waiting ones may have won the race, not necessarily the oldest."""
    found = rows(
        settings,
        "SELECT application_name FROM pg_stat_activity WHERE pid IN (SELECT pid FROM pg_locks"
        " WHERE locktype = 'advisory' AND granted AND classid = 0 AND objid = ?)",
        (LEADER_LOCK,),
    )
    assert len(found) == 1, found
    pid = int(found[0][0].removeprefix("equipage-leader-"))
    (replica,) = (replica for replica in replicas if replica.pid == pid)
    return replica


async def seen(fake: FakeTelegram, settings: Settings, turn: int, runs: int) -> None:
    """Wait until `runs` dialogue runs have their question of `turn` recorded as seen: only
    then does free text answer it (a kill before that record makes the bot ask again)."""
    query = "SELECT COUNT(*) FROM dialogue_runs WHERE shown_turn >= ?"
    await fake.wait_for(lambda: rows(settings, query, (turn,)) == [(runs,)], timeout=30)


async def answered(user: FakeUser, answer: str, question: str) -> None:
    """Read until `question` comes. A replica killed between sending a question and recording
    it as seen leaves the bot unsure she saw it: it says so and asks again, and she answers
    again, as a person would (her first answer was not filed under an unseen question)."""
    resume = ui_text("bot.resume")
    while True:
        message = await user.next_message(timeout=45)
        if question in message.text:
            return
        if resume in message.text:
            await user.next_message(timeout=45)  # the question shown again
            await user.send(answer)


async def until_asked(user: FakeUser, question: str) -> None:
    """Read until `question` comes, without answering anything again: the new active replica
    may first show the pending question again, then take the answer already sent."""
    while question not in (await user.next_message(timeout=45)).text:
        pass


async def test_the_waiting_replica_takes_over_within_seconds_when_the_active_one_is_killed(
    fake_telegram: FakeTelegram, postgres_url: str, tmp_path: Path
) -> None:
    settings = settings_on(postgres_url, tmp_path, fake_telegram)
    printed = await admin(settings, "invite-worker", "--name", "Séverine D.")
    code = printed.split("?start=")[1].split()[0]

    first = await launch(fake_telegram, settings)
    await fake_telegram.wait_for(lambda: started(fake_telegram) == 1, timeout=30)
    second = await launch(fake_telegram, settings)
    try:
        severine = fake_telegram.user(first_name="Séverine")
        await severine.send(f"/start {code}")
        await expect(severine, "votre accès intervenant·e est ouvert")
        await severine.next_message()
        person_code = await invite(severine, "Amina")
        amina = fake_telegram.user(first_name="Amina")
        await amina.send(f"/start {person_code}")
        for _ in range(3):
            await amina.next_message()
        await amina.click("J'accepte")
        for _ in range(3):
            await amina.next_message()
        await open_dialogue(amina, "Mon problème")
        await amina.next_message()
        await expect(amina, "Qu'est-ce qui est difficile")
        await seen(fake_telegram, settings, 0, 1)
        # The second replica waits: it never served, so it never registered its commands.
        assert started(fake_telegram) == 1 and second.returncode is None

        first.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        await first.wait()
        # Sent while nobody is active: kept by Telegram until the new active replica polls.
        await amina.send("Les factures s'accumulent")
        await fake_telegram.wait_for(lambda: started(fake_telegram) == 2, timeout=30)
        assert time.monotonic() - killed_at < TAKEOVER_SECONDS
        # As after any restart, the question may be shown again; the answer sent meanwhile
        # is taken all the same (never sent twice here: it would become the next answer).
        await until_asked(amina, "comment l'appelleriez-vous")
        await amina.send("Factures")
        await expect(amina, "C'est un problème pour qui ?")
    finally:
        for process in (first, second):
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), timeout=25)
                except TimeoutError:
                    process.kill()
    assert second.returncode == 0
    active = rows(settings, "SELECT COUNT(*) FROM dialogue_runs WHERE status = 'active'")
    assert active == [(1,)]
    (run_id,) = rows(settings, "SELECT id FROM dialogue_runs WHERE status = 'active'")[0]
    storage = PostgresStorage(postgres_url, Cipher(settings.data_keys or ()), settings.database)
    await storage.open()
    try:
        run = await storage.get_run(run_id)
    finally:
        await storage.close()
    assert run is not None
    assert run.state["answers"]["difficulte"] == "Les factures s'accumulent"
    assert run.state["answers"]["titre"] == "Factures"


async def test_persons_answering_while_the_active_replica_is_killed_twice_lose_nothing(
    fake_telegram: FakeTelegram, postgres_url: str, tmp_path: Path
) -> None:
    """Three replicas over the run, two SIGKILLs while five persons answer at once: every
    person's answers are all stored, each in its place."""
    settings = settings_on(postgres_url, tmp_path, fake_telegram)
    printed = await admin(settings, "invite-worker", "--name", "Séverine D.")
    code = printed.split("?start=")[1].split()[0]
    replicas = [await launch(fake_telegram, settings)]
    await fake_telegram.wait_for(lambda: started(fake_telegram) == 1, timeout=30)
    replicas.append(await launch(fake_telegram, settings))
    try:
        severine = fake_telegram.user(first_name="Séverine")
        await severine.send(f"/start {code}")
        await expect(severine, "votre accès intervenant·e est ouvert")
        await severine.next_message()
        persons: list[FakeUser] = []
        for number in range(5):
            person_code = await invite(severine, f"Personne {number}")
            person = fake_telegram.user(first_name=f"Personne{number}")
            await person.send(f"/start {person_code}")
            for _ in range(3):
                await person.next_message()
            await person.click("J'accepte")
            for _ in range(3):
                await person.next_message()
            await open_dialogue(person, "Mon problème")
            await person.next_message()
            await expect(person, "Qu'est-ce qui est difficile")
            persons.append(person)

        for round_number, (answer, next_question) in enumerate(
            (
                ("Les factures de {n}", "comment l'appelleriez-vous"),
                ("Titre de {n}", "C'est un problème pour qui ?"),
            ),
            start=2,
        ):
            for number, person in enumerate(persons):
                await person.send(answer.format(n=number))
            # The active replica dies with these answers in flight; a fresh one is started.
            active = active_replica(settings, replicas)
            active.send_signal(signal.SIGKILL)
            await active.wait()
            replicas.append(await launch(fake_telegram, settings))
            await fake_telegram.wait_for(taken_over(fake_telegram, round_number), timeout=30)
            await asyncio.gather(
                *(
                    answered(person, answer.format(n=number), next_question)
                    for number, person in enumerate(persons)
                )
            )
    finally:
        await stop_all(replicas)

    storage = PostgresStorage(postgres_url, Cipher(settings.data_keys or ()), settings.database)
    await storage.open()
    try:
        for number, person in enumerate(persons):
            found = await storage.person_by_account(f"telegram:{person.id}")
            assert found is not None
            (run,) = await storage.active_runs(found.id)
            answers = run.state["answers"]
            assert answers["difficulte"] == f"Les factures de {number}"
            assert answers["titre"] == f"Titre de {number}"
    finally:
        await storage.close()
