"""`equipage run` as a real process: SIGTERM during activity loses nothing."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import sys
from pathlib import Path

from bot.config import Settings
from tests.e2e.helpers import asked, expect, invite, open_dialogue, title, ui_piece, ui_start
from tests.e2e.test_invitations import admin, rows
from tests.fakegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]


async def start_bot(fake: FakeTelegram, settings: Settings) -> asyncio.subprocess.Process:
    registered = len(fake.requests_for("setMyCommands"))
    key = ",".join(base64.urlsafe_b64encode(k).decode() for k in settings.data_keys or ())
    environment = dict(
        os.environ,
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url,
        EQUIPAGE_DATABASE=str(settings.database),
        EQUIPAGE_DATA_KEY=key,
        EQUIPAGE_DIALOGS=str(ROOT / "dialogs"),
        EQUIPAGE_RATE_BURST="100000",
        EQUIPAGE_CHAT_BURST="100000",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=environment,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    # Ready once it registered its commands (French and English) once more.
    await fake.wait_for(lambda: len(fake.requests_for("setMyCommands")) >= registered + 2)
    return process


async def stop_bot(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), timeout=25)
    except TimeoutError:
        process.kill()
        _, errors = await process.communicate()
        print("HUNG", errors.decode()[-6000:])
        raise
    _, errors = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, errors.decode()
    return errors.decode()


async def test_sigterm_in_the_middle_of_answers_loses_nothing(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    printed = await admin(settings, "invite-worker", "--name", "Séverine D.")
    code = printed.split("?start=")[1].split()[0]
    process = await start_bot(fake_telegram, settings)
    severine = fake_telegram.user(first_name="Séverine")
    await severine.send(f"/start {code}")
    await expect(severine, ui_piece("join.worker_welcome"))
    await severine.next_message()
    person_code = await invite(severine, "Amina")
    amina = fake_telegram.user(first_name="Amina")
    await amina.send(f"/start {person_code}")
    for _ in range(3):
        await amina.next_message()
    await amina.click(ui_start("consent.accept"))
    for _ in range(3):
        await amina.next_message()
    await open_dialogue(amina, title("probleme"))
    await amina.next_message()
    await expect(amina, asked("probleme", "difficulte"))
    await amina.send("Les factures")
    # The next answer is on its way when the service is stopped.
    await amina.send("Factures")
    logs = await stop_bot(process)
    assert "Les factures" not in logs and "Amina" not in logs

    process = await start_bot(fake_telegram, settings)
    # Both answers are kept, whichever side of the stop the second one fell on.
    await fake_telegram.wait_for(
        lambda: any(asked("probleme", "concernes") in m.text for m in amina.messages)
    )
    await stop_bot(process)
    assert rows(settings, "SELECT COUNT(*) FROM dialogue_runs WHERE status = 'active'") == [(1,)]
