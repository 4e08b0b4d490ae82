"""Each kind of step, as a person meets it: text, scale, choice, multi, confirm, message."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Dialogue, scale_scores
from tests.engine.helpers import Person, dialogue_from, ui

HEADER = """\
id: essai
version: 1
title: Essai
intro: Prenez votre temps.
outro: C'est fini, merci.
steps:
"""


def one_step(tmp_path: Path, step: str) -> Dialogue:
    return dialogue_from(tmp_path, HEADER + step)


TEXT = """\
  - id: difficulte
    kind: text
    label: Ce qui est difficile
    text: Qu'est-ce qui est difficile ?
"""

HOSTILE = ["<b>gras</b> & <i>", "{}", "{0}", "{difficulte}", "{{x}}", "😟 ça va 🙂", "%s %(x)s"]


# --- text ---------------------------------------------------------------------------


def test_start_says_the_intro_then_asks(tmp_path: Path) -> None:
    person = Person(one_step(tmp_path, TEXT))
    assert person.last.messages == ("Prenez votre temps.",)
    assert person.prompt.text == "Qu'est-ce qui est difficile ?"
    assert person.prompt.buttons == ()
    assert person.prompt.accepts_text
    assert person.prompt.turn == 1
    assert person.state["dialogue"] == "essai"
    assert person.state["version"] == 1


@pytest.mark.parametrize("words", [*HOSTILE, "x" * 4096, "  espaces autour  \n"])
def test_text_is_kept_verbatim(tmp_path: Path, words: str) -> None:
    person = Person(one_step(tmp_path, TEXT))
    outcome = person.says(words)
    assert outcome.accepted
    assert person.answers == {"difficulte": words}
    assert outcome.messages == ("C'est fini, merci.",)
    assert outcome.finished and outcome.prompt is None


@pytest.mark.parametrize(
    ("words", "why"), [("", "empty_text"), (" \n\t ", "empty_text"), ("x" * 4097, "too_long")]
)
def test_an_empty_or_huge_text_is_refused_kindly(tmp_path: Path, words: str, why: str) -> None:
    person = Person(one_step(tmp_path, TEXT))
    outcome = person.says(words)
    assert not outcome.accepted
    assert outcome.messages == (ui(why),)
    assert outcome.prompt is not None and outcome.prompt.turn == 1
    assert person.answers == {}


def test_a_voice_note_is_an_answer(tmp_path: Path) -> None:
    person = Person(one_step(tmp_path, TEXT))
    assert person.records("file-42", 17).accepted
    assert person.answers == {"difficulte": {"voice": "file-42", "duration": 17}}


def test_an_optional_step_can_be_skipped(tmp_path: Path) -> None:
    person = Person(one_step(tmp_path, TEXT + "    optional: true\n"))
    assert person.labels() == [ui("skip")]
    assert person.taps(ui("skip")).finished
    assert person.answers == {"difficulte": None}


def test_a_button_that_was_never_shown_is_refused(tmp_path: Path) -> None:
    person = Person(one_step(tmp_path, TEXT))
    outcome = person.presses("_skip")
    assert not outcome.accepted
    assert outcome.messages == (ui("not_understood"),)


# --- scale --------------------------------------------------------------------------

SCALE = """\
  - id: situation
    kind: scale
    label: Aujourd'hui
    text: Vous en êtes où ?
    low: le pire
    high: réglé
  - id: importance
    kind: scale
    label: Importance
    text: C'est important ?
