"""Logs carry event names and ids: never the person's words, names or Telegram handles."""

from __future__ import annotations

import logging

import pytest

from bot.i18n import ui_text
from bot.logs import EventFormatter
from tests.e2e.helpers import (
    App,
    eventually,
    expect,
    finish_probleme,
    person_joins,
    ui_piece,
    ui_start,
    worker_joins,
)
from tests.fakegram import FakeTelegram

SECRET = "Mon voisin Gaspard me vole mon courrier"


async def test_a_whole_journey_logs_no_words_no_names(
    fake_telegram: FakeTelegram, bot: App, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    severine, _ = await worker_joins(fake_telegram, bot, "Séraphine")
    zephyrine = await person_joins(fake_telegram, bot, "Zéphyrine", worker_user=severine)
    await finish_probleme(zephyrine, SECRET)
    await zephyrine.send("/preparer")
    await expect(zephyrine, ui_start("summary.topics_question"))
    await zephyrine.send("Je veux en finir, j'en peux plus")  # also brings up the safety step
    keep = await eventually(fake_telegram, zephyrine, ui_text("safety.keep_question"))
    await zephyrine.click(ui_text("safety.keep_yes"), message=keep)
    await eventually(fake_telegram, zephyrine, ui_piece("summary.control"))
    await zephyrine.click(ui_text("summary.send"))
    await eventually(fake_telegram, zephyrine, ui_piece("summary.delivered"))
    await zephyrine.send("/effacer")
    await eventually(fake_telegram, zephyrine, ui_start("rights.erase_question"))
    await zephyrine.click(ui_start("rights.erase_yes"))
    await eventually(fake_telegram, zephyrine, ui_start("rights.erased"))

    formatter = EventFormatter(as_json=True)
    lines = [formatter.format(record) for record in caplog.records]
    assert any("summary_sent" in line for line in lines)
    assert any("safety_help_shown" in line for line in lines)
    everything = "\n".join(lines)
    for private in (SECRET, "Gaspard", "Zéphyrine", "Séraphine", "en finir", fake_telegram.token):
        assert private not in everything, private
