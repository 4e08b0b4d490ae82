"""The safety step, end to end: every message screened, for everyone, in every transport."""

from __future__ import annotations

import io
import sqlite3
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.console import Console
from bot.domain import ReminderDraft
from bot.i18n import Translator
from bot.services import build_services
from bot.usecases.persons import telegram_account
from tests.clock import ManualClock
from tests.conftest import running_bot
from tests.e2e.helpers import (
    App,
    asked,
    eventually,
    expect,
    open_dialogue,
    option,
    person_joins,
    services_of,
    title,
    ui_start,
    worker_joins,
)
from tests.fakegram import BotMessage, FakeTelegram, FakeUser

PARIS = ZoneInfo("Europe/Paris")
# The moment: Sunday 29 November 2026, 23:24 in Paris.
SUNDAY_NIGHT = datetime(2026, 11, 29, 23, 24, tzinfo=PARIS).astimezone(UTC)
WEAK = "je me bat tout les jours pour mes enfants"
STRONG = "je veux me tuer, je vois pas d'issue"


def fr(app: App) -> Translator:
    return services_of(app).catalogs.translator("fr")


def numbers_block(tr: Translator, numbers: tuple[str, ...]) -> str:
    lines = [tr.message("safety.numbers_intro")]
    return "\n".join(lines + [tr.message(f"safety.number_{n}") for n in numbers])


async def expect_full_help(user: FakeUser, tr: Translator, numbers: tuple[str, ...]) -> None:
    """The whole block: heard, these numbers exactly, the short step."""
    assert (await user.next_message()).text == tr.message("safety.heard"), user.transcript()
    assert (await user.next_message()).text == numbers_block(tr, numbers), user.transcript()
    assert (await user.next_message()).text == tr.message("safety.step"), user.transcript()


async def to_fourth_question(amina: FakeUser, first_answer: str) -> None:
    """Mon problème up to asked("probleme", "mieux"), the first answer given as written."""
    await open_dialogue(amina, title("probleme"))
    await amina.next_message()
    await expect(amina, asked("probleme", "difficulte"))
    await amina.send(first_answer)
    await expect(amina, asked("probleme", "titre"))
    await amina.send("Logement")
    await expect(amina, asked("probleme", "concernes"))
    await amina.click(option("probleme", "concernes", "moi"))
    await amina.click(ui_start("engine.done"))
    await expect(amina, asked("probleme", "mieux"))


def answers_of(settings: Settings) -> int:
    with sqlite3.connect(settings.database) as db:
        return int(db.execute("SELECT COUNT(*) FROM safety_held").fetchone()[0])


