"""Data rights: a person receives everything, or erases everything."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from bot.config import Settings
from bot.i18n import ui_text
from tests.e2e.helpers import (
    App,
    eventually,
    expect,
    finish_probleme,
    person_joins,
    title,
    ui_start,
    worker_joins,
)
from tests.fakegram import FakeTelegram
from tests.stored import rows, stored_bytes

SECRET = "Mon propriétaire menace de couper l'eau"


async def test_a_person_receives_all_their_data_as_text_and_a_zip_with_json(
    fake_telegram: FakeTelegram, bot: App
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot)
    amina = await person_joins(fake_telegram, bot, "Amina", worker_user=severine)
    await finish_probleme(amina, SECRET)
    await amina.send("/mes_donnees")
    await expect(amina, ui_start("rights.export_intro"))
    readable = await amina.next_message()
    packed = await amina.next_message()
    assert readable.filename == "mes_donnees.txt" and packed.filename == "mes_donnees.zip"
    assert readable.document is not None and packed.document is not None
    text = readable.document.decode("utf-8")
    assert SECRET in text and ui_text("rights.export_worker", worker="Séverine D.") in text
    assert (
        ui_text("rights.export_version", title=title("probleme"), date="{}").split("{}")[0] in text
    )
    with zipfile.ZipFile(io.BytesIO(packed.document)) as archive:
        assert archive.read("mes_donnees.txt") == readable.document
        data = json.loads(archive.read("mes_donnees.json"))
    assert data["recordings"] == []
    assert data["person"]["pseudonym"] == "Amina"
    assert data["dialogues"][0]["answers"]["difficulte"] == SECRET


@pytest.mark.both_backends
async def test_erasing_leaves_no_row_and_tells_the_worker_only_that_the_person_left(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot)
    amina = await person_joins(fake_telegram, bot, "Amina", worker_user=severine)
    await finish_probleme(amina, SECRET)
    await amina.send("/effacer")
    await expect(amina, ui_start("rights.erase_question"))
    await amina.click(ui_text("rights.erase_no"))
    await expect(amina, ui_text("rights.kept"))
    await amina.send("/effacer")
    await expect(amina, ui_start("rights.erase_question"))
    await amina.click(ui_start("rights.erase_yes"))
    await expect(amina, ui_start("rights.erased"))
    left = ui_text("worker.person_left", pseudonym="Amina")
    goodbye = await eventually(fake_telegram, severine, left)
    assert goodbye.text == left

    for table in ("persons", "dialogue_runs", "summaries", "agreements", "pending_inputs", "audit"):
        assert rows(settings, f"SELECT COUNT(*) FROM {table}") == [(0,)], table
    assert rows(settings, "SELECT COUNT(*) FROM outbox WHERE about_person IS NOT NULL") == [(0,)]
    assert rows(settings, "SELECT COUNT(*) FROM invitations WHERE used_by IS NOT NULL") == [(1,)]
    account = f"telegram:{amina.id}".encode()
    raw = stored_bytes(settings)
    assert SECRET.encode() not in raw and account not in raw
    # The account is nobody now: Équipage explains how to come back.
    await amina.send("/menu")
    await expect(amina, ui_start("join.stranger"))