"""


def test_a_scale_shows_0_to_10_in_short_rows_and_its_anchors(tmp_path: Path) -> None:
    person = Person(one_step(tmp_path, SCALE))
    rows = person.prompt.buttons
    assert [[b.value for b in row] for row in rows[:-1]] == [
        ["0", "1", "2", "3"],
        ["4", "5", "6", "7"],
        ["8", "9", "10"],
    ]
    assert all(len(row) <= 5 for row in rows)
    assert [b.label for b in rows[-1]] == [ui("scale_simpler")]
    assert person.prompt.text == "Vous en êtes où ?\n" + ui(
        "scale_anchors", low_value=0, low="le pire", high_value=10, high="réglé"
    )
    assert not person.prompt.accepts_text


def test_a_score_is_stored_with_its_scale(tmp_path: Path) -> None:
    person = Person(one_step(tmp_path, SCALE))
    person.presses("7")
    assert person.answers == {"situation": {"value": 7, "of": 10}}
    assert person.last.messages == ()
    assert person.prompt.turn == 2


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("7", 7),
        (" 7 ", 7),
        ("7/10", 7),
        ("7 / 10", 7),
        ("sept", 7),
        ("Sept.", 7),
        ("7 sur 10", 7),
        ("zéro", 0),
        ("zero", 0),
        ("10", 10),
        ("dix !", 10),
        ("une", 1),
    ],
)
def test_a_typed_score_is_understood(tmp_path: Path, typed: str, value: int) -> None:
    person = Person(one_step(tmp_path, SCALE))
    assert person.says(typed).accepted
    assert person.answers["situation"] == {"value": value, "of": 10}


@pytest.mark.parametrize("typed", ["11", "-1", "7,5", "beaucoup", "7 sur 8", "j'ai 7", "😐"])
def test_a_score_out_of_range_gets_a_hint(tmp_path: Path, typed: str) -> None:
    person = Person(one_step(tmp_path, SCALE))
    outcome = person.says(typed)
    assert not outcome.accepted
    assert outcome.messages == (ui("scale_hint", low=0, high=10),)


def test_a_voice_note_on_a_scale_gets_the_hint(tmp_path: Path) -> None:
    person = Person(one_step(tmp_path, SCALE))
    outcome = person.records()
    assert not outcome.accepted
    assert outcome.messages == (ui("scale_hint", low=0, high=10),)


def test_the_simpler_scale_has_five_faces(tmp_path: Path) -> None:
    person = Person(one_step(tmp_path, SCALE), scale_mode="emoji")
    faces = person.prompt.buttons[0]
    assert [b.label for b in faces] == [ui(f"emoji_{n}") for n in range(1, 6)]
    assert [b.value for b in faces] == ["1", "2", "3", "4", "5"]
    assert [b.label for b in person.prompt.buttons[1]] == [ui("scale_numbers")]
    assert "1 = le pire · 5 = réglé" in person.prompt.text
    person.taps(ui("emoji_4"))
    assert person.answers["situation"] == {"value": 4, "of": 5}


def test_switching_scale_mode_asks_again_and_is_remembered(tmp_path: Path) -> None:
    person = Person(one_step(tmp_path, SCALE))
    outcome = person.taps(ui("scale_simpler"))
    assert outcome.accepted and outcome.scale_mode == "emoji"
    assert person.state["scale_mode"] == "emoji"
    assert person.prompt.turn == 2
    assert person.step == "situation"
    assert person.answers == {}
    # The old 0–10 buttons are stale now.
    assert not person.presses("9", turn=1).accepted
    person.presses("5")
    assert person.answers["situation"] == {"value": 5, "of": 5}
    # The next scale keeps the simpler mode, without saying so again.
    assert person.last.scale_mode is None
    assert person.labels()[0] == ui("emoji_1")
    back = person.taps(ui("scale_numbers"))
    assert back.scale_mode == "numbers" and len(person.buttons()) == 12


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("3", {"value": 3, "of": 5}),
        ("trois", {"value": 3, "of": 5}),
        ("7/10", {"value": 7, "of": 10}),
        ("2 sur 5", {"value": 2, "of": 5}),
    ],
)
def test_typing_on_the_simpler_scale(tmp_path: Path, typed: str, answer: dict[str, int]) -> None:
    person = Person(one_step(tmp_path, SCALE), scale_mode="emoji")
    assert person.says(typed).accepted
    assert person.answers["situation"] == answer


def test_typing_0_or_7_on_the_simpler_scale_gets_its_hint(tmp_path: Path) -> None:
    person = Person(one_step(tmp_path, SCALE), scale_mode="emoji")
    for typed in ("7", "0", "6/5", "7/0"):
        outcome = person.says(typed)
        assert not outcome.accepted
        assert outcome.messages == (ui("scale_hint", low=1, high=5),)


def test_scores_are_normalised_to_0_10(tmp_path: Path) -> None:
    dialogue = one_step(tmp_path, SCALE)
    for face, score in [("1", 0.0), ("2", 2.5), ("3", 5.0), ("4", 7.5), ("5", 10.0)]:
        person = Person(dialogue, scale_mode="emoji")
        person.presses(face)
        person.taps(ui("scale_numbers"))
        person.presses("6")
        assert scale_scores(dialogue, person.state) == {"situation": score, "importance": 6.0}


def test_an_unknown_scale_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="scale_mode"):
        Person(one_step(tmp_path, SCALE), scale_mode="stars")


# --- choice -------------------------------------------------------------------------

CHOICE = """\
  - id: domaine
    kind: choice
    label: Domaine
    text: Quel domaine ?
    options:
      - {value: logement, label: Logement}
      - {value: sante, label: Santé}
      - {value: travail, label: Travail ou formation}
