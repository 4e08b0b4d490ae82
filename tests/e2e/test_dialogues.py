"""A person walks each guided dialogue in Telegram, through the real Application."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from telegram.ext import Application

from bot.config import Settings
from bot.engine import load_dialogues
from bot.i18n import ui_text
from tests.e2e.helpers import (
    DIALOGUES,
    PARIS,
    again,
    asked,
    confirm_recap,
    expect,
    finish_probleme,
    intro,
    open_dialogue,
    option,
    outro,
    person_joins,
    services_of,
    spoken_about,
    title,
    ui_piece,
    ui_start,
)
from tests.fakegram import BotMessage, FakeTelegram

HOSTILE = "Je dors chez ma sœur <b>&amp;</b> {0} {} 😢"


async def test_mon_probleme_from_start_to_recap_and_the_kept_version(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    amina = await person_joins(fake_telegram, bot, "Amina")
    await open_dialogue(amina, title("probleme"))
    await expect(amina, intro("probleme"))
    await expect(amina, asked("probleme", "difficulte"))
    await amina.send(HOSTILE)
    await expect(amina, asked("probleme", "titre"))
    await amina.send("Plus de logement")
    await expect(amina, asked("probleme", "concernes"))
    me, children = (
        option("probleme", "concernes", "moi"),
        option("probleme", "concernes", "enfants"),
    )
    await amina.click(me)
    await amina.click(children)
    chosen = ui_text("engine.selected", label=me)
    assert any(label == chosen for label in amina.messages[-1].button_labels)
    await amina.click(ui_start("engine.done"))
    await expect(amina, asked("probleme", "mieux"))
    await amina.send_voice(duration=12)
    await expect(amina, asked("probleme", "moments"))
    await amina.click(ui_start("engine.skip"))
    await expect(amina, asked("probleme", "situation"))
    await amina.click("3")
    score = (
        DIALOGUES["probleme"]
        .step("pas_plus_bas")
        .text.format(situation=ui_text("engine.scale_value", value=3, of=10))
    )
    await expect(amina, score)
    await amina.send("Ma sœur m'aide")
    await expect(amina, asked("probleme", "importance"))
    await amina.click("8")
    await expect(amina, asked("probleme", "domaine"))
    await amina.click(option("probleme", "domaine", "logement"))
    recap = await expect(amina, asked("probleme", "recap"))
    assert HOSTILE in recap.text
    # List items in lower case after the first.
    assert f"{me}, {children[0].lower()}{children[1:]}" in recap.text
    assert ui_text("engine.voice", duration=12) in recap.text
    await amina.click(ui_start("engine.recap_yes"))
    menu = await expect(amina, outro("probleme"))
    assert ui_start("bot.menu") in menu.text  # the menu comes with the last words
    done = ui_text("bot.menu_done", title=title("probleme"))
    assert done in menu.button_labels

    await amina.click(done)
    version = await expect(amina, ui_piece("bot.version_header"))
    assert HOSTILE in version.text and "Plus de logement" in version.text
    await amina.click(ui_text("bot.redo"))
    await expect(amina, intro("probleme"))


async def test_mes_idees_with_two_ideas_a_first_step_and_low_confidence(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    karim = await person_joins(fake_telegram, bot, "Karim")
    await open_dialogue(karim, title("idees"))
    await expect(karim, intro("idees"))
    await expect(karim, asked("idees", "deja_essaye"))
    await karim.send("J'ai appelé la CAF")
    await expect(karim, asked("idees", "annonce_idees"))
    await expect(karim, asked("idees", "idee"))
    await karim.send("Demander un rendez-vous au bailleur")
    await expect(karim, asked("idees", "bloquer"))
    await karim.send("Je n'ose pas")
    await expect(karim, asked("idees", "aide"))
    await karim.click(ui_start("engine.skip"))
    await expect(karim, again("idees", "idees"))
    await karim.click(ui_text("engine.yes"))
    await expect(karim, asked("idees", "idee"))
    await karim.send("Écrire à l'assistante sociale")
    await expect(karim, asked("idees", "bloquer"))
    await karim.click(ui_start("engine.skip"))
    await expect(karim, asked("idees", "aide"))
    await karim.send("Ma voisine")
    await expect(karim, again("idees", "idees"))
    await karim.click(ui_text("engine.no"))
    choice = await expect(karim, asked("idees", "premier_pas"))
    assert "Écrire à l'assistante sociale" in choice.button_labels
    await karim.click("Écrire à l'assistante sociale")
    await expect(karim, asked("idees", "confiance"))
    await karim.click("5")
    await expect(karim, asked("idees", "un_point"))
    await karim.send("Que ma voisine relise")
    await expect(karim, asked("idees", "quand"))
    await karim.send("Mardi matin")
    await confirm_recap(karim)
    await expect(karim, asked("idees", "rappel"))
    await karim.click(ui_text("engine.yes"))
    # "Mardi matin" is understood (9h; said on Tuesday 1st after 9h, next Tuesday), and
    # the person is told when the reminder comes, with the last words and the menu.
    told = await expect(karim, outro("idees"))
    tuesday = datetime(2026, 12, 8, 9, tzinfo=PARIS)
    assert ui_text("reminder.step_when", date=spoken_about(tuesday)) in told.text
    assert ui_start("bot.menu") in told.text


async def test_mes_forces_in_the_simpler_emoji_scale(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    lea = await person_joins(fake_telegram, bot, "Léa")
    await open_dialogue(lea, title("forces"))
    await lea.next_message()
    first = await lea.next_message()
    assert "0" in first.button_labels and "10" in first.button_labels
    await lea.click(ui_text("engine.scale_simpler"))
    emoji = await lea.next_message()
    assert ui_text("engine.emoji_5") in emoji.button_labels
    domains = [s for s in DIALOGUES["forces"].steps if s.kind.value == "scale"]
    for domain in range(8):
        await lea.click(ui_text("engine.emoji_4"))
        await expect(lea, asked("forces", f"{domains[domain].id}_bien"))
        if domain % 2:
            await lea.send("Un peu mieux qu'avant")
        else:
            await lea.click(ui_start("engine.skip"))
        question = await lea.next_message()
        if domain < 7:
            # The setting is kept: every next scale is in emoji too.
            assert ui_text("engine.emoji_5") in question.button_labels, lea.transcript()
    assert asked("forces", "encore") in question.text
    await expect(lea, asked("forces", "savoir_faire"))
    await lea.send("Cuisiner pour beaucoup de monde")
    await expect(lea, asked("forces", "surmonte"))
    await lea.send("J'ai demandé de l'aide")
    await expect(lea, asked("forces", "soutiens"))
    await lea.send("Mon frère")
    await confirm_recap(lea)
    menu = await expect(lea, ui_start("bot.menu"))
    assert ui_text("bot.menu_done", title=title("forces")) in menu.button_labels


async def test_every_choice_is_shown_under_its_question_once_made(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    """A multiple choice, a skip, a scale, a single choice, a recap: each answer stays visible."""
    amina = await person_joins(fake_telegram, bot, "Amina")
    await finish_probleme(amina, "Je dors chez ma sœur")

    dialogue = load_dialogues(Path("dialogs"))["probleme"]

    def question(step_id: str) -> BotMessage:
        opening = dialogue.step(step_id).text.strip().splitlines()[0]
        return next(m for m in amina.messages if opening in m.text)

    def label(step_id: str, value: str) -> str:
        return next(o.label for o in dialogue.step(step_id).options if o.value == value)

    checks = {
        "concernes": label("concernes", "moi"),
        "moments": ui_text("engine.skipped"),
        "situation": ui_text("engine.scale_value", value=3, of=10),
        "importance": ui_text("engine.scale_value", value=9, of=10),
        "domaine": label("domaine", "logement"),
    }
    for step_id, answer in checks.items():
        message = question(step_id)
        assert message.text.endswith("\n" + ui_text("bot.chosen", answer=answer)), (
            amina.transcript()
        )
        assert not message.buttons  # answered: no live button left
    recap = next(m for m in amina.messages if ui_text("engine.recap_question") in m.text)
    assert recap.text.endswith(ui_text("bot.chosen", answer=ui_text("engine.recap_yes")))
    assert not recap.buttons


async def test_retour_goes_back_one_question_by_button_or_command(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    dialogue = load_dialogues(Path("dialogs"))["probleme"]

    def opening(step_id: str) -> str:
        return dialogue.step(step_id).text.strip().splitlines()[0]

    amina = await person_joins(fake_telegram, bot, "Amina")
    await open_dialogue(amina, title("probleme"))
    await amina.next_message()  # the intro
    first = await expect(amina, opening("difficulte"))
    assert ui_text("engine.previous") not in first.button_labels
    await amina.send("Je dors chez ma sœur")
    second = await expect(amina, opening("titre"))
    await amina.click(ui_text("engine.previous"))
    # The question before, asked again; its answer is still kept.
    await expect(amina, opening("difficulte"))
    assert not second.buttons
    await amina.send("Je dors chez ma sœur depuis mars")
    await expect(amina, opening("titre"))
    await amina.send("Logement")
    await expect(amina, opening("concernes"))
    await amina.send("/retour")
    await expect(amina, opening("titre"))
    await amina.send("/retour")
    await expect(amina, opening("difficulte"))
    await amina.send("/retour")
    await expect(amina, ui_text("engine.no_previous"))


async def test_after_any_command_the_pending_question_is_asked_again(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    dialogue = load_dialogues(Path("dialogs"))["probleme"]
    titre = dialogue.step("titre").text.strip().splitlines()[0]
    amina = await person_joins(fake_telegram, bot, "Amina")
    await open_dialogue(amina, title("probleme"))
    await amina.next_message()
    await amina.next_message()
    await amina.send("Je dors chez ma sœur")
    await expect(amina, titre)
    for command, reply in (
        ("/aide", ui_text("bot.help").splitlines()[0]),
        ("/urgence", ui_text("bot.emergency").splitlines()[0]),
        ("/nimporte", ui_text("bot.unknown_command").splitlines()[0]),
    ):
        await amina.send(command)
        await expect(amina, reply)
        await expect(amina, titre)
    # The question asked again takes the answer as usual.
    await amina.send("Logement")
    await expect(amina, dialogue.step("concernes").text.strip().splitlines()[0])


async def test_annuler_on_a_dialogue_nobody_answered_changes_nothing(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    """Reopened with Refaire, then /annuler at once: not "à reprendre", no answers "kept"."""
    amina = await person_joins(fake_telegram, bot, "Amina")
    await finish_probleme(amina, "Je dors chez ma sœur")
    title = load_dialogues(Path("dialogs"))["probleme"].title
    await open_dialogue(amina, ui_text("bot.menu_done", title=title))
    await amina.next_message()  # the version kept
    await amina.click(ui_text("bot.redo"))
    await amina.next_message()  # the intro
    await amina.next_message()  # the first question
    await amina.send("/annuler")
    await expect(amina, ui_text("bot.cancel_nothing"))
    await amina.send("/menu")
    menu = await expect(amina, ui_text("bot.menu"))
    assert ui_text("bot.menu_done", title=title) in menu.button_labels
    assert ui_text("bot.menu_in_progress", title=title) not in menu.button_labels


async def test_a_forwarded_message_is_asked_about_not_stored_as_her_words(
    fake_telegram: FakeTelegram,
    bot: Application,  # type: ignore[type-arg]
    settings: Settings,
) -> None:
    dialogue = load_dialogues(Path("dialogs"))["probleme"]
    difficulte = dialogue.step("difficulte").text.strip().splitlines()[0]
    titre = dialogue.step("titre").text.strip().splitlines()[0]
    amina = await person_joins(fake_telegram, bot, "Amina")
    await open_dialogue(amina, title("probleme"))
    await amina.next_message()
    await expect(amina, difficulte)
    await amina.send_forwarded("Votre dossier CAF est incomplet.")
    await expect(amina, ui_text("bot.forwarded_question").splitlines()[0])
    await amina.click(ui_text("bot.forwarded_drop"))
    await expect(amina, ui_text("bot.forwarded_dropped"))
    await expect(amina, difficulte)  # the question again
    storage = services_of(bot).storage
    (person_id,) = [
        row[0] for row in sqlite3.connect(settings.database).execute("SELECT id FROM persons")
    ]
    run = await storage.active_run(person_id, "probleme")
    assert run is not None and "difficulte" not in run.state["answers"]  # nothing stored
    await amina.send_forwarded("Votre dossier CAF est incomplet.")
    await amina.next_message()
    await amina.click(ui_text("bot.forwarded_keep"))
    await expect(amina, titre)  # she said it is her answer: it is
    run = await storage.active_run(person_id, "probleme")
    assert (
        run is not None and run.state["answers"]["difficulte"] == "Votre dossier CAF est incomplet."
    )
