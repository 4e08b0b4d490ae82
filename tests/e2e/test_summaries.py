"""The summary hand-off and the negotiation loop, end to end."""

from __future__ import annotations

import io
import sqlite3
from datetime import timedelta

import pytest
from PIL import Image

from bot.config import Settings
from bot.telegram import delivery
from tests.conftest import running_bot
from tests.e2e.helpers import (
    App,
    eventually,
    expect,
    finish_forces,
    finish_probleme,
    person_joins,
    services_of,
    worker_joins,
)
from tests.e2e.test_invitations import admin
from tests.fakegram import BotMessage, FakeTelegram, FakeUser

HOSTILE = "Je dors chez ma sœur <b>&amp;</b> {0} {} 😢 & <script>"
LONG = "Mes démarches. " * 266  # about 4,000 characters


def rows(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(settings.database) as db:
        return list(db.execute(sql))


def summaries_received(worker: FakeUser) -> list[BotMessage]:
    return [m for m in worker.messages if m.text.startswith("Résumé : ")]


async def read_preview(amina: FakeUser) -> tuple[str, BotMessage]:
    """The preview's text (however many messages) and the control message after it."""
    first = await expect(amina, "Voici votre résumé")
    texts = [first.text]
    while True:
        message = await amina.next_message()
        if message.buttons:
            return "\n".join(texts), message
        texts.append(message.text)


async def prepare(amina: FakeUser, topics: str | None) -> BotMessage:
    """/preparer, answer the topics question, read the preview; returns the control message."""
    await amina.send("/preparer")
    await expect(amina, "De quoi voulez-vous parler au rendez-vous ?")
    if topics is None:
        await amina.click("Passer")
    else:
        await amina.send(topics)
    return (await read_preview(amina))[1]


async def test_a_person_prepares_and_sends_a_summary_and_the_worker_acknowledges_it(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot)
    amina = await person_joins(fake_telegram, bot, "Amina", worker_user=severine)
    await severine.next_message()

    await amina.send("/preparer")
    await expect(amina, "Il n'y a encore rien à résumer")
    await finish_probleme(amina, HOSTILE + " " + LONG)
    await finish_forces(amina, 4)
    await finish_forces(amina, 6)

    await amina.send("/preparer")
    await expect(amina, "De quoi voulez-vous parler au rendez-vous ?")
    await amina.send("Le dossier CAF <i>urgent</i>")
    whole, control = await read_preview(amina)
    assert HOSTILE in whole and "Le dossier CAF <i>urgent</i>" in whole
    assert "Se loger : 4 → 6" in whole
    assert "Séverine D. recevra : Mon problème, Mes forces, Ce dont je" in control.text
    # Leave a part out, then put it back: the choices change in place.
    await amina.click("✅ Mon problème")
    await fake_telegram.wait_for(lambda: "recevra : Mes forces" in amina.messages[-1].text)
    await amina.click("⬜ Mon problème")
    await fake_telegram.wait_for(
        lambda: "recevra : Mon problème, Mes forces" in amina.messages[-1].text
    )
    send_data = next(data for label, data in amina.messages[-1].buttons[-1] if "Envoyer" in label)
    assert send_data is not None
    await amina.click("Envoyer")
    await eventually(fake_telegram, amina, "C'est envoyé")
    # A double tap arrives after the buttons closed: nothing is sent twice.
    await amina.click_data(send_data, message=control)
    # The delivery notice and the answer to the double tap may come in either order.
    await eventually(fake_telegram, amina, "déjà envoyé")
    await eventually(fake_telegram, amina, "Séverine D. a reçu votre résumé.")
    received = summaries_received(severine)
    assert len(received) == 1
    words = "\n".join(m.text for m in severine.messages[-4:])
    assert "Résumé : Amina" in words
    assert f"« {HOSTILE}" in words  # escaped in HTML, shown verbatim
    assert "« Le dossier CAF <i>urgent</i> »" in words
    assert all(len(m.text) <= 4096 for m in severine.messages)
    chart = severine.messages[-1]
    assert chart.photo is not None and chart.button_labels == ["✅ Bien reçu", "📚 Historique"]
    picture = Image.open(io.BytesIO(chart.photo))
    assert picture.format == "PNG" and 600 <= picture.width <= 1400 and picture.height > 400

    answer = await severine.click("Bien reçu")
    assert answer is not None and "Merci" in answer
    await eventually(fake_telegram, amina, "Séverine D. a bien lu votre résumé")
    again = await severine.click("Bien reçu")
    assert again == "C'est déjà noté."
    assert rows(settings, "SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE 'summary_ack%'") == [
        (1,)
    ]
    await severine.click("Historique")
    history = await eventually(fake_telegram, severine, "Résumés reçus (Amina)")
    assert history.text.count("• ") == 1 and ": lu" in history.text
    # Each access to Amina's shared data is in the audit trail, with who and when.
    person_id = rows(settings, "SELECT id FROM persons")[0][0]
    audit = await admin(settings, "audit", "--person", str(person_id))
    assert "Séverine D. (n° 1), a reçu un résumé" in audit
    assert "Séverine D. (n° 1), a consulté la liste des résumés" in audit


async def test_the_negotiation_loop_keeps_every_round(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot)
    amina = await person_joins(fake_telegram, bot, "Amina", worker_user=severine)
    await severine.next_message()

    await severine.send("/personnes")
    await expect(severine, "Les personnes que vous accompagnez")
    await severine.click("Amina")
    await expect(severine, "Suivi·e depuis le")
    await severine.click("Ce que nous avons convenu")
    await expect(severine, "D'abord, le problème")
    await severine.send("Trouver un logement stable")
    await expect(severine, "les prochaines étapes")
    await severine.send("Remplir la demande de logement social avant vendredi")
    await expect(severine, "C'est envoyé à Amina")

    proposal = await expect(amina, "Ce que vous avez convenu avec Séverine D.")
    assert "Trouver un logement stable" in proposal.text
    await expect(amina, "Êtes-vous d'accord ?")
    await amina.click("Je voudrais changer")
    await expect(amina, "Écrivez ce que vous voudriez changer")
    await amina.send("Remplir la demande avec ma sœur, la semaine prochaine")
    await expect(amina, "C'est envoyé à votre intervenant·e")

    amended = await expect(severine, "Amina voudrait changer")
    assert "« Remplir la demande avec ma sœur, la semaine prochaine »" in amended.text
    await severine.click("D'accord")
    await expect(severine, "C'est noté")
    await expect(amina, "Séverine D. est d'accord avec votre proposition")

    steps = await services_of(bot).agreements.first_steps(
        rows(settings, "SELECT id FROM persons")[0][0]  # type: ignore[arg-type]
    )
    assert (
        steps is not None and steps.steps == "Remplir la demande avec ma sœur, la semaine prochaine"
    )
    await amina.send("/convenu")
    history = await expect(amina, "version après version")
    assert "1. Le" in history.text and "2. Le" in history.text
    assert "(remplacé)" in history.text and "(accepté)" in history.text
    await severine.send("/personnes")
    await severine.next_message()
    await severine.click("Amina")
    await severine.next_message()
    await severine.click("Historique de l'accord")
    rounds = await expect(severine, "Historique de l'accord avec Amina")
    assert "proposé par vous" in rounds.text and "proposé par la personne" in rounds.text


async def test_delivery_survives_bot_api_failures_and_a_restart_with_exactly_one_delivery(
    fake_telegram: FakeTelegram, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Retries wait at most a second here (ten minutes in production): same path, less waiting.
    monkeypatch.setattr(delivery, "MAX_BACKOFF", timedelta(seconds=1))
    async with running_bot(settings) as first:
        severine, _ = await worker_joins(fake_telegram, first)
        amina = await person_joins(fake_telegram, first, "Amina", worker_user=severine)
        await severine.next_message()
        await finish_probleme(amina, "Les factures")
        control = await prepare(amina, None)
        # The worker's side fails: a 5xx, then the bot is stopped before any retry.
        # Every attempt of this first run fails, however many it makes before stopping.
        fake_telegram.fail_next("sendMessage", status=502, chat_id=severine.chat_id, count=1000)
        await amina.click("Envoyer", message=control)
        await expect(amina, "C'est envoyé")
        await fake_telegram.wait_for(
            lambda: (
                rows(settings, "SELECT attempts FROM outbox WHERE dedupe_key LIKE 'summary:%'")
                == [(1,)]
            )
        )
    assert summaries_received(severine) == []
    fake_telegram.clear_failures()

    # Back up: a 429, another 5xx and a timeout on the way, then it goes through, once.
    # Planned before the start, since the courier delivers as soon as the bot is up.
    worker_chat = severine.chat_id
    fake_telegram.fail_next("sendMessage", status=429, retry_after=1, chat_id=worker_chat)
    fake_telegram.fail_next("sendMessage", status=500, chat_id=worker_chat)
    # A slow answer (3 s): the courier waits for it (sends wait up to 60 s) rather than resend.
    fake_telegram.fail_next("sendMessage", timeout=3, chat_id=worker_chat)
    async with running_bot(settings):
        await expect(amina, "Séverine D. a reçu votre résumé.")
        assert len(summaries_received(severine)) == 1
        assert fake_telegram.pending_failures == 0

    async with running_bot(settings):
        await amina.send("/aide")
        await expect(amina, "Choisissez un sujet")
        assert len(summaries_received(severine)) == 1
    # Each side heard of the delivery once, whichever moment the bot was stopped at.
    assert sum("a reçu votre résumé" in m.text for m in amina.messages) == 1


async def test_a_worker_who_blocked_the_bot_leaves_the_summary_with_the_person(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot)
    amina = await person_joins(fake_telegram, bot, "Amina", worker_user=severine)
    await severine.next_message()
    await finish_probleme(amina, "Les factures")
    control = await prepare(amina, "Mes dettes")
    severine.block()
    await amina.click("Envoyer", message=control)
    # The reply and the courier's notice may arrive in either order.
    await eventually(fake_telegram, amina, "C'est envoyé")
    await eventually(fake_telegram, amina, "n'a pas pu être remis")
    # The words are still there: a new summary can be prepared and sent later.
    asked_before = sum("De quoi voulez-vous parler" in m.text for m in amina.messages)
    await amina.send("/preparer")
    await fake_telegram.wait_for(
        lambda: sum("De quoi voulez-vous parler" in m.text for m in amina.messages) > asked_before
    )


async def test_redoing_a_dialogue_while_a_summary_is_pending_updates_it(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot)
    amina = await person_joins(fake_telegram, bot, "Amina", worker_user=severine)
    await severine.next_message()
    await finish_forces(amina, 5)
    old_control = await prepare(amina, "Le travail")
    await finish_forces(amina, 8)
    # The old preview's Envoyer no longer matches what would be sent.
    await amina.click("Envoyer", message=old_control)
    await expect(amina, "Votre résumé a changé")
    _, fresh = await read_preview(amina)
    assert summaries_received(severine) == []
    await amina.click("Envoyer", message=fresh)
    await eventually(fake_telegram, amina, "C'est envoyé")
    await eventually(fake_telegram, amina, "Séverine D. a reçu votre résumé.")
    assert "5 → 8" in "\n".join(m.text for m in severine.messages)
