"""A recap never cuts the person's words: a long one is split over several messages."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from telegram.ext import Application

from bot.config import Settings
from bot.engine import load_dialogues
from bot.i18n import ui_text
from tests.e2e.helpers import expect, open_dialogue, option, person_joins, services_of
from tests.fakegram import FakeTelegram

PROBLEME = load_dialogues(Path(__file__).parents[2] / "dialogs")["probleme"]


def first_line(step_id: str) -> str:
    step = next(step for step in PROBLEME.steps if step.id == step_id)
    return step.text.splitlines()[0]


async def test_a_long_recap_comes_whole_over_several_messages(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
    settings: Settings,
) -> None:
    # Three answers of about 2,000 characters each: together, well over one message.
    difficulty = " ".join(f"Difficulté numéro {n} avec le loyer." for n in range(60))
    better = " ".join(f"Mieux numéro {n} dans un logement." for n in range(60))
    holding = " ".join(f"Ce qui aide numéro {n}, ma sœur." for n in range(60))
    amina = await person_joins(fake_telegram, bot, "Amina")
    await open_dialogue(amina, PROBLEME.title)
    await expect(amina, PROBLEME.intro.splitlines()[-1])
    await expect(amina, first_line("difficulte"))
    await amina.send(difficulty)
    await expect(amina, first_line("titre"))
    await amina.send("Logement")
    await expect(amina, first_line("concernes"))
    await amina.click(option("probleme", "concernes", "moi"))
    await amina.click(ui_text("engine.done"))
    await expect(amina, first_line("mieux"))
    await amina.send(better)
    await expect(amina, first_line("moments"))
    await amina.click(ui_text("engine.skip"))
    await expect(amina, first_line("situation"))
    await amina.click("3")
    await amina.next_message()  # "pas plus bas", with the score in it
    await amina.send(holding)
    await expect(amina, first_line("importance"))
    await amina.click("8")
    await expect(amina, first_line("domaine"))
    await amina.click(option("probleme", "domaine", "logement"))

    recap = [await expect(amina, first_line("recap"))]
    while not recap[-1].button_labels:
        recap.append(await amina.next_message())
    assert len(recap) >= 2
    whole = "\n".join(message.text for message in recap)
    assert "…" not in whole
    for words in (difficulty, better, holding):
        assert words in whole
    # The question and its buttons come last, once.
    assert recap[-1].text.endswith(ui_text("engine.recap_question"))
    assert ui_text("engine.recap_yes") in recap[-1].button_labels
    await amina.click(ui_text("engine.recap_yes"))
    await expect(amina, PROBLEME.outro.splitlines()[0])
    # The kept answers are whole too.
    (person_id,) = [
        row[0] for row in sqlite3.connect(settings.database).execute("SELECT id FROM persons")
    ]
    (run,) = await services_of(bot).storage.finished_runs(person_id, "probleme")
    answers = run.state["answers"]
    assert (answers["difficulte"], answers["mieux"], answers["pas_plus_bas"]) == (
        difficulty,
        better,
        holding,
    )
