"""'↩︎ Retour' and /retour go back one question everywhere a person or a worker answers:
every kind of dialogue step, an agreement's round, the worker's agreement, the summary."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.config import Settings
from bot.engine import Dialogue, load_dialogues
from bot.i18n import ui_text
from tests.e2e.helpers import (
    App,
    expect,
    finish_probleme,
    open_dialogue,
    person_joins,
    shows_choice,
    worker_joins,
)
from tests.e2e.test_summaries import STEPS_OF_SOPHIE, first_line, read_preview
from tests.fakegram import FakeTelegram, FakeUser

DIALOGUES = load_dialogues(Path(__file__).parents[2] / "dialogs")
PROBLEME, IDEES = DIALOGUES["probleme"], DIALOGUES["idees"]
BACK = ui_text("engine.previous")


def opening(dialogue: Dialogue, step_id: str) -> str:
    return dialogue.step(step_id).text.splitlines()[0]


def pending(settings: Settings) -> list[tuple[object, ...]]:
    """The free-text input each account is expected to give next (kind, ref)."""
    with sqlite3.connect(settings.database) as db:
        return list(db.execute("SELECT kind, ref FROM pending_inputs"))


async def test_retour_at_every_kind_of_dialogue_step(fake_telegram: FakeTelegram, bot: App) -> None:
    """Text, multiple choice, scale, choice, recap ("Que voulez-vous corriger ?"), repeat group
    and yes/no: Retour from each brings back the question before, its answer kept."""
    amina = await person_joins(fake_telegram, bot, "Amina")
    await open_dialogue(amina, PROBLEME.title)
    await expect(amina, PROBLEME.intro.splitlines()[0])
    await expect(amina, opening(PROBLEME, "difficulte"))
    await amina.send("Je dors chez ma sœur")
    await expect(amina, opening(PROBLEME, "titre"))
    await amina.send("Logement")
    # multi -> text
    await expect(amina, opening(PROBLEME, "concernes"))
    await amina.click(BACK)
    await expect(amina, opening(PROBLEME, "titre"))
    await amina.send("Logement")
    await expect(amina, opening(PROBLEME, "concernes"))
    await amina.click(PROBLEME.step("concernes").options[0].label)
    await amina.click(ui_text("engine.done"))
    await expect(amina, opening(PROBLEME, "mieux"))
    # text -> multi: what was ticked is ticked again.
    await amina.click(BACK)
    again = await expect(amina, opening(PROBLEME, "concernes"))
    ticked = ui_text("engine.selected", label=PROBLEME.step("concernes").options[0].label)
    assert ticked in again.button_labels
    await amina.click(ui_text("engine.done"))
    await expect(amina, opening(PROBLEME, "mieux"))
    await amina.send("J'aurais un endroit à moi")
    await expect(amina, opening(PROBLEME, "moments"))
    await amina.click(ui_text("engine.skip"))
    # scale -> optional text
    await expect(amina, opening(PROBLEME, "situation"))
    await amina.click(BACK)
    await expect(amina, opening(PROBLEME, "moments"))
    await amina.click(ui_text("engine.skip"))
    await expect(amina, opening(PROBLEME, "situation"))
    await amina.click("3")
    await expect(amina, opening(PROBLEME, "pas_plus_bas").split("{")[0])
    await amina.send("Ma sœur m'aide")
    await expect(amina, opening(PROBLEME, "importance"))
    await amina.click("9")
    # choice -> scale
    await expect(amina, opening(PROBLEME, "domaine"))
    await amina.click(BACK)
    await expect(amina, opening(PROBLEME, "importance"))
    await amina.click("9")
    await expect(amina, opening(PROBLEME, "domaine"))
    await amina.click(PROBLEME.step("domaine").options[0].label)
    # recap's "Que voulez-vous corriger ?" -> the recap
    recap = await expect(amina, opening(PROBLEME, "recap"))
    while not recap.button_labels:
        recap = await amina.next_message()
    await amina.click(ui_text("engine.fix"), message=recap)
    await expect(amina, ui_text("engine.recap_which"))
    await amina.click(BACK)
    recap = await expect(amina, opening(PROBLEME, "recap"))
    while not recap.button_labels:
        recap = await amina.next_message()
    # recap -> choice
    await amina.click(BACK, message=recap)
    await expect(amina, opening(PROBLEME, "domaine"))

    # Mes idées: a repeat group's "Une autre idée ?" and a yes/no question.
    await open_dialogue(amina, IDEES.title)
    await expect(amina, IDEES.intro.splitlines()[0])
    await expect(amina, opening(IDEES, "deja_essaye"))
    await amina.send("Rien encore")
    await expect(amina, opening(IDEES, "annonce_idees"))
    await expect(amina, opening(IDEES, "idee"))
    await amina.send("Appeler la CAF")
    await expect(amina, opening(IDEES, "bloquer"))
    await amina.click(ui_text("engine.skip"))
    await expect(amina, opening(IDEES, "aide"))
    await amina.click(ui_text("engine.skip"))
    # repeat group's question -> the item's last question
    await expect(amina, IDEES.step("idees").again)
    await amina.click(BACK)
    await expect(amina, opening(IDEES, "aide"))
    await amina.click(ui_text("engine.skip"))
    await expect(amina, IDEES.step("idees").again)
    await amina.click(ui_text("engine.no"))
    await expect(amina, opening(IDEES, "premier_pas"))
    await amina.click("Appeler la CAF")
    await expect(amina, opening(IDEES, "confiance"))
    await amina.click("8")
    await expect(amina, opening(IDEES, "quand"))
    await amina.send("jeudi")
    recap = await expect(amina, opening(IDEES, "recap"))
    while not recap.button_labels:
        recap = await amina.next_message()
    await amina.click(ui_text("engine.recap_yes"), message=recap)
    # yes/no -> the recap
    await expect(amina, opening(IDEES, "rappel"))
    await amina.click(BACK)
    await expect(amina, opening(IDEES, "recap"))


async def sophie_proposes(fake: FakeTelegram, bot: App) -> tuple[FakeUser, FakeUser]:
    """Sophie records three steps with Amina and sends them; Amina gets the question."""
    sophie, _ = await worker_joins(fake, bot, "Sophie")
    amina = await person_joins(fake, bot, "Amina", worker_user=sophie)
    await sophie.next_message()
    await sophie.send("/personnes")
    await sophie.next_message()
    await sophie.click("Amina")
    await sophie.next_message()
    await sophie.click(ui_text("worker.card_agree"))
    await expect(sophie, first_line("worker.agree_problem_question", person="Amina"))
    await sophie.send("Trouver un logement stable")
    await expect(sophie, first_line("worker.agree_steps_question"))
    await sophie.send("\n".join(" ; ".join(step) for step in STEPS_OF_SOPHIE))
    await expect(sophie, ui_text("worker.agree_preview", person="Amina"))
    await sophie.click(ui_text("worker.agree_send"))
    await expect(sophie, first_line("worker.agree_sent", person="Amina"))
    await expect(amina, first_line("agreement.proposed", worker="Sophie D."))
    return sophie, amina


async def test_retour_inside_an_agreements_round_goes_back_one_question(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    _, amina = await sophie_proposes(fake_telegram, bot)
    question = await expect(amina, ui_text("agreement.question"))
    await amina.click(ui_text("agreement.change_step"))
    await shows_choice(fake_telegram, amina, question, ui_text("agreement.change_step"))
    # "Quelle étape ?" -> the round's question
    which_step = await expect(amina, ui_text("agreement.which_step"))
    await amina.click(BACK)
    await shows_choice(fake_telegram, amina, which_step, BACK)
    await expect(amina, ui_text("agreement.question"))
    await amina.click(ui_text("agreement.change_step"))
    await expect(amina, ui_text("agreement.which_step"))
    await amina.click(ui_text("agreement.step_button", number=1))
    # "Qu'est-ce qui change ?" -> "Quelle étape ?"
    await expect(amina, ui_text("agreement.which_part", number=1))
    await amina.click(BACK)
    await expect(amina, ui_text("agreement.which_step"))
    await amina.click(ui_text("agreement.step_button", number=1))
    await expect(amina, ui_text("agreement.which_part", number=1))
    await amina.click(ui_text("agreement.part_when"))
    # The wording (a free-text input) -> "Qu'est-ce qui change ?", by button then by command.
    await expect(amina, ui_text("agreement.ask_when"))
    assert [kind for kind, _ in pending(settings)] == ["agreement_amend"]
    await amina.click(BACK)
    await expect(amina, ui_text("agreement.which_part", number=1))
    assert pending(settings) == []
    await amina.click(ui_text("agreement.part_when"))
    await expect(amina, ui_text("agreement.ask_when"))
    await amina.send("/retour")
    await expect(amina, ui_text("agreement.which_part", number=1))
    await amina.click(ui_text("agreement.part_when"))
    await expect(amina, ui_text("agreement.ask_when"))
    await amina.send("jeudi matin")
    # The preview -> the wording again; nothing was sent.
    await expect(amina, first_line("agreement.preview", name="Sophie D.", change=""))
    await amina.click(BACK)
    await expect(amina, ui_text("agreement.ask_when"))
    await amina.send("jeudi après-midi")
    preview = await expect(amina, first_line("agreement.preview", name="Sophie D.", change=""))
    later = ui_text("agreement.diff_change", number=1, before="mercredi", after="jeudi après-midi")
    assert later in preview.text
    with sqlite3.connect(settings.database) as db:
        assert db.execute("SELECT COUNT(*) FROM agreements").fetchone() == (1,)
    await amina.click(ui_text("agreement.send"))
    await shows_choice(fake_telegram, amina, preview, ui_text("agreement.send"))
    await expect(amina, ui_text("agreement.amended_sent"))
    with sqlite3.connect(settings.database) as db:
        assert db.execute("SELECT COUNT(*) FROM agreements").fetchone() == (2,)


async def test_retour_while_the_worker_writes_an_agreement(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    sophie, _ = await worker_joins(fake_telegram, bot, "Sophie")
    await person_joins(fake_telegram, bot, "Amina", worker_user=sophie)
    await sophie.next_message()
    await sophie.send("/personnes")
    await sophie.next_message()
    await sophie.click("Amina")
    await sophie.next_message()
    await sophie.click(ui_text("worker.card_agree"))
    await expect(sophie, first_line("worker.agree_problem_question", person="Amina"))
    # The first question: nothing before it, asked again.
    await sophie.send("/retour")
    await expect(sophie, ui_text("engine.no_previous"))
    await expect(sophie, first_line("worker.agree_problem_question", person="Amina"))
    await sophie.send("Trouver un logement")
    # The steps -> the problem, by button.
    await expect(sophie, first_line("worker.agree_steps_question"))
    await sophie.click(BACK)
    await expect(sophie, first_line("worker.agree_problem_question", person="Amina"))
    await sophie.send("Trouver un logement stable")
    await expect(sophie, first_line("worker.agree_steps_question"))
    await sophie.send("\n".join(" ; ".join(step) for step in STEPS_OF_SOPHIE))
    # The preview -> the steps, by command; the problem kept.
    await expect(sophie, ui_text("worker.agree_preview", person="Amina"))
    await sophie.send("/retour")
    await expect(sophie, first_line("worker.agree_steps_question"))
    await sophie.send(" ; ".join(STEPS_OF_SOPHIE[0]))
    preview = await expect(sophie, ui_text("worker.agree_preview", person="Amina"))
    assert ui_text("agreement.proposed_problem", problem="Trouver un logement stable") in (
        preview.text
    )
    await sophie.click(ui_text("worker.agree_send"))
    await shows_choice(fake_telegram, sophie, preview, ui_text("worker.agree_send"))
    await expect(sophie, first_line("worker.agree_sent", person="Amina"))
    # Nothing is being written any more.
    await sophie.send("/retour")
    await expect(sophie, first_line("worker.nothing_to_go_back_to"))


async def test_retour_in_the_summary_goes_back_to_what_she_wants_to_talk_about(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    sophie, _ = await worker_joins(fake_telegram, bot, "Sophie")
    amina = await person_joins(fake_telegram, bot, "Amina", worker_user=sophie)
    await finish_probleme(amina, "Je dors chez ma sœur")
    await amina.send("/preparer")
    await expect(amina, first_line("summary.topics_question"))
    # The first question of /preparer: nothing before it.
    await amina.send("/retour")
    await expect(amina, ui_text("engine.no_previous"))
    topics = await expect(amina, first_line("summary.topics_question"))
    await amina.click(ui_text("summary.skip"))
    await shows_choice(fake_telegram, amina, topics, ui_text("summary.skip"))
    _, control = await read_preview(amina)
    # From the choices, back to the topics: said again, they replace "Passer".
    await amina.click(BACK, message=control)
    await shows_choice(fake_telegram, amina, control, BACK)
    await expect(amina, first_line("summary.topics_question"))
    await amina.send("Le logement")
    preview, control = await read_preview(amina)
    assert "Le logement" in preview
    await amina.click(ui_text("summary.later"), message=control)
    await shows_choice(fake_telegram, amina, control, ui_text("summary.later"))
    await expect(amina, first_line("summary.kept"))


async def test_a_button_answer_stays_visible_on_the_consent_the_menu_and_the_language(
    fake_telegram: FakeTelegram, bot: App
) -> None:
    amina = await person_joins(fake_telegram, bot, "Amina")
    consent = next(m for m in amina.messages if m.text.startswith(ui_text("consent.question")))
    await shows_choice(fake_telegram, amina, consent, ui_text("consent.accept"))
    await amina.send("/menu")
    menu = await expect(amina, ui_text("bot.menu"))
    await amina.click(PROBLEME.title, message=menu)
    await shows_choice(fake_telegram, amina, menu, PROBLEME.title)
    await expect(amina, PROBLEME.intro.splitlines()[0])
    await expect(amina, opening(PROBLEME, "difficulte"))
    await amina.send("/langue")
    languages = await expect(amina, ui_text("bot.language_question"))
    await amina.click(ui_text("bot.language_fr"), message=languages)
    await shows_choice(fake_telegram, amina, languages, ui_text("bot.language_fr"))


async def test_after_a_command_the_question_waiting_for_words_comes_back(
    fake_telegram: FakeTelegram, bot: App, settings: Settings
) -> None:
    """Not only a dialogue's question: the summary's topics and an agreement's wording too."""
    sophie, amina = await sophie_proposes(fake_telegram, bot)
    await expect(amina, ui_text("agreement.question"))
    await amina.click(ui_text("agreement.add_step"))
    await expect(amina, ui_text("agreement.ask_add"))
    await amina.send("/aide")
    await expect(amina, ui_text("bot.help").splitlines()[0])
    again = await expect(amina, ui_text("agreement.ask_add"))
    assert BACK in again.button_labels
    await amina.send("Demander à ma sœur de venir")
    await expect(amina, first_line("agreement.preview", name="Sophie D.", change=""))
    await amina.send("/urgence")
    await expect(amina, ui_text("bot.emergency").splitlines()[0])
    preview = await expect(amina, first_line("agreement.preview", name="Sophie D.", change=""))
    await amina.click(ui_text("agreement.send"), message=preview)
    await expect(amina, ui_text("agreement.amended_sent"))

    # The worker, writing a new agreement, types an unknown command between two answers.
    await expect(sophie, first_line("worker.agreement_amended", person="Amina", change=""))
    await expect(sophie, ui_text("agreement.question"))
    await sophie.send("/personnes")
    await sophie.next_message()
    await sophie.click("Amina")
    await sophie.next_message()
    await sophie.click(ui_text("worker.card_agree"))
    await expect(sophie, first_line("worker.agree_problem_question", person="Amina"))
    await sophie.send("Trouver un logement")
    await expect(sophie, first_line("worker.agree_steps_question"))
    await sophie.send("/nimporte_quoi")
    await expect(sophie, first_line("bot.unknown_command"))
    await expect(sophie, first_line("worker.agree_steps_question"))

    await finish_probleme(amina, "Je dors chez ma sœur")
    await amina.send("/preparer")
    await expect(amina, first_line("summary.topics_question"))
    await amina.send("/aide")
    await expect(amina, ui_text("bot.help").splitlines()[0])
    await expect(amina, first_line("summary.topics_question"))
