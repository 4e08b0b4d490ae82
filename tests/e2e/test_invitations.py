"""Workers, invitations, consent and roles, end to end over the fake Bot API server."""

from __future__ import annotations

import argparse
import asyncio
import io
from datetime import timedelta

import pytest

from bot.admin import run_admin
from bot.config import Settings
from bot.i18n import ui_text
from bot.services import build_services
from bot.usecases.invitations import hash_code
from tests.e2e.helpers import (
    App,
    asked,
    expect,
    invite,
    open_dialogue,
    person_joins,
    services_of,
    title,
    ui_line,
    ui_piece,
    ui_start,
    worker_joins,
)
from tests.fakegram import FakeTelegram, FakeUser
from tests.stored import rows as stored_rows


async def admin(settings: Settings, *words: str) -> str:
    """Run `equipage admin …` against the same database, as IT would while the bot runs."""
    parser = argparse.ArgumentParser()
    from bot.admin_commands import add_admin_commands

    add_admin_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["admin", *words])
    services = build_services(settings)
    await services.storage.open()
    out = io.StringIO()
    try:
        await run_admin(args, services, out)
    finally:
        await services.storage.close()
    return out.getvalue()


def rows(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    """The query's rows on the test's database (SQLite or PostgreSQL)."""
    return stored_rows(settings, sql)


async def consent_screen(user: FakeUser, code: str) -> None:
    await user.send(f"/start {code}")
    await expect(user, ui_start("consent.intro"))
    await expect(user, ui_start("consent.summary"))
    await expect(user, ui_text("consent.question"))


@pytest.mark.both_backends
async def test_admin_registers_a_worker_who_invites_a_person_who_consents_and_answers(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    printed = await admin(
        settings, "invite-worker", "--name", "Séverine D.", "--structure", "CCAS de Lyon"
    )
    assert "https://t.me/equipage_test_bot?start=" in printed
    picture_path = printed.split("QR code : ")[1].split("\n")[0]
    with open(picture_path, "rb") as picture:
        assert picture.read(8) == b"\x89PNG\r\n\x1a\n"
    code = printed.split("?start=")[1].split()[0]

    severine = fake_telegram.user(first_name="Séverine")
    await severine.send(f"/start {code}")
    welcome = ui_text("join.worker_welcome", name="Séverine D.")
    await expect(severine, welcome.split("\n")[1])
    await expect(severine, "/inviter")
    worker_menu = fake_telegram.commands(scope={"type": "chat", "chat_id": severine.id})
    assert [name for name, _ in worker_menu] == [
        "inviter",
        "personnes",
        "rdv",
        "convenu",
        "aide",
        "urgence",
    ]

    await severine.send("/personnes")
    await expect(severine, ui_start("worker.persons_none"))
    person_code = await invite(severine, "Amina")
    assert len(person_code) >= 22  # at least 128 bits, URL-safe

    amina = fake_telegram.user(first_name="Amina")
    await amina.send(f"/start {person_code}")
    # The service is named on its own line: no "de"/"d'" to get wrong before any name.
    intro = ui_text("consent.intro_with_structure", worker="Séverine D.", structure="CCAS de Lyon")
    assert (await amina.next_message()).text == intro
    summary = await expect(amina, ui_start("consent.summary"))
    assert summary.text == ui_text("consent.summary") and "/urgence" in summary.text
    await expect(amina, ui_text("consent.question"))
    await amina.click(ui_text("consent.more"))
    await expect(amina, ui_text("consent.details_who", service="CCAS de Lyon").splitlines()[1])
    await expect(amina, ui_start("consent.details_what"))
    await expect(amina, ui_start("consent.details_shared"))
    rights = await expect(amina, ui_start("consent.details_rights"))
    assert "/mes_donnees" in rights.text and "/effacer" in rights.text
    await expect(amina, ui_text("consent.question"))
    await amina.click(ui_start("consent.accept"))
    await expect(amina, ui_text("consent.welcome"))
    await expect(amina, ui_start("bot.greeting"))
    await expect(amina, ui_start("bot.menu"))
    joined = ui_text("worker.person_joined", pseudonym="Amina")
    notice = await expect(severine, joined)
    assert notice.text == joined

    await open_dialogue(amina, title("probleme"))
    await amina.next_message()
    await expect(amina, asked("probleme", "difficulte"))
    await amina.send("Mon dossier CAF est bloqué")
    await expect(amina, asked("probleme", "titre"))

    await severine.send("/personnes")
    listing = await expect(severine, ui_text("worker.persons_header"))
    since = ui_text("worker.persons_line", pseudonym="Amina", date="{date}").split("{date}")[0]
    assert since in listing.text
    consent = rows(settings, "SELECT consent_version, consented_at FROM persons")
    assert len(consent) == 1 and consent[0][0] and consent[0][1]
    assert "Amina" in await admin(settings, "persons")
    # The count of persons, as the catalogue's line introduces it.
    before_count = ui_text("cli.worker_line_active").split("{structure})")[1].split("{persons}")[0]
    assert f"{before_count}1," in await admin(settings, "workers")


async def test_refusing_stores_nothing_about_the_person(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot)
    code = await invite(severine, "Paul")
    paul = fake_telegram.user(first_name="Paul")
    await consent_screen(paul, code)
    await paul.click(ui_text("consent.refuse"))
    await expect(paul, ui_text("consent.refused"))
    assert rows(settings, "SELECT COUNT(*) FROM persons") == [(0,)]
    assert rows(settings, "SELECT used_at FROM invitations WHERE kind = 'person'") == [(None,)]
    with open(settings.database, "rb") as database:
        assert str(paul.id).encode() not in database.read()
    # Paul changes his mind: the same link still works.
    await consent_screen(paul, code)
    await paul.click(ui_start("consent.accept"))
    await expect(paul, ui_text("consent.welcome"))


async def test_an_old_consent_screen_tapped_after_joining_says_she_is_already_in(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot)
    code = await invite(severine, "Lina")
    lina = fake_telegram.user(first_name="Lina")
    old_screens = []
    for _ in range(2):
        await consent_screen(lina, code)
        old_screens.append(lina.messages[-1])
    await consent_screen(lina, code)
    await lina.click(ui_text("consent.accept"))
    await expect(lina, ui_text("consent.welcome"))
    await expect(lina, ui_text("bot.greeting"))
    await expect(lina, ui_text("bot.menu"))
    for label, old_screen in zip(
        (ui_text("consent.refuse"), ui_text("consent.more")), old_screens, strict=True
    ):
        await lina.click(label, message=old_screen)
        await expect(lina, ui_text("join.already_person"))
        await expect(lina, ui_text("bot.menu"))
    assert not any(ui_text("consent.refused") in message.text for message in lina.messages)
    assert rows(settings, "SELECT COUNT(*) FROM persons") == [(1,)]


@pytest.mark.both_backends
async def test_an_invitation_opened_by_two_accounts_at_once_has_exactly_one_winner(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot)
    code = await invite(severine, "Duo")
    first, second = fake_telegram.user(first_name="Un"), fake_telegram.user(first_name="Deux")
    await consent_screen(first, code)
    await consent_screen(second, code)
    await asyncio.gather(
        first.click(ui_start("consent.accept")), second.click(ui_start("consent.accept"))
    )
    replies = [(await first.next_message()).text, (await second.next_message()).text]
    assert sum(ui_text("consent.welcome") in reply for reply in replies) == 1
    assert sum(ui_start("join.invalid") in reply for reply in replies) == 1
    assert rows(settings, "SELECT COUNT(*) FROM persons") == [(1,)]
    # Opened again later, by anyone: the same kind answer, nothing revealed.
    third = fake_telegram.user(first_name="Trois")
    await third.send(f"/start {code}")
    await expect(third, ui_start("join.invalid"))


async def test_role_crossing_attempts_are_refused(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot, "Séverine")
    karim, karim_worker = await worker_joins(fake_telegram, bot, "Karim")
    amina = await person_joins(fake_telegram, bot, "Amina", worker_user=severine)
    await severine.next_message()  # "Une personne a rejoint…"

    # A person tries worker and admin commands: they do not exist for her.
    for command in ("/inviter Moi", "/personnes", "/inviter_intervenant Moi"):
        await amina.send(command)
        await expect(amina, ui_start("bot.unknown_command"))
    # A person opens a worker invitation: refused, and the worker is not bound to her.
    _, issued = await services_of(bot).invitations.invite_worker("Nouveau", None)
    await amina.send(f"/start {issued.code}")
    await expect(amina, ui_start("join.worker_link_for_person"))
    assert rows(
        settings, f"SELECT account FROM workers WHERE id = {issued.invitation.worker_id}"
    ) == [(None,)]
    # A worker opens a person invitation: refused, no person created.
    code = await invite(karim, "Léo")
    await severine.send(f"/start {code}")
    await expect(severine, ui_start("join.person_link_for_worker"))
    # A worker uses person commands and forged person buttons: nothing happens.
    await severine.send("/menu")
    await expect(severine, ui_start("bot.unknown_command"))
    await severine.send("/start")
    last = await expect(severine, ui_start("worker.help"))
    for forged in ("v1|a|1|1|3", "v1|m|open|probleme", "v1|l|en"):
        answer = await severine.click_data(forged, message=last)
        assert answer is not None and ui_text("bot.stale_button") in answer
    # A stranger forges a consent button for an invitation they never opened.
    intruder = fake_telegram.user(first_name="Intrus")
    await intruder.send("bonjour")
    await expect(intruder, ui_start("join.stranger"))
    forged_consent = f"v1|c|accept|{issued.invitation.id}|0123456789abcdef"
    await intruder.click_data(forged_consent, message=intruder.messages[-1])
    await expect(intruder, ui_start("join.invalid"))
    # …or replays a token made for another account.
    token = services_of(bot).consent.token(issued.invitation.id, f"telegram:{amina.id}")
    await intruder.click_data(f"v1|c|accept|{issued.invitation.id}|{token}")
    await expect(intruder, ui_start("join.invalid"))
    # Each worker sees only their own persons.
    await karim.send("/personnes")
    await expect(karim, ui_start("worker.persons_none"))
    assert await services_of(bot).workers.persons(karim_worker) == []
    assert rows(settings, "SELECT COUNT(*) FROM persons") == [(1,)]


async def test_bad_codes_get_one_kind_answer_and_repeated_ones_are_slowed_down(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    severine, severine_worker = await worker_joins(fake_telegram, bot)
    storage = services_of(bot).storage
    now = services_of(bot).clock.now()
    await storage.create_invitation(
        kind="person",
        worker_id=severine_worker.id,
        code_hash=hash_code("expired-code-0123456789"),
        pseudonym=None,
        now=now - timedelta(days=8),
        expires_at=now - timedelta(days=1),
    )
    valid = await invite(severine, "Valide")
    guesser = fake_telegram.user(first_name="Devine")
    for payload in ("x" * 80, "../../etc/passwd", "<b>&amp;", "expired-code-0123456789"):
        await guesser.send(f"/start {payload}")
        await expect(guesser, ui_start("join.invalid"))
    await guesser.send("/start AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    await expect(guesser, ui_start("join.invalid"))
    # Five misses in a few minutes: even a valid code waits now.
    await guesser.send(f"/start {valid}")
    await expect(guesser, ui_start("join.slow_down"))
    assert rows(settings, "SELECT COUNT(*) FROM persons") == [(0,)]
    # Someone else is not slowed down by the guesser.
    other = fake_telegram.user(first_name="Autre")
    await consent_screen(other, valid)


@pytest.mark.both_backends
async def test_a_deactivated_worker_loses_access_and_their_links_stop_working(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    severine, severine_worker = await worker_joins(fake_telegram, bot)
    code = await invite(severine, "Plus tard")
    printed = await admin(settings, "deactivate-worker", str(severine_worker.id))
    assert ui_text("cli.worker_deactivated", name="Séverine D.") in printed
    await severine.send("/inviter Encore")
    await expect(severine, ui_start("worker.not_allowed"))
    late = fake_telegram.user(first_name="Tardif")
    await late.send(f"/start {code}")
    await expect(late, ui_start("join.invalid"))
    assert ui_piece("cli.worker_line_inactive") in await admin(settings, "workers")


async def test_a_worker_who_blocked_the_bot_does_not_stop_a_person_from_joining(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    severine, severine_worker = await worker_joins(fake_telegram, bot)
    code = await invite(severine, "Nadia")
    severine.block()
    nadia = fake_telegram.user(first_name="Nadia")
    await consent_screen(nadia, code)
    await nadia.click(ui_start("consent.accept"))
    await expect(nadia, ui_text("consent.welcome"))
    storage = services_of(bot).storage
    # The courier marks the message, then the worker, in two steps: wait for both.
    await fake_telegram.wait_for(
        lambda: (
            rows(settings, "SELECT failure FROM outbox") == [("forbidden",)]
            and rows(settings, f"SELECT reachable FROM workers WHERE id = {severine_worker.id}")
            == [(0,)]
        )
    )
    refreshed = await storage.get_worker(severine_worker.id)
    assert refreshed is not None and not refreshed.reachable
    assert rows(settings, "SELECT COUNT(*) FROM persons") == [(1,)]


async def test_a_transfer_tells_the_person_who_their_worker_is_now(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot, "Séverine")
    _, karim_worker = await worker_joins(fake_telegram, bot, "Karim")
    amina = await person_joins(fake_telegram, bot, "Amina", worker_user=severine)
    person_id = rows(settings, "SELECT id FROM persons")[0][0]
    printed = await admin(
        settings, "transfer", "--person", str(person_id), "--to-worker", str(karim_worker.id)
    )
    assert "Karim D." in printed
    # The CLI queued the notice in the database; the running bot's courier delivers it.
    services_of(bot).outbox_signal.wake()
    await expect(amina, ui_line("bot.worker_changed", name="Karim D."))


async def test_a_worker_button_about_someone_elses_person_is_refused_once_and_kindly(
    fake_telegram: FakeTelegram, bot: App
) -> None:
    severine, _ = await worker_joins(fake_telegram, bot, "Séverine")
    karim, _ = await worker_joins(fake_telegram, bot, "Karim")
    await person_joins(fake_telegram, bot, "Amina", worker_user=severine)
    person_id = (await services_of(bot).storage.all_persons())[0].id
    last = karim.messages[-1]
    for action in ("card", "chart", "hist", "rounds", "agree", "rdv", "rdvcancel", "ack", "accept"):
        answer = await karim.click_data(f"v1|w|{action}|{person_id}", message=last)
        assert answer == ui_text("worker.not_yours"), action
    assert not [m for m in karim.messages if "Amina" in m.text]