async def test_a_strong_signal_after_a_weak_one_in_one_dialogue_gets_the_whole_help(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    tr = fr(bot)
    severine, _ = await worker_joins(fake_telegram, bot)
    amina = await person_joins(fake_telegram, bot, "Amina", worker_user=severine)
    # "Je me bat… pour mes enfants" is not distress: the dialogue simply goes on.
    await to_fourth_question(amina, WEAK)
    assert not any(m.text == tr.message("safety.heard") for m in amina.messages)

    await amina.send("je suis en danger")  # a weak, general signal: general numbers only
    await expect_full_help(amina, tr, ("15", "112", "114"))
    assert (await amina.next_message()).text == tr.message("safety.offer")
    keep = await amina.next_message()
    assert keep.text == tr.message("safety.keep_question")
    await amina.click(tr.message("safety.keep_no"), message=keep)
    assert (await amina.next_message()).text == tr.message("safety.dropped")
    assert (await amina.next_message()).text == tr.message("safety.ask_again")
    await expect(amina, asked("probleme", "mieux"))

    await amina.send(STRONG)  # minutes later, a strong one: never silenced
    await expect_full_help(amina, tr, ("3114", "15", "112"))
    assert (await amina.next_message()).text == tr.message("safety.offer")
    keep = await amina.next_message()
    await amina.click(tr.message("safety.keep_no"), message=keep)
    assert (await amina.next_message()).text == tr.message("safety.dropped")
    assert (await amina.next_message()).text == tr.message("safety.ask_again")
    await expect(amina, asked("probleme", "mieux"))

    await amina.send("jveux mourir")  # the same level again, minutes later: a calmer repeat
    repeat = await amina.next_message()
    assert repeat.text == tr.message("safety.repeat", numbers="3114 · 15 · 112")
    assert (await amina.next_message()).text == tr.message("safety.keep_question")
    # Writing something else instead answers the question; the held words are forgotten.
    await amina.send("J'aurais un endroit à moi")
    await expect(amina, asked("probleme", "moments"))
    assert answers_of(settings) == 0
    person = await services_of(bot).storage.person_by_account(telegram_account(amina.id))
    assert person is not None and person.current_run_id is not None
    run = await services_of(bot).storage.get_run(person.current_run_id)
    assert run is not None
    stored = str(run.state["answers"])
    assert "tuer" not in stored and "danger" not in stored and "mourir" not in stored
    assert "J'aurais un endroit à moi" in stored


async def test_kept_words_become_the_answer_they_were_written_for(
    fake_telegram: FakeTelegram, bot: App
) -> None:
    tr = fr(bot)
    amina = await person_joins(fake_telegram, bot, "Amina")
    await to_fourth_question(amina, "Le logement")
    await amina.send("jai envie de mourrir")
    await expect_full_help(amina, tr, ("3114", "15", "112"))
    await amina.next_message()  # the call offer
    keep = await amina.next_message()
    await amina.click(tr.message("safety.keep_yes"), message=keep)
    assert (await amina.next_message()).text == tr.message("safety.kept")
    await expect(amina, asked("probleme", "moments"))
    person = await services_of(bot).storage.person_by_account(telegram_account(amina.id))
    assert person is not None and person.current_run_id is not None
    run = await services_of(bot).storage.get_run(person.current_run_id)
    assert run is not None and "jai envie de mourrir" in str(run.state["answers"])
    assert not keep.buttons or not any(row for row in keep.buttons)  # the choice is closed


async def test_a_stranger_gets_the_numbers_then_the_invitation_text(
    fake_telegram: FakeTelegram, bot: App
) -> None:
    tr = fr(bot)
    stranger = fake_telegram.user(first_name="Inconnu")
    await stranger.send("je veux mourir")
    await expect_full_help(stranger, tr, ("3114", "15", "112"))
    assert (await stranger.next_message()).text == tr.message("join.stranger")


async def test_a_worker_writing_distress_about_themselves_gets_the_numbers(
    fake_telegram: FakeTelegram, bot: App
) -> None:
    tr = fr(bot)
    severine, _ = await worker_joins(fake_telegram, bot)
    await severine.send("je n'en peux plus, je veux en finir")
    await expect_full_help(severine, tr, ("3114", "15", "112"))
    await severine.send("bonjour")
    assert (await severine.next_message()).text == tr.message("worker.use_commands")


async def test_an_english_speaking_person_is_read_and_answered_in_english(
    fake_telegram: FakeTelegram, bot: App
) -> None:
    en = services_of(bot).catalogs.translator("en")
    john = await person_joins(fake_telegram, bot, "John", language_code="en")
    await john.send("sometimes I want to die")
    await expect_full_help(john, en, ("3114", "15", "112"))
    assert (await john.next_message()).text == en.message("safety.offer")


async def test_the_terminal_screens_every_line_and_asks_to_keep_or_drop(
    settings: Settings,
) -> None:
    services = build_services(settings)
    tr = services.catalogs.translator("fr")
    lines = ["1", "jai envie de mourrir", "2", "Le loyer", "/quitter"]
    out = io.StringIO()
    await services.storage.open()
    try:
        await Console(services, "amina", io.StringIO("\n".join(lines) + "\n"), out).run()
    finally:
        await services.storage.close()
    text = out.getvalue()
    help_at = text.index(tr.message("safety.heard"))
    assert numbers_block(tr, ("3114", "15", "112")) in text[help_at:]
    assert tr.message("safety.keep_question") in text[help_at:]
    dropped_at = text.index(tr.message("safety.dropped"))
    assert text.index(tr.message("safety.ask_again"), dropped_at) > dropped_at
    # The question comes again, and "Le loyer" is its answer, not the distress line.
    assert asked("probleme", "titre") in text[text.index("Le loyer") :]


async def press_call(amina: FakeUser, tr: Translator) -> BotMessage:
    await amina.send("je veux mourir")
    await expect_full_help(amina, tr, ("3114", "15", "112"))
    offer = await amina.next_message()
    assert offer.text == tr.message("safety.offer")
    await amina.click(tr.message("safety.offer_yes"), message=offer)
    return await amina.next_message()


async def test_call_me_at_night_is_honest_sent_at_once_and_followed_up_a_working_day_later(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    clock = ManualClock(SUNDAY_NIGHT)
    async with running_bot(settings, clock) as app:
        tr = fr(app)
        severine, worker = await worker_joins(fake_telegram, app)
        amina = await person_joins(fake_telegram, app, "Amina", worker_user=severine)
        told = await press_call(amina, tr)
        monday = tr.date_time(datetime(2026, 11, 30, 9, tzinfo=PARIS), PARIS)
        assert told.text == "\n".join(
            [tr.message("safety.call_sent"), tr.message("safety.call_off_hours", date=monday)]
        )
        # The worker is told at once, on a Sunday night, where it comes from and when.
        asked = tr.date_time(SUNDAY_NIGHT, PARIS)
        notice_text = tr.message("safety.worker_call", pseudonym="Amina", date=asked)
        notice = await eventually(fake_telegram, severine, notice_text)
        assert notice.text == notice_text
        assert "mourir" not in "".join(m.text for m in severine.messages)

        # Monday 17:59: not yet overdue. Monday 18:00: the person is told, numbers again.
        clock.moment = datetime(2026, 11, 30, 17, 59, tzinfo=PARIS).astimezone(UTC)
        assert await services_of(app).safety.follow_up() == 0
        clock.moment = datetime(2026, 11, 30, 18, 0, tzinfo=PARIS).astimezone(UTC)
        assert await services_of(app).safety.follow_up() == 1
        unseen = await eventually(fake_telegram, amina, tr.message("safety.unseen"))
        assert tr.message("safety.number_3114") in unseen.text
        assert await services_of(app).safety.follow_up() == 0  # once only

        # The worker's next digest shows the request again, until acknowledged there.
        due = clock.now()
        await services_of(app).storage.add_reminders(
            [ReminderDraft("digest", due, worker_id=worker.id)], due
        )
        await services_of(app).reminders.scan()
        await fake_telegram.wait_for(
            lambda: any(
                ui_start("reminder.open") in label
                for m in severine.messages
                for label in m.button_labels
            )
        )
        await severine.click(ui_start("reminder.open"))
        await eventually(fake_telegram, severine, tr.message("safety.digest_title"))
        line = await eventually(
            fake_telegram,
            severine,
            tr.message("safety.digest_line", pseudonym="Amina", date=asked),
        )
        answer = await severine.click(tr.message("safety.worker_handling"), message=line)
        assert answer == tr.message("safety.worker_ack_done")
        await eventually(fake_telegram, amina, tr.message("safety.seen_handling"))
        assert await services_of(app).safety.open_calls(worker) == []
        # The first notice's buttons now say it was already noted.
        again = await severine.click(tr.message("safety.worker_called"), message=notice)
        assert again == tr.message("safety.worker_ack_again")


async def test_an_acknowledged_request_brings_no_follow_up(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    tuesday = datetime(2026, 12, 1, 10, 0, tzinfo=PARIS).astimezone(UTC)
    clock = ManualClock(tuesday)
    async with running_bot(settings, clock) as app:
        tr = fr(app)
        severine, _ = await worker_joins(fake_telegram, app)
        amina = await person_joins(fake_telegram, app, "Amina", worker_user=severine)
        told = await press_call(amina, tr)
        assert told.text == tr.message("safety.call_sent")  # working hours: no delay named
        notice = await eventually(fake_telegram, severine, "Amina")
        notice = await eventually(
            fake_telegram,
            severine,
            tr.message("safety.worker_call", pseudonym="Amina", date=tr.date_time(tuesday, PARIS)),
        )
        answer = await severine.click(tr.message("safety.worker_called"), message=notice)
        assert answer == tr.message("safety.worker_ack_done")
        await eventually(fake_telegram, amina, tr.message("safety.seen_called"))
        clock.advance(days=3)
        assert await services_of(app).safety.follow_up() == 0


async def test_urgence_works_in_the_middle_of_a_dialogue(
    fake_telegram: FakeTelegram, bot: App
) -> None:
    amina = await person_joins(fake_telegram, bot, "Amina")
    await open_dialogue(amina, title("idees"))
    await amina.next_message()
    await expect(amina, asked("idees", "deja_essaye"))
    await amina.send("/urgence")
    await expect(amina, "3114")
    await expect(amina, asked("idees", "deja_essaye"))  # the question again, below
    await amina.send("J'ai appelé la CAF")
    await expect(amina, asked("idees", "annonce_idees"))


async def test_an_edited_message_and_a_caption_are_screened_too(
    fake_telegram: FakeTelegram, bot: App
) -> None:
    tr = fr(bot)
    amina = await person_joins(fake_telegram, bot, "Amina")
    await amina.send("bonjour")
    await amina.next_message()  # not in a dialogue: a pointer to the menu
    await amina.next_message()  # the menu
    await amina.edit_last("je veux mourir")
    await expect_full_help(amina, tr, ("3114", "15", "112"))
    await amina.next_message()  # the call offer; nothing is held, nothing asked
    assert (await amina.next_message()).text == tr.message("bot.edited")
    await amina.send_photo(caption="il me frappe")
    await expect_full_help(amina, tr, ("3919", "17"))
    await amina.next_message()  # the call offer
    assert (await amina.next_message()).text == tr.message("bot.unsupported")
