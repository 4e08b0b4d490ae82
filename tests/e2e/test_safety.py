"""Distress in an answer brings up help once, and the worker is told only if asked."""

from __future__ import annotations

from tests.e2e.helpers import App, eventually, expect, open_dialogue, person_joins, worker_joins
from tests.fakegram import FakeTelegram


async def test_distress_words_bring_numbers_a_step_and_an_offer_once_per_dialogue(
    fake_telegram: FakeTelegram, bot: App
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot)
    amina = await person_joins(fake_telegram, bot, "Amina", worker_user=severine)
    await open_dialogue(amina, "Mon problème")
    await amina.next_message()
    await expect(amina, "Qu'est-ce qui est difficile")
    await amina.send("Je n'ai nulle part où dormir ce soir")
    await expect(amina, "Vous n'êtes pas seul·e")
    numbers = await expect(amina, "Des personnes peuvent vous aider")
    assert "115 : hébergement d'urgence" in numbers.text
    await expect(amina, "Si vous êtes en danger maintenant")
    offer = await expect(amina, "Voulez-vous que votre intervenant·e vous appelle ?")
    # Her answer was kept: the dialogue goes on.
    await expect(amina, "Donnez un titre court")
    await amina.send("Dormir dehors")  # the same dialogue: no second alarm
    await expect(amina, "C'est un problème pour qui ?")
    await amina.click("Oui, qu'on m'appelle", message=offer)
    await expect(amina, "vous appellera dès que possible")
    request = await eventually(fake_telegram, severine, "aimerait que vous l'appeliez")
    assert request.text == "Amina aimerait que vous l'appeliez dès que possible."
    assert "dormir" not in "".join(m.text for m in severine.messages)


async def test_urgence_works_in_the_middle_of_a_dialogue(
    fake_telegram: FakeTelegram, bot: App
) -> None:
    amina = await person_joins(fake_telegram, bot, "Amina")
    await open_dialogue(amina, "Mes idées")
    await amina.next_message()
    await expect(amina, "Qu'avez-vous déjà essayé")
    await amina.send("/urgence")
    await expect(amina, "3114")
    await expect(amina, "Qu'avez-vous déjà essayé")  # the question again, below
    await amina.send("J'ai appelé la CAF")
    await expect(amina, "vos idées, même petites")
