"""Operations: doctor on a good and a broken set-up, a backup taken while the bot writes, stats."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import sqlite3
import time
from dataclasses import replace
from pathlib import Path

import pytest

from bot.admin import run_admin
from bot.cli import build_parser
from bot.config import Settings
from bot.doctor import doctor
from bot.i18n import Catalogs, ui_text
from bot.services import build_services
from bot.storage.crypto import Cipher, load_or_create_key
from bot.storage.sqlite import SqliteStorage
from bot.storage.tables.erasures import erased_file
from bot.telegram.app import inbox_of
from tests.conftest import running_bot
from tests.e2e.helpers import (
    DIALOGUES,
    App,
    asked,
    expect,
    finish_probleme,
    open_dialogue,
    person_joins,
    title,
    ui_piece,
    ui_start,
    worker_joins,
)
from tests.e2e.test_invitations import admin, rows
from tests.fakegram import FakeTelegram

# The strengths domains, in order, as Mes forces asks them.
DOMAINS = [s.id for s in DIALOGUES["forces"].steps if s.kind.value == "scale"]


def translator(settings: Settings):  # type: ignore[no-untyped-def]
    return Catalogs.load(settings.dialogs_dir, settings.locales_dir).translator("fr")


@pytest.mark.both_backends
async def test_doctor_says_ok_on_a_good_setup_and_how_to_fix_a_broken_one(
    fake_telegram: FakeTelegram, settings: Settings, tmp_path: Path
) -> None:
    async with running_bot(settings):
        # Created and migrated; stopped once its courier, scanner and Bot API have each
        # reported in (under load, a bot stopped sooner leaves a beat missing: stale).
        beats = (
            "SELECT COUNT(*) FROM heartbeats"
            " WHERE name IN ('courier', 'reminder-scanner', 'bot-api')"
        )
        await fake_telegram.wait_for(lambda: rows(settings, beats) == [(3,)], timeout=30)
    report = io.StringIO()
    assert await doctor(settings, translator(settings), report) == 0, report.getvalue()
    text = report.getvalue()
    ok, problem = ui_text("doctor.ok"), ui_text("doctor.problem")
    assert f"[{ok}] {ui_text('doctor.token', username='equipage_test_bot')}" in text
    assert f"[{ok}] {ui_text('doctor.webhook_none')}" in text
    assert ui_text("doctor.summary_ok") in text

    broken = replace(
        settings,
        token="123456:MAUVAIS",
        database=tmp_path / "ailleurs" / "db.sqlite3",
        database_url=None,
    )
    report = io.StringIO()
    assert await doctor(broken, translator(settings), report) == 1
    text = report.getvalue()
    assert f"[{problem}] {ui_text('doctor.token_refused')}" in text
    assert ui_piece("doctor.database_new") in text

    hooked = replace(
        settings, webhook_url="https://equipage.exemple.fr/telegram", webhook_secret="s"
    )
    report = io.StringIO()
    assert await doctor(hooked, translator(settings), report) == 1
    assert f"[{problem}] {ui_text('doctor.webhook_none')}" in report.getvalue()


async def test_a_backup_taken_while_the_bot_writes_is_complete_and_restorable(
    fake_telegram: FakeTelegram, bot: App, settings: Settings, tmp_path: Path
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot)
    persons = [
        await person_joins(fake_telegram, bot, name, worker_user=severine)
        for name in ("Amina", "Bruno", "Chloé")
    ]

    async def answer_a_lot(user_index: int) -> None:
        user = persons[user_index]
        await open_dialogue(user, title("forces"))
        await user.next_message()
        for domain in DOMAINS:
            await user.next_message()
            await user.click("7")
            await expect(user, asked("forces", f"{domain}_bien"))
            await user.send("Des choses vont bien " * 20)

    writers = [asyncio.create_task(answer_a_lot(index)) for index in range(3)]
    backups = []
    for number in range(3):
        await asyncio.sleep(0)
        path = tmp_path / f"backup-{number}.sqlite3"
        printed = await admin(settings, "backup", str(path))
        assert ui_text("cli.backup_done", path=path).split(str(path))[0] in printed
        backups.append(path)
    await asyncio.gather(*writers)
    exists = ui_text("cli.backup_exists", path=backups[0])
    assert exists in await admin(settings, "backup", str(backups[0]))

    for path in backups:
        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert raw.execute("SELECT COUNT(*) FROM persons").fetchone()[0] == 3
        # Restored with the same key, every stored answer decrypts.
        restored = SqliteStorage(
            path, Cipher(load_or_create_key(settings.database, settings.data_keys))
        )
        await restored.open()
        for account in await restored.all_persons():
            for run in await restored.active_runs(account.id):
                assert run.state["dialogue"] == "forces"
        await restored.close()


@pytest.mark.both_backends
async def test_stats_count_activity_per_month_without_names(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot)
    amina = await person_joins(fake_telegram, bot, "Amina", worker_user=severine)
    await finish_probleme(amina, "Les factures")
    printed = await admin(settings, "stats")
    month_line = printed.strip().splitlines()[-1]
    assert month_line.endswith(": 1, 1, 0, 0")
    assert "Amina" not in printed and "Séverine" not in printed


async def admin_answering(settings: Settings, answer: str, *words: str) -> tuple[int, str]:
    """`equipage admin …` parsed as the command line does, with `answer` typed at the prompt."""
    args = build_parser().parse_args(["admin", *words])
    services = build_services(settings)
    await services.storage.open()
    out = io.StringIO()
    try:
        code = await run_admin(args, services, out, io.StringIO(answer))
    finally:
        await services.storage.close()
    return code, out.getvalue()


async def test_admin_erases_on_request_and_a_restored_backup_does_not_bring_the_person_back(
    fake_telegram: FakeTelegram, bot: App, settings: Settings, tmp_path: Path
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot)
    amina = await person_joins(fake_telegram, bot, "Amina", worker_user=severine)
    await finish_probleme(amina, "Les factures")
    backup = tmp_path / "avant.sqlite3"
    await admin(settings, "backup", str(backup))
    [(person_id,)] = rows(settings, "SELECT id FROM persons")
    tr = translator(settings)

    code, printed = await admin_answering(settings, "non\n", "erase", "--personne", str(person_id))
    assert code == 1 and tr.message("cli.erase_cancelled") in printed
    assert rows(settings, "SELECT COUNT(*) FROM persons") == [(1,)]

    code, printed = await admin_answering(settings, "oui\n", "erase", "--personne", str(person_id))
    assert code == 0 and tr.message("cli.erase_done", id=person_id) in printed
    assert rows(settings, "SELECT COUNT(*) FROM persons") == [(0,)]
    assert rows(settings, "SELECT reason FROM erasures") == [("admin",)]
    erased = erased_file(settings.database).read_text("ascii").split()
    assert len(erased) == 1 and "Amina" not in erased[0] and str(amina.id) not in erased[0]

    # The next backup carries the newest erased list beside it.
    await admin(settings, "backup", str(tmp_path / "apres.sqlite3"))
    assert erased_file(tmp_path / "apres.sqlite3").read_text("ascii").split() == erased

    # A new server is rebuilt from the older backup, and the newest erased list.
    restored = replace(settings, database=tmp_path / "restauree" / "equipage.sqlite3")
    restored.database.parent.mkdir()
    shutil.copy(backup, restored.database)
    shutil.copy(erased_file(tmp_path / "apres.sqlite3"), erased_file(restored.database))
    assert rows(restored, "SELECT COUNT(*) FROM persons") == [(1,)]
    services = build_services(restored)
    await services.storage.open()
    await services.storage.close()
    assert rows(restored, "SELECT COUNT(*) FROM persons") == [(0,)]
    assert rows(restored, "SELECT COUNT(*) FROM dialogue_runs") == [(0,)]
    assert rows(restored, "SELECT reason FROM erasures") == [("restore",)]


async def test_erase_without_a_prompt_and_of_a_missing_person(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    amina = await person_joins(fake_telegram, bot, "Amina")
    assert amina is not None
    # The admin's storage runs in the bot's event loop here (not in a process of its own):
    # its BEGIN would block the loop while the bot's writer still finishes the joining.
    await inbox_of(bot).join()
    [(person_id,)] = rows(settings, "SELECT id FROM persons")
    tr = translator(settings)
    code, printed = await admin_answering(settings, "", "erase", "--personne", "999")
    assert code == 1 and tr.message("cli.unknown_person") in printed
    code, printed = await admin_answering(settings, "", "audit", "--personne", "999")
    assert code == 1 and tr.message("cli.unknown_person") in printed
    code, printed = await admin_answering(
        settings, "", "erase", "--personne", str(person_id), "--oui"
    )
    assert code == 0 and rows(settings, "SELECT COUNT(*) FROM persons") == [(0,)]


async def test_invitation_pictures_go_once_used_or_expired(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    printed = await admin(settings, "invite-worker", "--nom", "Séverine D.")
    used = Path(printed.split("QR code : ")[1].split("\n")[0])
    code = printed.split("?start=")[1].split()[0]
    printed = await admin(settings, "invite-worker", "--nom", "Karim B.")
    expired = Path(printed.split("QR code : ")[1].split("\n")[0])
    printed = await admin(settings, "invite-worker", "--nom", "Lou P.")
    waiting = Path(printed.split("QR code : ")[1].split("\n")[0])
    severine = fake_telegram.user(first_name="Séverine")
    await severine.send(f"/start {code}")
    await expect(severine, ui_start("join.worker_welcome"))
    eight_days_ago = time.time() - 8 * 24 * 3600
    os.utime(expired, (eight_days_ago, eight_days_ago))
    await admin(settings, "workers")
    assert not used.exists() and not expired.exists()
    assert waiting.exists()
