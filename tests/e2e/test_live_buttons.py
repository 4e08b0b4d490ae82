"""Only one copy of a question keeps live buttons: typed answers and re-asks close the others."""

from __future__ import annotations

from pathlib import Path

from telegram.ext import Application

from bot.engine import load_dialogues
from bot.i18n import ui_text
from tests.e2e.helpers import expect, open_dialogue, option, person_joins
from tests.fakegram import BotMessage, FakeTelegram, FakeUser

PROBLEME = load_dialogues(Path(__file__).parents[2] / "dialogs")["probleme"]


def first_line(step_id: str) -> str:
    """The first line of a question of Mon problème, as its dialogue file says it."""
    step = next(step for step in PROBLEME.steps if step.id == step_id)
    return step.text.splitlines()[0]


async def reach_moments(user: FakeUser) -> BotMessage:
    """Mon problème up to its optional question (the one with [Passer])."""
    await open_dialogue(user, PROBLEME.title)
    await expect(user, PROBLEME.intro.splitlines()[-1])
    await expect(user, first_line("difficulte"))
    await user.send("Le logement")
    await expect(user, first_line("titre"))
    await user.send("Logement")
    await expect(user, first_line("concernes"))
    await user.click(option("probleme", "concernes", "moi"))
    await user.click(ui_text("engine.done"))
    await expect(user, first_line("mieux"))
    await user.send("Un endroit à moi")
    moments = await expect(user, first_line("moments"))
    assert ui_text("engine.skip") in moments.button_labels
    return moments


def live(user: FakeUser, fragment: str) -> list[BotMessage]:
    """Copies of a question that still carry buttons."""
    return [m for m in user.messages if fragment in m.text and m.button_labels]


async def test_a_typed_answer_closes_the_question_buttons(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    amina = await person_joins(fake_telegram, bot, "Amina")
    moments = await reach_moments(amina)
    await amina.send("Le dimanche chez ma sœur")
    await expect(amina, first_line("situation"))
    assert moments.button_labels == []
    # Of the dialogue's questions, the one now shown is the only one with live buttons.
    questions = [
        m
        for m in amina.messages
        if any(first_line(s.id) in m.text for s in PROBLEME.steps if s.text)
    ]
    assert [m for m in questions if m.button_labels] == [amina.messages[-1]]


async def test_a_voice_answer_closes_the_question_buttons(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    amina = await person_joins(fake_telegram, bot, "Amina")
    moments = await reach_moments(amina)
    await amina.send_voice(duration=9)
    await expect(amina, first_line("situation"))
    assert moments.button_labels == []


async def test_a_question_asked_again_after_a_command_is_live_only_once(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    amina = await person_joins(fake_telegram, bot, "Amina")
    moments = await reach_moments(amina)
    await amina.send("/aide")
    await expect(amina, ui_text("bot.help").splitlines()[0])
    again = await expect(amina, first_line("moments"))
    assert ui_text("engine.skip") in again.button_labels
    assert moments.button_labels == []
    await amina.send("/nimportequoi")
    await expect(amina, ui_text("bot.unknown_command").splitlines()[0])
    third = await expect(amina, first_line("moments"))
    assert live(amina, first_line("moments")) == [third]
    # The live copy still works.
    await amina.click(ui_text("engine.skip"), message=third)
    await expect(amina, first_line("situation"))
    assert live(amina, first_line("moments")) == []