"""


def test_a_choice_offers_its_options_in_rows(tmp_path: Path) -> None:
    person = Person(one_step(tmp_path, CHOICE))
    rows = [[b.label for b in row] for row in person.prompt.buttons]
    assert rows == [["Logement", "Santé"], ["Travail ou formation"]]
    assert not person.prompt.accepts_text
    person.taps("Santé")
    assert person.answers == {"domaine": {"value": "sante", "label": "Santé"}}


@pytest.mark.parametrize("typed", ["santé", "SANTE", " Santé ! "])
def test_typing_an_option_chooses_it(tmp_path: Path, typed: str) -> None:
    person = Person(one_step(tmp_path, CHOICE))
    assert person.says(typed).accepted
    assert person.answers["domaine"]["value"] == "sante"


def test_other_words_are_refused_without_other(tmp_path: Path) -> None:
    person = Person(one_step(tmp_path, CHOICE))
    for outcome in (person.says("la cuisine"), person.records()):
        assert not outcome.accepted
        assert outcome.messages == (ui("use_buttons"),)


def test_other_lets_the_person_use_their_own_words(tmp_path: Path) -> None:
    person = Person(one_step(tmp_path, CHOICE + "    other: true\n"))
    assert person.labels()[-1] == ui("other")
    assert person.prompt.accepts_text
    person.taps(ui("other"))
    assert person.prompt.text == ui("other_prompt")
    assert person.labels() == [ui("back")]
    assert person.prompt.turn == 2
    person.taps(ui("back"))
    assert person.labels()[0] == "Logement" and person.prompt.turn == 3
    person.taps(ui("other"))
    person.says("<b>la cuisine</b>")
    assert person.answers == {"domaine": {"value": "_other", "text": "<b>la cuisine</b>"}}


def test_typed_words_count_as_other_when_other_is_offered(tmp_path: Path) -> None:
    person = Person(one_step(tmp_path, CHOICE + "    other: true\n"))
    person.says("la cuisine")
    assert person.answers == {"domaine": {"value": "_other", "text": "la cuisine"}}
    person = Person(one_step(tmp_path, CHOICE + "    other: true\n"))
    person.records("v", 3)
    assert person.answers == {"domaine": {"value": "_other", "text": {"voice": "v", "duration": 3}}}


# --- multi --------------------------------------------------------------------------

MULTI = """\
  - id: qui
    kind: multi
    label: Les personnes concernées
    text: C'est un problème pour qui ?
    options:
      - {value: moi, label: Moi}
      - {value: enfants, label: Mes enfants}
      - {value: famille, label: Ma famille}
    other: true
