"""Nothing is lost: a restart mid-dialogue, and bad input of every kind."""

from __future__ import annotations

import pytest
from telegram.ext import Application

from bot.config import Settings
from bot.i18n import ui_text
from bot.services import Services
from tests.conftest import running_bot
from tests.e2e.helpers import (
    asked,
    eventually,
    expect,
    intro,
    open_dialogue,
    option,
    person_joins,
    title,
    ui_piece,
    ui_start,
)
from tests.fakegram import FakeTelegram


async def test_a_restart_mid_dialogue_resumes_exactly_where_it_stopped(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    async with running_bot(settings) as first_run:
        omar = await person_joins(fake_telegram, first_run, "Omar")
        await open_dialogue(omar, title("probleme"))
        await expect(omar, intro("probleme"))
        await expect(omar, asked("probleme", "difficulte"))
        await omar.send("Les factures s'accumulent")
        await expect(omar, asked("probleme", "titre"))
        await omar.send("Factures")
        question = await expect(omar, asked("probleme", "concernes"))

    async with running_bot(settings):
        # A button of the question asked before the restart still works.
        await omar.click(option("probleme", "concernes", "moi"), message=question)
        await omar.click(ui_start("engine.done"))
        await expect(omar, asked("probleme", "mieux"))
        await omar.send("/annuler")
        await expect(omar, ui_piece("bot.cancel_done"))

    async with running_bot(settings):
        await open_dialogue(omar, ui_text("bot.menu_in_progress", title=title("probleme")))
        await expect(omar, ui_text("bot.resume"))
        await expect(omar, asked("probleme", "mieux"))
        await omar.send("Je paierais sans stress")
        await expect(omar, asked("probleme", "moments"))


async def test_bad_input_gets_a_kind_answer_and_changes_no_stored_answer(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    ana = await person_joins(fake_telegram, bot, "Ana")
    await open_dialogue(ana, title("forces"))
    await ana.next_message()
    housing, doing_well = asked("forces", "logement"), asked("forces", "logement_bien")
    money = asked("forces", "argent_papiers")
    scale = await expect(ana, housing)
    two = next(data for row in scale.buttons for label, data in row if label == "2")

    hint = ui_text("engine.scale_hint", low=0, high=10)
    await ana.send("beaucoup")
    await expect(ana, hint)
    await expect(ana, housing)
    await ana.send("42")
    await expect(ana, hint)
    await expect(ana, housing)
    await ana.send_sticker()
    await expect(ana, ui_start("bot.unsupported"))
    await ana.send("/inconnue")
    await expect(ana, ui_start("bot.unknown_command"))
    await expect(ana, housing)  # after any command, the question again
    await ana.send("/urgence")
    await expect(ana, "3114")
    await expect(ana, housing)

    # Typed in words, a score is understood.
    await ana.send("sept")
    await expect(ana, doing_well)
    # The first copy's buttons went when the question was asked again. Pressed anyway
    # (an old client), the button gets a kind answer, and the live question comes again.
    assert scale.button_labels == []
    assert two is not None
    answer = await ana.click_data(two, message=scale)
    assert answer is not None and ui_text("bot.stale_button") in answer
    await expect(ana, doing_well)
    await ana.send("x" * 4096)
    await expect(ana, money)

    # A button of another dialogue's question, forged onto this chat.
    await ana.send("/menu")
    await ana.next_message()
    await ana.click(title("probleme"))
    await ana.next_message()
    other = await expect(ana, asked("probleme", "difficulte"))
    assert not other.buttons
    await open_dialogue(ana, ui_text("bot.menu_in_progress", title=title("forces")))
    await expect(ana, ui_text("bot.resume"))
    live = await expect(ana, money)
    live_data = live.buttons[0][0][1]
    assert live_data is not None
    run_and_turn = live_data.rsplit("|", 1)[0]
    await ana.click_data(f"{run_and_turn}|99", message=live)
    await expect(ana, ui_text("engine.not_understood"))
    await expect(ana, money)
    await ana.click("5")
    await expect(ana, asked("forces", "argent_papiers_bien"))

    services: Services = bot.bot_data["services"]
    person = await services.storage.person_by_account(f"telegram:{ana.id}")
    assert person is not None
    run = await services.storage.active_run(person.id, "forces")
    assert run is not None
    answers = run.state["answers"]
    assert answers["logement"] == {"value": 7, "of": 10}
    assert answers["logement_bien"] == "x" * 4096
    assert answers["argent_papiers"] == {"value": 5, "of": 10}


async def test_a_send_telegram_processed_but_never_answered_is_not_sent_again(
    fake_telegram: FakeTelegram, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from bot.telegram import delivery
    from tests.e2e.helpers import invite, worker_joins

    # Sends give up waiting after 1 s here (60 s in production); Telegram answers after 4 s.
    monkeypatch.setattr(delivery, "SEND_READ_TIMEOUT", 1.0)
    async with running_bot(settings) as app:
        severine, _ = await worker_joins(fake_telegram, app)
        code = await invite(severine, "Amina")
        before = len(severine.messages)
        fake_telegram.fail_next("sendMessage", timeout=4, processed=True, chat_id=severine.chat_id)
        amina = fake_telegram.user(first_name="Amina")
        await amina.send(f"/start {code}")
        for _ in range(3):
            await amina.next_message()
        await amina.click(ui_start("consent.accept"))

        def settled() -> bool:
            with sqlite3.connect(settings.database) as db:
                waiting = db.execute(
                    "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL"
                ).fetchone()[0]
            return waiting == 0 and fake_telegram.pending_failures == 0

        await fake_telegram.wait_for(lambda: any("Amina" in m.text for m in severine.messages))
        await fake_telegram.wait_for(settled, timeout=30)
        # The courier's next rounds find nothing to resend.
        await services_of_courier_round(app)
        notices = [m for m in severine.messages[before:] if "Amina" in m.text]
        assert len(notices) == 1


async def services_of_courier_round(app: Application) -> None:  # type: ignore[type-arg]
    """Run one more delivery round now, as the courier would."""
    await app.bot_data["courier"].deliver_due()


async def test_a_button_answered_too_late_still_does_its_work_without_an_error(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    from tests.e2e.test_inbox import ui

    omar = await person_joins(fake_telegram, bot, "Omar")
    await omar.send("/menu")
    menu = await expect(omar, ui_start("bot.menu"))
    data = next(data for row in menu.buttons for text, data in row if text == title("probleme"))
    assert data is not None
    # Under load, Telegram refuses the answer: the press came too long ago.
    fake_telegram.fail_next(
        "answerCallbackQuery",
        status=400,
        description="Bad Request: query is too old and response timeout expired or query ID is"
        " invalid",
    )
    omar.press_now(data)
    await eventually(fake_telegram, omar, asked("probleme", "difficulte"))
    assert not any(m.text == ui("bot.error") for m in omar.messages)
