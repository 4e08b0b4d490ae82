"""Mes idées and Mes forces end with a recap the person can correct, like Mon problème."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from telegram.ext import Application

from bot.config import Settings
from bot.engine import Dialogue, load_dialogues
from bot.i18n import ui_text
from tests.e2e.helpers import expect, open_dialogue, person_joins, services_of
from tests.fakegram import BotMessage, FakeTelegram, FakeUser

DIALOGUES = load_dialogues(Path(__file__).parents[2] / "dialogs")
IDEES, FORCES = DIALOGUES["idees"], DIALOGUES["forces"]


def first_line(dialogue: Dialogue, step_id: str) -> str:
    return dialogue.step(step_id).text.splitlines()[0]


async def whole_recap(user: FakeUser, dialogue: Dialogue) -> list[BotMessage]:
    """The recap's messages, down to the one with its buttons."""
    recap = [await expect(user, first_line(dialogue, "recap"))]
    while not recap[-1].button_labels:
        recap.append(await user.next_message())
    assert recap[-1].text.endswith(ui_text("engine.recap_question"))
    return recap


def person_id(settings: Settings) -> int:
    (found,) = [
        row[0] for row in sqlite3.connect(settings.database).execute("SELECT id FROM persons")
    ]
    return int(found)


async def test_mes_idees_recap_corrects_the_first_step(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
    settings: Settings,
) -> None:
    karim = await person_joins(fake_telegram, bot, "Karim")
    await open_dialogue(karim, IDEES.title)
    await expect(karim, IDEES.intro.splitlines()[-1])
    await expect(karim, first_line(IDEES, "deja_essaye"))
    await karim.send("J'ai appelé la CAF")
    await expect(karim, first_line(IDEES, "annonce_idees"))
    for idea, more in (
        ("Voir le bailleur", ui_text("engine.yes")),
        ("Écrire au CCAS", ui_text("engine.no")),
    ):
        await expect(karim, first_line(IDEES, "idee"))
        await karim.send(idea)
        await expect(karim, first_line(IDEES, "bloquer"))
        await karim.click(ui_text("engine.skip"))
        await expect(karim, first_line(IDEES, "aide"))
        await karim.click(ui_text("engine.skip"))
        await expect(karim, IDEES.step("idees").again)
        await karim.click(more)
    await expect(karim, first_line(IDEES, "premier_pas"))
    await karim.click("Voir le bailleur")
    await expect(karim, first_line(IDEES, "confiance"))
    await karim.click("8")
    await expect(karim, first_line(IDEES, "quand"))
    await karim.send("Mardi matin")
    recap = await whole_recap(karim, IDEES)
    first_step_label = IDEES.step("premier_pas").label
    text = "\n".join(m.text for m in recap)
    # Every idea is read back, then the first step chosen among them.
    for number, idea in enumerate(("Voir le bailleur", "Écrire au CCAS"), start=1):
        label = ui_text("engine.item_first", group=IDEES.step("idees").label, number=number)
        assert ui_text("engine.recap_line", label=label, answer=idea) in text
    assert ui_text("engine.recap_line", label=first_step_label, answer="Voir le bailleur") in text

    # She changed her mind: the first step is corrected from the recap.
    await karim.click(ui_text("engine.fix"), message=recap[-1])
    which = await expect(karim, ui_text("engine.recap_which"))
    # The ideas are read back, not corrected from here: they feed the first step's choices.
    assert IDEES.step("idees").label not in which.button_labels
    assert IDEES.step("premier_pas").label in which.button_labels
    await karim.click(IDEES.step("premier_pas").label)
    await expect(karim, first_line(IDEES, "premier_pas"))
    await karim.click("Écrire au CCAS")
    recap = await whole_recap(karim, IDEES)
    text = "\n".join(m.text for m in recap)
    assert ui_text("engine.recap_line", label=first_step_label, answer="Écrire au CCAS") in text
    assert ui_text("engine.recap_line", label=first_step_label, answer="Voir le bailleur") not in (
        text
    )
    await karim.click(ui_text("engine.recap_yes"), message=recap[-1])
    await expect(karim, first_line(IDEES, "rappel"))
    await karim.click(ui_text("engine.no"))
    await expect(karim, IDEES.outro.splitlines()[0])

    (run,) = await services_of(bot).storage.finished_runs(person_id(settings), "idees")
    assert run.state["version"] == IDEES.version
    first_step = run.state["answers"]["premier_pas"]
    assert "ccas" in str(first_step).lower() and "bailleur" not in str(first_step).lower()


async def test_mes_forces_ends_with_a_recap_of_every_answer(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    amina = await person_joins(fake_telegram, bot, "Amina")
    await open_dialogue(amina, FORCES.title)
    await expect(amina, FORCES.intro.splitlines()[-1])
    scales = [step for step in FORCES.steps if step.kind == "scale"]
    for step in scales:
        await expect(amina, first_line(FORCES, step.id))
        await amina.click("6")
        await expect(amina, first_line(FORCES, f"{step.id}_bien"))
        await amina.send(f"Bien pour {step.id}")
    await expect(amina, first_line(FORCES, "encore"))
    for step_id in ("savoir_faire", "surmonte", "soutiens"):
        await expect(amina, first_line(FORCES, step_id))
        await amina.send(f"Réponse {step_id}")
    text = "\n".join(m.text for m in await whole_recap(amina, FORCES))
    for step_id in FORCES.step("recap").recap_of:
        assert FORCES.step(step_id).label in text
    assert "Réponse soutiens" in text
    await amina.click(ui_text("engine.recap_yes"))
    await expect(amina, FORCES.outro.splitlines()[0])