"""


def test_a_multi_choice_ticks_in_place_then_validates(tmp_path: Path) -> None:
    person = Person(one_step(tmp_path, MULTI))
    turn = person.prompt.turn
    person.taps("Ma famille")
    assert person.prompt.turn == turn  # same question: the caller edits it in place
    person.taps("Moi")
    assert person.labels()[:3] == [
        ui("selected", label="Moi"),
        "Mes enfants",
        ui("selected", label="Ma famille"),
    ]
    person.taps(ui("selected", label="Moi"))  # untick
    person.taps("Moi")
    assert person.answers == {}
    assert person.labels()[-1] == ui("done")
    person.taps(ui("done"))
    assert person.answers == {
        "qui": [{"value": "moi", "label": "Moi"}, {"value": "famille", "label": "Ma famille"}]
    }


def test_validating_nothing_is_refused(tmp_path: Path) -> None:
    person = Person(one_step(tmp_path, MULTI))
    outcome = person.taps(ui("done"))
    assert not outcome.accepted and outcome.messages == (ui("choose_one"),)


def test_a_multi_choice_takes_other_words_too(tmp_path: Path) -> None:
    person = Person(one_step(tmp_path, MULTI))
    person.taps("Moi")
    person.taps(ui("other"))
    assert person.prompt.text == ui("other_prompt") and person.prompt.turn == 2
    person.says("ma voisine")
    assert person.step == "qui" and person.prompt.turn == 3
    assert ui("selected", label=ui("other")) in person.labels()
    assert ui("selected", label="Moi") in person.labels()
    person.taps(ui("done"))
    assert person.answers["qui"] == [
        {"value": "moi", "label": "Moi"},
        {"value": "_other", "text": "ma voisine"},
    ]


def test_typing_in_a_multi_choice(tmp_path: Path) -> None:
    person = Person(one_step(tmp_path, MULTI))
    person.says("mes enfants")  # an option's label ticks it, below: a new turn
    assert person.prompt.turn == 2
    assert ui("selected", label="Mes enfants") in person.labels()
    person.says("mon frère")  # anything else is "Autre"
    assert ui("selected", label=ui("other")) in person.labels()
    person.taps(ui("selected", label=ui("other")))  # untick "Autre"
    assert ui("other") in person.labels()
    person.says("valider")
    assert person.answers["qui"] == [{"value": "enfants", "label": "Mes enfants"}]


# --- confirm and message ------------------------------------------------------------

CONFIRM = """\
  - id: avant
    kind: message
    text: Une dernière chose.
  - id: rappel
    kind: confirm
    label: Rappel
    text: Je vous le rappelle ?
"""


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("oui", True),
        ("OUI", True),
        ("Oui !", True),
        ("ok", True),
        ("d'accord", True),
        ("non", False),
        ("Non merci", False),
        ("NON.", False),
        ("nan", False),
    ],
)
def test_a_confirm_takes_yes_or_no(tmp_path: Path, typed: str, answer: bool) -> None:
    person = Person(one_step(tmp_path, CONFIRM))
    assert person.says(typed).accepted
    assert person.answers == {"rappel": answer}


def test_a_confirm_has_two_buttons_and_refuses_maybe(tmp_path: Path) -> None:
    person = Person(one_step(tmp_path, CONFIRM))
    assert person.last.messages == ("Prenez votre temps.", "Une dernière chose.")
    assert person.labels() == [ui("yes"), ui("no")]
    assert not person.says("peut-être").accepted
    person.taps(ui("no"))
    assert person.answers == {"rappel": False}


def test_a_message_at_the_end_is_said_before_the_outro(tmp_path: Path) -> None:
    dialogue = one_step(tmp_path, TEXT + "  - id: fin\n    kind: message\n    text: Bravo.\n")
    person = Person(dialogue)
    assert person.says("mot").messages == ("Bravo.", "C'est fini, merci.")


def test_a_tick_never_moves_the_buttons(tmp_path: Path) -> None:
    person = Person(one_step(tmp_path, MULTI.replace("label: Moi}", "label: Moi et les miens}")))
    shape = [[b.value for b in row] for row in person.prompt.buttons]
    for label in ("Moi et les miens", "Mes enfants", "Ma famille"):
        person.taps(label)
        assert [[b.value for b in row] for row in person.prompt.buttons] == shape
