"""Between appointments: time is driven by hand, never slept."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.config import Settings
from tests.clock import ManualClock
from tests.conftest import running_bot
from tests.e2e.helpers import (
    App,
    eventually,
    expect,
    open_dialogue,
    person_joins,
    services_of,
    worker_joins,
)
from tests.fakegram import FakeTelegram, FakeUser

PARIS = ZoneInfo("Europe/Paris")
# Tuesday 1 December 2026, 10:00 in Paris.
START = datetime(2026, 12, 1, 10, 0, tzinfo=PARIS).astimezone(UTC)
DISCREET = "Équipage : un message pour vous."


def rows(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(settings.database) as db:
        return list(db.execute(sql))


async def choose_a_first_step(amina: FakeUser) -> None:
    await open_dialogue(amina, "Mes idées")
    await amina.next_message()
    await expect(amina, "Qu'avez-vous déjà essayé")
    await amina.send("Rien encore")
    await expect(amina, "vos idées, même petites")
    await expect(amina, "Écrivez une idée")
    await amina.send("Appeler la CAF")
    await expect(amina, "pourrait bloquer")
    await amina.click("Passer")
    await expect(amina, "Qui ou quoi peut vous aider")
    await amina.click("Passer")
    await expect(amina, "une autre idée")
    await amina.click("Non")
    await expect(amina, "Laquelle pouvez-vous essayer")
    await amina.click("Appeler la CAF")
    await expect(amina, "sûr·e d'y arriver")
    await amina.click("8")
    await expect(amina, "Quand allez-vous essayer ?")
    await amina.send("jeudi 10h")
    await expect(amina, "Je vous le rappelle ?")
    await amina.click("Oui")
    await amina.next_message()
    await expect(amina, "Que voulez-vous faire ?")


async def walk(app: App, clock: ManualClock, hours: int) -> None:
    """Let time pass, the reminder scan running every hour as it would."""
    reminders = services_of(app).reminders
    for _ in range(hours):
        clock.advance(hours=1)
        await reminders.scan()


def discreet(user: FakeUser) -> list[str]:
    return [m.text for m in user.messages if m.text == DISCREET]


async def test_each_reminder_comes_once_at_an_allowed_time_across_a_restart(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    clock = ManualClock(START)
    async with running_bot(settings, clock) as app:
        severine, _ = await worker_joins(fake_telegram, app)
        amina = await person_joins(fake_telegram, app, "Amina", worker_user=severine)
        await choose_a_first_step(amina)

        await severine.send("/rdv")
        await expect(severine, "Une personne a rejoint")
        await expect(severine, "Avec qui ?")
        await severine.click("Amina")
        await expect(severine, "Quand est le prochain rendez-vous avec Amina ?")
        await severine.send("31/02 14h")
        await expect(severine, "Cette date n'existe pas")
        await severine.send("vendredi 11/12 14h30")
        await expect(severine, "Rendez-vous avec Amina : vendredi 11 décembre à 14h30.")
        await severine.click("Oui, c'est ça")
        await expect(severine, "Amina est prévenu·e")
        announce = await eventually(fake_telegram, amina, "Votre prochain rendez-vous")
        assert announce.text == "Votre prochain rendez-vous : vendredi 11 décembre à 14h30."
        await amina.click("C'est noté", message=announce)
        await eventually(fake_telegram, severine, "Amina : c'est noté pour le rendez-vous")

        await walk(app, clock, 4 * 24)  # to Saturday 5 December, 10:00
        await fake_telegram.wait_for(lambda: len(discreet(amina)) == 2)

    async with running_bot(settings, clock) as app:  # the bot restarts; nothing sent twice
        await walk(app, clock, 5 * 24)  # to Thursday 10 December, 10:00
        await fake_telegram.wait_for(lambda: len(discreet(amina)) == 4)
        await fake_telegram.wait_for(lambda: len(discreet(severine)) == 1)

        # The day before, the worker's list says who comes and whether a summary came.
        await severine.click("Voir")
        listing = await eventually(fake_telegram, severine, "Vos rendez-vous de demain")
        assert "14h30 : Amina, pas de résumé" in listing.text

        # The latest reminder for Amina: her appointment is in two days, prepare it.
        await amina.click("Voir")
        await eventually(fake_telegram, amina, "Voulez-vous préparer votre résumé ?")
        await walk(app, clock, 30)  # past the appointment

    sent = rows(
        settings,
        "SELECT kind, status, sent_at FROM reminders ORDER BY due_at",
    )
    kinds = [(kind, status) for kind, status, _ in sent]
    assert kinds == [
        ("step", "sent"),
        ("checkin_step", "sent"),
        ("checkin", "sent"),
        ("prepare", "sent"),
        ("digest", "sent"),
    ], kinds
    for kind, _, sent_at in sent:
        local = datetime.fromisoformat(str(sent_at)).astimezone(PARIS)
        if kind != "digest":
            assert 9 <= local.hour < 20 and local.weekday() != 6, (kind, local)
    moments = {kind: datetime.fromisoformat(str(at)).astimezone(PARIS) for kind, _, at in sent}
    assert moments["step"].strftime("%a %d %H") == "Thu 03 10"
    assert moments["checkin_step"].strftime("%a %d %H") == "Fri 04 10"
    # Midway fell on a Sunday, a quiet day: it waited for Monday morning.
    assert moments["checkin"].strftime("%a %d %H") == "Mon 07 09"
    assert moments["prepare"].strftime("%a %d %H") == "Wed 09 10"
    assert moments["digest"].strftime("%a %d %H") == "Thu 10 08"
    assert len(discreet(amina)) == 4 and len(discreet(severine)) == 1


async def test_a_check_in_answer_feeds_the_next_summary(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    clock = ManualClock(START)
    async with running_bot(settings, clock) as app:
        severine, _ = await worker_joins(fake_telegram, app)
        amina = await person_joins(fake_telegram, app, "Amina", worker_user=severine)
        await choose_a_first_step(amina)
        await walk(app, clock, 2 * 24 + 1)  # the step reminder, Thursday 10:00
        await fake_telegram.wait_for(lambda: len(discreet(amina)) == 1)
        await amina.click("Voir")
        step = await eventually(fake_telegram, amina, "C'est le moment de votre premier pas")
        assert "« Appeler la CAF »" in step.text
        await walk(app, clock, 24)  # the check-in, Friday 10:00
        await fake_telegram.wait_for(lambda: len(discreet(amina)) == 2)
        await amina.click("Voir")
        question = await eventually(fake_telegram, amina, "Où en êtes-vous avec")
        assert question.text == "Où en êtes-vous avec « Appeler la CAF » ?"
        await amina.click("C'est en cours", message=question)
        await eventually(fake_telegram, amina, "Qu'avez-vous appris ?")
        await amina.send("J'ai trouvé le bon numéro")
        await eventually(fake_telegram, amina, "Merci, c'est noté")
        await amina.send("/preparer")
        await eventually(fake_telegram, amina, "De quoi voulez-vous parler")
        await amina.click("Passer")
        await eventually(fake_telegram, amina, "recevra :")
        preview = "\n".join(m.text for m in amina.messages)
        assert "\nMes premiers pas\n" in preview
        assert "Appeler la CAF : « en cours : J'ai trouvé le bon numéro »" in preview


async def test_pause_quiet_hours_and_a_cancelled_appointment(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    clock = ManualClock(START)
    async with running_bot(settings, clock) as app:
        severine, _ = await worker_joins(fake_telegram, app)
        amina = await person_joins(fake_telegram, app, "Amina", worker_user=severine)
        await choose_a_first_step(amina)
        await amina.send("/reglages")
        settings_message = await eventually(fake_telegram, amina, "Vos réglages")
        assert "après 20h" in settings_message.text
        await amina.click("Le soir, après 18h")
        await fake_telegram.wait_for(lambda: "après 18h" in amina.messages[-1].text)
        await amina.send("/pause")
        await eventually(fake_telegram, amina, "Les rappels sont en pause")
        await walk(app, clock, 4 * 24)
        assert discreet(amina) == []
        await amina.send("/reprendre")
        await eventually(fake_telegram, amina, "Les rappels reprennent")

        await severine.send("/personnes")
        await eventually(fake_telegram, severine, "Touchez une personne")
        await severine.click("Amina")
        await eventually(fake_telegram, severine, "Suivi·e depuis le")
        await severine.click("Rendez-vous")
        await eventually(fake_telegram, severine, "Quand est le prochain rendez-vous")
        await severine.send("demain 9h")
        await eventually(fake_telegram, severine, "C'est bien ça ?")
        await severine.click("Oui, c'est ça")
        await eventually(
            fake_telegram, amina, "Votre prochain rendez-vous : dimanche 6 décembre à 9h00."
        )
        await severine.send("/personnes")
        await fake_telegram.wait_for(
            lambda: sum("Touchez une personne" in m.text for m in severine.messages) == 2
        )
        listing = [m for m in severine.messages if "Touchez une personne" in m.text][-1]
        await severine.click("Amina", message=listing)
        card = await eventually(fake_telegram, severine, "Prochain rendez-vous")
        await severine.click("Annuler le rendez-vous", message=card)
        await eventually(
            fake_telegram, amina, "Votre rendez-vous du dimanche 6 décembre à 9h00 est annulé"
        )
    pending = rows(
        settings, "SELECT COUNT(*) FROM reminders WHERE status = 'pending' AND ref IS NOT NULL"
    )
    assert pending == [(0,)]
