"""Whole journeys on both backends: what a person and a worker live through, stored in
SQLite or in PostgreSQL, must be the same."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.config import Settings
from bot.i18n import ui_text
from tests.e2e.helpers import (
    PARIS,
    App,
    choose_a_first_step,
    eventually,
    expect,
    finish_forces,
    finish_probleme,
    person_joins,
    spoken_about,
    ui_start,
    worker_joins,
)
from tests.e2e.test_summaries import read_preview, summaries_received
from tests.fakegram import FakeTelegram
from tests.stored import rows, stored_bytes

WORDS = "Mon propriétaire veut reprendre l'appartement"


@pytest.mark.both_backends
async def test_three_dialogues_then_a_summary_the_worker_receives_once(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot)
    amina = await person_joins(fake_telegram, bot, "Amina", worker_user=severine)
    await severine.next_message()

    await finish_probleme(amina, WORDS)
    await choose_a_first_step(amina, "jeudi 10h")
    # The last words, when the reminder comes and the menu: one message.
    thursday = datetime(2026, 12, 3, 10, tzinfo=PARIS)
    told = await expect(amina, ui_text("reminder.step_when", date=spoken_about(thursday)))
    assert ui_start("bot.menu") in told.text
    await finish_forces(amina, 5)

    await amina.send("/preparer")
    await expect(amina, ui_start("summary.topics_question"))
    await amina.click(ui_text("summary.skip"))
    whole, control = await read_preview(amina)
    assert WORDS in whole and "Appeler la CAF" in whole
    assert control.buttons
    await amina.click(ui_text("summary.send"))
    await eventually(fake_telegram, amina, ui_start("summary.sent"))
    await eventually(fake_telegram, amina, ui_text("summary.delivered", worker="Séverine D."))
    assert len(summaries_received(severine)) == 1

    finished = rows(settings, "SELECT dialogue_id FROM dialogue_runs WHERE status = 'finished'")
    assert sorted(row[0] for row in finished) == ["forces", "idees", "probleme"]
    assert rows(settings, "SELECT status FROM summaries") == [("delivered",)]
    # Her words are stored, encrypted: not readable in the tables.
    assert WORDS.encode() not in stored_bytes(settings)
