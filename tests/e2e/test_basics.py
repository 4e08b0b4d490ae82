"""A person meets the bot: greeting, menu, help, emergency numbers, and bad input."""

from __future__ import annotations

import sqlite3

from telegram.ext import Application

from bot.config import Settings
from bot.i18n import ui_text
from bot.telegram.app import PERSON_COMMANDS
from bot.telegram.joining import WORKER_COMMANDS
from tests.e2e.helpers import person_joins, title, ui_start, worker_joins
from tests.fakegram import FakeTelegram

MENU_TITLES = (title("probleme"), title("idees"), title("forces"))


async def test_start_without_an_invitation_explains_how_to_get_one(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    visitor = fake_telegram.user(first_name="Visiteur")
    await visitor.send("/start")
    assert ui_start("join.stranger") in (await visitor.next_message()).text
    await visitor.send("bonjour")
    assert ui_start("join.stranger") in (await visitor.next_message()).text
    await visitor.send("/menu")
    assert ui_start("join.stranger") in (await visitor.next_message()).text
    await visitor.send("/urgence")
    assert "3114" in (await visitor.next_message()).text


async def test_start_greets_a_person_and_shows_the_three_dialogues(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    amina = await person_joins(fake_telegram, bot, "Amina")
    await amina.send("/start")
    greeting = await amina.next_message()
    assert ui_start("bot.greeting") in greeting.text
    menu = await amina.next_message()
    labels = [label for row in menu.buttons for label, _ in row]
    assert labels == [*MENU_TITLES, ui_text("summary.menu_button")]


async def test_commands_are_registered_in_french_and_english(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    # Registered while polling starts (not awaited before it).
    await fake_telegram.wait_for(lambda: len(fake_telegram.requests_for("setMyCommands")) == 2)
    requests = [params for method, params in fake_telegram.requests if method == "setMyCommands"]
    assert len(requests) == 2
    french = next(p for p in requests if not p.get("language_code"))
    assert "urgence" in str(french["commands"]) and ui_text("bot.command_emergency") in str(
        french["commands"]
    )


async def test_help_lists_every_command_of_a_person(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    leo = await person_joins(fake_telegram, bot, "Léo")
    await leo.send("/aide")
    help_text = (await leo.next_message()).text
    missing = [n for n, _ in PERSON_COMMANDS if n != "aide" and f"/{n}" not in help_text]
    assert not missing


async def test_help_lists_every_command_of_a_worker(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    sophie, _ = await worker_joins(fake_telegram, bot, "Sophie")
    await sophie.send("/aide")
    help_text = (await sophie.next_message()).text
    commands = [name for name, _ in WORKER_COMMANDS if name != "aide"] + ["retour"]
    missing = [name for name in commands if f"/{name}" not in help_text]
    assert not missing


async def test_emergency_numbers_are_always_there(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    sam = await person_joins(fake_telegram, bot, "Sam")
    await sam.send("/urgence")
    text = (await sam.next_message()).text
    for number in ("3114", "15", "112", "17", "114", "115", "119", "3919"):
        assert f"\n{number} :" in text


async def test_unknown_command_sticker_and_photo_get_a_kind_answer(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    noor = await person_joins(fake_telegram, bot, "Noor")
    await noor.send("/supprimer_tout")
    assert ui_start("bot.unknown_command") in (await noor.next_message()).text
    await noor.send_sticker()
    assert ui_start("bot.unsupported") in (await noor.next_message()).text
    await noor.send_photo()
    assert ui_start("bot.unsupported") in (await noor.next_message()).text
    await noor.send_location(48.85, 2.35)
    assert ui_start("bot.unsupported") in (await noor.next_message()).text


async def test_text_outside_a_dialogue_points_to_the_menu(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    ines = await person_joins(fake_telegram, bot, "Inès")
    await ines.send("x" * 4096)
    assert ui_start("bot.no_dialogue") in (await ines.next_message()).text
    menu = await ines.next_message()
    assert menu.buttons


async def test_forged_callback_is_answered_kindly_and_changes_nothing(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    yan = await person_joins(fake_telegram, bot, "Yan")
    await yan.send("/menu")
    menu = await yan.next_message()
    for forged in ("v1|a|999|0|x", "v1|m|open|inconnu", "rm -rf", "v1|a|1|1|" + "é" * 10):
        answer = await yan.click_data(forged, message=menu)
        assert answer is not None and ui_text("bot.stale_button") in answer
        assert (await yan.next_message()).buttons  # the menu comes back


async def test_english_speakers_get_english(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    jane = await person_joins(fake_telegram, bot, "Jane", language_code="en-GB")
    await jane.send("/aide")
    text = (await jane.next_message()).text
    assert "/urgence" in text and ui_start("bot.help") not in text


async def test_a_flood_gets_one_kind_slow_down_then_silence(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    from dataclasses import replace

    from tests.conftest import running_bot

    async with running_bot(replace(settings, rate_burst=3, rate_per_minute=1)):
        flood = fake_telegram.user(first_name="Pressé")
        for _ in range(6):
            await flood.send("bonjour")
        await fake_telegram.wait_for(lambda: len(flood.messages) >= 4)
        texts = [message.text for message in flood.messages]
        assert sum(ui_start("join.stranger") in text for text in texts) == 3
        assert sum(ui_start("bot.slow_down") in text for text in texts) == 1


async def test_the_bot_leaves_groups_and_ignores_channels(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
    settings: Settings,
) -> None:
    from telegram import Update

    group = {"id": -1001, "type": "supergroup", "title": "Famille"}
    someone = {"id": 4242, "is_bot": False, "first_name": "Quelqu'un"}
    message = {"message_id": 1, "date": 0, "chat": group, "from": someone, "text": "bonjour"}
    await bot.process_update(Update.de_json({"update_id": 1, "message": message}, bot.bot))
    assert fake_telegram.requests_for("leaveChat")[-1]["chat_id"] == -1001
    post = {"message_id": 2, "date": 0, "chat": {"id": -1002, "type": "channel"}, "text": "x"}
    await bot.process_update(Update.de_json({"update_id": 2, "channel_post": post}, bot.bot))
    assert len(fake_telegram.requests_for("leaveChat")) == 1
    with sqlite3.connect(settings.database) as db:
        assert db.execute("SELECT COUNT(*) FROM persons").fetchone() == (0,)
