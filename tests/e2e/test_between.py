"""Between appointments: time is driven by hand, never slept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.lists import format_list

from bot.config import Settings
from bot.engine import load_dialogues
from bot.i18n import ui_text
from tests.clock import ManualClock
from tests.conftest import running_bot
from tests.e2e.helpers import (
    App,
    day,
    eventually,
    expect,
    open_dialogue,
    person_joins,
    services_of,
    shows_choice,
    spoken,
    spoken_about,
    ui_line,
    ui_piece,
    ui_start,
    worker_joins,
)
from tests.e2e.helpers import (
    choose_a_first_step as choose_first_step_when,
)
from tests.fakegram import BotMessage, FakeTelegram, FakeUser
from tests.stored import rows

PARIS = ZoneInfo("Europe/Paris")
# Tuesday 1 December 2026, 10:00 in Paris.
START = datetime(2026, 12, 1, 10, 0, tzinfo=PARIS).astimezone(UTC)
# The appointment set in the first journey, and the day its reminders start.
FRIDAY_11 = datetime(2026, 12, 11, 14, 30, tzinfo=PARIS)
THURSDAY_10 = datetime(2026, 12, 10, 10, tzinfo=PARIS)
DISCREET = ui_text("reminder.discreet")


async def choose_a_first_step(amina: FakeUser) -> None:
    await choose_first_step_when(amina, "jeudi 10h")
    # The last words, when the reminder comes and the menu: one message.
    thursday = datetime(2026, 12, 3, 10, tzinfo=PARIS)
    told = await expect(amina, ui_text("reminder.step_when", date=spoken_about(thursday)))
    assert ui_start("bot.menu") in told.text


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
        await expect(severine, ui_piece("worker.person_joined"))
        await expect(severine, ui_text("appointment.worker_pick"))
        await severine.click("Amina")
        await expect(severine, ui_line("appointment.worker_ask", person="Amina"))
        await severine.send("31/02 14h")
        await expect(severine, ui_text("appointment.problem_impossible"))
        await severine.send("vendredi 11/12 14h30")
        await expect(
            severine, ui_text("appointment.worker_confirm", person="Amina", date=spoken(FRIDAY_11))
        )
        await severine.click(ui_text("appointment.worker_yes"))
        told = await severine.next_message()
        # The worker is told exactly what Amina receives, and when.
        assert told.text == "\n".join(
            [
                ui_text("appointment.worker_set_for", person="Amina"),
                ui_text("appointment.worker_announce_now"),
                ui_text(
                    "appointment.worker_reminders",
                    dates=format_list(
                        [spoken(THURSDAY_10), spoken(FRIDAY_11 - timedelta(hours=2))],
                        locale="fr_FR",
                    ),
                ),
            ]
        )
        announce = await eventually(fake_telegram, amina, ui_start("appointment.announce"))
        assert announce.text == ui_text("appointment.announce", date=spoken(FRIDAY_11))
        await amina.click(ui_text("appointment.noted"), message=announce)
        noted = ui_text("appointment.worker_noted", person="Amina", date=spoken(FRIDAY_11))
        await eventually(fake_telegram, severine, noted)

        await walk(app, clock, 4 * 24)  # to Saturday 5 December, 10:00
        await fake_telegram.wait_for(lambda: len(discreet(amina)) == 2)

    async with running_bot(settings, clock) as app:  # the bot restarts; nothing sent twice
        await walk(app, clock, 5 * 24)  # to Thursday 10 December, 10:00
        await fake_telegram.wait_for(lambda: len(discreet(amina)) == 4)
        await fake_telegram.wait_for(lambda: len(discreet(severine)) == 1)

        # The day before, the worker's list says who comes and whether a summary came.
        await severine.click(ui_start("reminder.open"))
        listing = await eventually(fake_telegram, severine, ui_text("reminder.digest_title"))
        no_summary = ui_text("reminder.digest_summary_no")
        line = ui_text("reminder.digest_line", time="14h30", person="Amina", summary=no_summary)
        assert line in listing.text

        # The latest reminder for Amina: her appointment is tomorrow, prepare it.
        await amina.click(ui_start("reminder.open"))
        await eventually(fake_telegram, amina, ui_text("reminder.prepare").split("\n")[-1])
        await walk(app, clock, 30)  # past the appointment
        # Two hours before, the last reminder.
        await fake_telegram.wait_for(lambda: len(discreet(amina)) == 5)

    sent = rows(
        settings,
        "SELECT kind, status, sent_at FROM reminders ORDER BY due_at",
    )
    kinds = [(kind, status) for kind, status, _ in sent]
    assert kinds == [
        ("step", "sent"),
        ("checkin_step", "sent"),
        ("checkin", "sent"),
        ("digest", "sent"),
        ("prepare", "sent"),
        ("appointment", "sent"),
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
    assert moments["prepare"].strftime("%a %d %H") == "Thu 10 10"
    # Due at 12:30, two hours before; the walk scans on the hour, so it went at 13:00.
    assert moments["appointment"].strftime("%a %d %H:%M") == "Fri 11 13:00"
    assert moments["digest"].strftime("%a %d %H") == "Thu 10 08"
    assert len(discreet(amina)) == 5 and len(discreet(severine)) == 1


@pytest.mark.both_backends
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
        await amina.click(ui_start("reminder.open"))
        step = await eventually(fake_telegram, amina, ui_start("reminder.step"))
        assert step.text == ui_text("reminder.step", step="Appeler la CAF")
        await walk(app, clock, 24)  # the check-in, Friday 10:00
        await fake_telegram.wait_for(lambda: len(discreet(amina)) == 2)
        await amina.click(ui_start("reminder.open"))
        question = await eventually(fake_telegram, amina, ui_start("reminder.checkin_question"))
        assert question.text == ui_text("reminder.checkin_question", step="Appeler la CAF")
        await amina.click(ui_text("reminder.checkin_in_progress"), message=question)
        # How it went compared with what she expected (GAS), then what she learned.
        gas = await eventually(fake_telegram, amina, ui_text("reminder.checkin_gas"))
        assert gas.button_labels == [
            ui_text(f"reminder.gas_{name}")
            for name in ("much_less", "less", "as_expected", "better", "much_better")
        ]
        await amina.click(ui_text("reminder.gas_better"), message=gas)
        await eventually(fake_telegram, amina, ui_text("reminder.checkin_learned"))
        await amina.send("J'ai trouvé le bon numéro")
        await eventually(fake_telegram, amina, ui_text("reminder.checkin_thanks"))
        await amina.send("/preparer")
        await eventually(fake_telegram, amina, ui_start("summary.topics_question"))
        await amina.click(ui_start("engine.skip"))
        await eventually(fake_telegram, amina, ui_piece("summary.control"))
        preview = "\n".join(m.text for m in amina.messages)
        assert f"\n{ui_text('reminder.summary_section')}\n" in preview
        how = ui_text("reminder.progress_in_progress") + ", "
        how += ui_text("reminder.gas_better").lower()
        assert f"Appeler la CAF : « {how} : J'ai trouvé le bon numéro »" in preview
    attainment = rows(settings, "SELECT progress, attainment FROM checkins")
    assert attainment == [("in_progress", 1)]


async def test_pause_quiet_hours_and_a_cancelled_appointment(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    clock = ManualClock(START)
    async with running_bot(settings, clock) as app:
        severine, _ = await worker_joins(fake_telegram, app)
        amina = await person_joins(fake_telegram, app, "Amina", worker_user=severine)
        await choose_a_first_step(amina)
        await amina.send("/reglages")
        settings_message = await eventually(fake_telegram, amina, ui_start("settings.title"))
        quiet = ui_text("settings.title", evening="20h", morning="9h")
        assert settings_message.text.startswith(quiet)
        await amina.click(ui_text("settings.evening", hour=18))
        now_quiet = ui_text("settings.title", evening="18h", morning="9h")
        await fake_telegram.wait_for(lambda: amina.messages[-1].text.startswith(now_quiet))
        await amina.send("/pause")
        await eventually(fake_telegram, amina, ui_text("settings.pause_done"))
        await walk(app, clock, 4 * 24)
        assert discreet(amina) == []
        await amina.send("/reprendre")
        await eventually(fake_telegram, amina, ui_text("settings.resume_done"))

        await severine.send("/personnes")
        await eventually(fake_telegram, severine, ui_text("worker.persons_pick"))
        await severine.click("Amina")
        await eventually(fake_telegram, severine, ui_piece("worker.card"))
        await severine.click(ui_text("appointment.worker_set_button"))
        await eventually(fake_telegram, severine, ui_start("appointment.worker_ask"))
        await severine.send("demain 9h")
        await eventually(fake_telegram, severine, ui_start("appointment.worker_confirm_question"))
        await severine.click(ui_text("appointment.worker_yes"))
        sunday = datetime(2026, 12, 6, 9, tzinfo=PARIS)
        await eventually(fake_telegram, amina, ui_text("appointment.announce", date=spoken(sunday)))
        await severine.send("/personnes")
        await fake_telegram.wait_for(
            lambda: sum(ui_text("worker.persons_pick") in m.text for m in severine.messages) == 2
        )
        listing = [m for m in severine.messages if ui_text("worker.persons_pick") in m.text][-1]
        await severine.click("Amina", message=listing)
        card = await eventually(fake_telegram, severine, ui_piece("appointment.worker_next"))
        await severine.click(ui_text("appointment.worker_cancel_button"), message=card)
        cancelled = ui_text("appointment.cancelled", date=spoken(sunday))
        await eventually(fake_telegram, amina, cancelled.split("\n")[0])
    pending = rows(
        settings, "SELECT COUNT(*) FROM reminders WHERE status = 'pending' AND ref IS NOT NULL"
    )
    assert pending == [(0,)]


async def test_rdv_keeps_the_day_while_asking_the_hour_and_says_when_it_is_a_saturday(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    clock = ManualClock(START)  # Tuesday 1 December, 10:00
    async with running_bot(settings, clock) as app:
        severine, _ = await worker_joins(fake_telegram, app)
        await person_joins(fake_telegram, app, "Amina", worker_user=severine)
        await severine.send("/rdv")
        await eventually(fake_telegram, severine, ui_text("appointment.worker_pick"))
        await severine.click("Amina")
        await eventually(fake_telegram, severine, ui_start("appointment.worker_ask"))

        # "demain" alone: the hour is asked, and the day is kept for the answer.
        await severine.send("demain")
        await eventually(fake_telegram, severine, ui_text("appointment.problem_no_time"))
        await severine.send("9h")
        nine = datetime(2026, 12, 2, 9, tzinfo=PARIS)
        tomorrow = await eventually(fake_telegram, severine, spoken(nine))
        assert tomorrow.text.splitlines() == [
            ui_text("appointment.worker_confirm", person="Amina", date=spoken(nine)),
            ui_text("appointment.worker_confirm_question"),
        ]
        # "demain matin": the part of the day stands for 9h, said back as "vers 9h".
        await severine.send("demain matin")
        morning = await eventually(fake_telegram, severine, spoken_about(nine))
        assert morning.text.splitlines()[0] == ui_text(
            "appointment.worker_confirm", person="Amina", date=spoken_about(nine)
        )
        # 12/12 is a Saturday: the worker is told before confirming.
        await severine.send("le 12/12 vers 10h")
        ten = datetime(2026, 12, 12, 10, tzinfo=PARIS)
        saturday = await eventually(fake_telegram, severine, day(ten))
        assert saturday.text.splitlines() == [
            ui_text("appointment.worker_confirm", person="Amina", date=spoken(ten)),
            ui_text("appointment.warning_saturday"),
            ui_text("appointment.worker_confirm_question"),
        ]
        await severine.click(ui_text("appointment.worker_yes"), message=saturday)
        await eventually(
            fake_telegram, severine, ui_text("appointment.worker_set_for", person="Amina")
        )
    ((stored,),) = rows(settings, "SELECT at FROM appointments")
    assert datetime.fromisoformat(str(stored)) == datetime(2026, 12, 12, 9, tzinfo=UTC)


async def test_cannot_come_with_a_voice_note_and_without_an_answer(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    clock = ManualClock(START)  # Tuesday 1 December, 10:00
    async with running_bot(settings, clock) as app:
        found = services_of(app)
        severine, worker = await worker_joins(fake_telegram, app)
        amina = await person_joins(fake_telegram, app, "Amina", worker_user=severine)
        ((person_id,),) = rows(settings, "SELECT id FROM persons")
        first = datetime(2026, 12, 4, 9, tzinfo=UTC)  # Friday 4 December, 10:00 in Paris
        await found.appointments.set(worker, int(str(person_id)), first)
        announce = await eventually(fake_telegram, amina, spoken(first))

        # She cannot come, says why in a voice note, and proposes nothing.
        await amina.click(ui_text("appointment.cannot"), message=announce)
        await eventually(fake_telegram, amina, ui_text("appointment.cannot_why"))
        await amina.send_voice(12)
        when = await eventually(fake_telegram, amina, ui_text("appointment.cannot_when"))
        await amina.click(ui_text("appointment.skip"), message=when)
        await eventually(fake_telegram, amina, ui_text("appointment.cannot_thanks"))
        voice = await fake_telegram.wait_for(
            lambda: next((m for m in severine.messages if m.kind == "voice"), None)
        )
        assert voice is not None and voice.button_labels == [ui_text("appointment.worker_other")]
        cannot = ui_text("appointment.worker_cannot", person="Amina", date=spoken(first))
        text = next(m for m in severine.messages if cannot in m.text)
        assert text.text.splitlines()[1] == ui_text(
            "appointment.worker_cannot_why", why=ui_text("engine.voice", duration=12)
        )

        # A second appointment; she taps "Je ne peux pas" and then says nothing more:
        # the worker is still told, a quarter of an hour later.
        second = datetime(2026, 12, 8, 9, tzinfo=UTC)
        await found.appointments.set(worker, int(str(person_id)), second)
        again = await fake_telegram.wait_for(
            lambda: next(
                (m for m in amina.messages if m.button_labels and spoken(second) in m.text), None
            )
        )
        assert again is not None
        await amina.click(ui_text("appointment.cannot"), message=again)
        await fake_telegram.wait_for(
            lambda: sum(m.text == ui_text("appointment.cannot_why") for m in amina.messages) == 2
        )
        later = ui_text("appointment.worker_cannot", person="Amina", date=spoken(second))
        clock.advance(minutes=16)
        found.outbox_signal.wake()
        alone = await eventually(fake_telegram, severine, later)
        assert alone.text == later


async def test_a_quiet_hour_bound_typed_to_the_minute(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    clock = ManualClock(START)
    async with running_bot(settings, clock) as app:
        severine, _ = await worker_joins(fake_telegram, app)
        amina = await person_joins(fake_telegram, app, "Amina", worker_user=severine)
        await amina.send("/reglages")
        shown = await eventually(fake_telegram, amina, ui_start("settings.title"))
        await amina.click(ui_text("settings.other_evening"), message=shown)
        await eventually(fake_telegram, amina, ui_text("settings.ask_evening"))
        await amina.send("vingt heures")
        await eventually(fake_telegram, amina, ui_text("settings.time_not_understood"))
        await amina.send("20h30")
        again = await fake_telegram.wait_for(
            lambda: next(
                (
                    m
                    for m in reversed(amina.messages)
                    if ui_start("settings.title") in m.text and "20h30" in m.text
                ),
                None,
            )
        )
        assert again is not None
        assert (
            again.text.splitlines()[1]
            == ui_text("settings.title", evening="20h30", morning="9h").splitlines()[1]
        )
    assert rows(settings, "SELECT quiet_from, quiet_from_minute FROM persons") == [(20, 30)]


async def test_a_first_step_corrected_in_the_recap_is_the_one_reminded_checked_and_summarised(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    """She changed her mind about her first step at the recap: the reminder, the check-in and
    the next summary all carry the new one; the old one is nowhere as her first step."""
    clock = ManualClock(START)
    idees = load_dialogues(Path(__file__).parents[2] / "dialogs")["idees"]

    def opening(step_id: str) -> str:
        return idees.step(step_id).text.splitlines()[0]

    async def recap_question(user: FakeUser) -> BotMessage:
        recap = await expect(user, opening("recap"))
        while not recap.button_labels:  # a long recap comes in several messages
            recap = await user.next_message()
        return recap

    old, new = "Voir le bailleur", "Écrire au CCAS"
    async with running_bot(settings, clock) as app:
        severine, _ = await worker_joins(fake_telegram, app)
        amina = await person_joins(fake_telegram, app, "Amina", worker_user=severine)
        await open_dialogue(amina, idees.title)
        await expect(amina, idees.intro.splitlines()[0])
        await expect(amina, opening("deja_essaye"))
        await amina.send("Rien encore")
        await expect(amina, opening("annonce_idees"))
        for idea, more in ((old, ui_text("engine.yes")), (new, ui_text("engine.no"))):
            await expect(amina, opening("idee"))
            await amina.send(idea)
            await expect(amina, opening("bloquer"))
            await amina.click(ui_text("engine.skip"))
            await expect(amina, opening("aide"))
            await amina.click(ui_text("engine.skip"))
            await expect(amina, idees.step("idees").again)
            await amina.click(more)
        await expect(amina, opening("premier_pas"))
        await amina.click(old)
        await expect(amina, opening("confiance"))
        await amina.click("8")
        await expect(amina, opening("quand"))
        await amina.send("jeudi 10h")
        recap = await recap_question(amina)
        # Her mind changed: the first step is corrected from the recap.
        await amina.click(ui_text("engine.fix"), message=recap)
        await expect(amina, ui_text("engine.recap_which"))
        await amina.click(idees.step("premier_pas").label)
        await expect(amina, opening("premier_pas"))
        await amina.click(new)
        recap = await recap_question(amina)
        await amina.click(ui_text("engine.recap_yes"), message=recap)
        await expect(amina, opening("rappel"))
        await amina.click(ui_text("engine.yes"))
        await eventually(fake_telegram, amina, ui_text("bot.menu"))

        await walk(app, clock, 2 * 24 + 1)  # the step reminder, Thursday 10:00
        await fake_telegram.wait_for(lambda: len(discreet(amina)) == 1)
        await amina.click(ui_text("reminder.open"))
        step = await eventually(fake_telegram, amina, ui_text("reminder.step", step=new))
        assert old not in step.text
        await walk(app, clock, 24)  # the check-in, Friday 10:00
        await fake_telegram.wait_for(lambda: len(discreet(amina)) == 2)
        await amina.click(ui_text("reminder.open"))
        question = await eventually(
            fake_telegram, amina, ui_text("reminder.checkin_question", step=new)
        )
        await amina.click(ui_text("reminder.checkin_done"), message=question)
        # Each answer stays visible under its question.
        await shows_choice(fake_telegram, amina, question, ui_text("reminder.checkin_done"))
        gas = await eventually(fake_telegram, amina, ui_text("reminder.checkin_gas"))
        await amina.click(ui_text("reminder.gas_as_expected"), message=gas)
        await shows_choice(fake_telegram, amina, gas, ui_text("reminder.gas_as_expected"))
        await eventually(fake_telegram, amina, ui_text("reminder.checkin_learned"))
        await amina.click(ui_text("reminder.skip"))
        await eventually(fake_telegram, amina, ui_text("reminder.checkin_thanks"))
        await amina.send("/preparer")
        await eventually(fake_telegram, amina, ui_text("summary.topics_question"))
        await amina.click(ui_text("summary.skip"))
        await fake_telegram.wait_for(
            lambda: ui_text("summary.send") in amina.messages[-1].button_labels
        )
        opened = max(
            i for i, m in enumerate(amina.messages) if ui_text("summary.topics_question") in m.text
        )
        preview = "\n".join(m.text for m in amina.messages[opened + 1 :])
        # Every line that names her first step names the new one (the old stays an idea).
        first_step_lines = [
            line
            for line in preview.splitlines()
            if line.startswith(
                (ui_text("worker.summary_top_first_step"), idees.step("premier_pas").label)
            )
        ]
        assert len(first_step_lines) >= 2, preview
        assert all(new in line and old not in line for line in first_step_lines), preview
        progress = ui_text(
            "worker.summary_step_progress", progress=ui_text("reminder.progress_done")
        )
        assert f"{progress} « {new}" in preview or f"{progress}\n« {new}" in preview, preview
