"""'↩︎ Retour' goes back one question at every kind of step, every answer kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Dialogue, current_prompt
from bot.engine.model import NO, OTHER, PREVIOUS, YES
from tests.engine.helpers import TR, Person, dialogue_from, ui

ALL_KINDS = """\
id: essai
version: 1
title: Essai
intro: Prenez votre temps.
outro: C'est fini, merci.
steps:
  - id: difficulte
    kind: text
    label: Ce qui est difficile
    text: Qu'est-ce qui est difficile ?
  - id: qui
    kind: multi
    label: Qui
    other: true
    text: C'est difficile pour qui ?
    options:
      - {value: moi, label: moi}
      - {value: enfants, label: mes enfants}
  - id: note
    kind: scale
    label: Aujourd'hui
    text: De 0 à 10, vous en êtes où ?
  - id: domaine
    kind: choice
    label: Domaine
    text: Quel domaine ?
    options:
      - {value: logement, label: logement}
      - {value: argent, label: argent}
  - id: idees
    kind: repeat
    label: Idée
    again: Une autre idée ?
    max_items: 3
    steps:
      - id: idee
        kind: text
        label: Idée
        text: Écrivez une idée.
  - id: rappel
    kind: confirm
    label: Rappel
    text: Je vous le rappelle ?
  - id: recap
    kind: recap
    text: "Voici ce que j'ai compris :"
    steps: [difficulte, qui, note, domaine, rappel]
"""


@pytest.fixture
def dialogue(tmp_path: Path) -> Dialogue:
    return dialogue_from(tmp_path, ALL_KINDS)


def walk_to_recap(person: Person) -> None:
    person.says("Je dors chez ma sœur")
    person.taps("mes enfants")
    person.presses("_done")
    person.taps("7")
    person.taps("logement")
    person.says("Appeler la CAF")
    person.presses(NO)  # no other idea
    person.presses(YES)  # remind me


def test_the_first_question_has_no_way_back(dialogue: Dialogue) -> None:
    person = Person(dialogue)
    assert not person.can_go_back
    outcome = person.goes_back()
    assert not outcome.accepted and outcome.messages == (ui("no_previous"),)


def test_back_from_every_kind_of_step_to_the_one_before_keeps_every_answer(
    dialogue: Dialogue,
) -> None:
    person = Person(dialogue)
    walk_to_recap(person)
    assert person.step == "recap"
    kept = dict(person.answers)
    # Back along the whole way, one question at a time, nothing forgotten.
    expected = ["rappel", "idees", "idee", "domaine", "note", "qui", "difficulte"]
    for step in expected:
        assert person.can_go_back
        outcome = person.goes_back()
        assert outcome.accepted and person.step == step
        assert person.answers == kept
    assert not person.can_go_back


def test_back_to_a_multiple_choice_shows_what_was_ticked(dialogue: Dialogue) -> None:
    person = Person(dialogue)
    person.says("Je dors chez ma sœur")
    person.taps("mes enfants")
    person.presses(OTHER)
    person.says("ma mère")
    person.presses("_done")
    assert person.step == "note"
    person.goes_back()
    assert person.step == "qui"
    assert person.state["cursor"]["selected"] == ["enfants"]
    assert person.state["cursor"]["other"] == "ma mère"
    # Validated again as it was: the same answer, and on to the next question.
    person.presses("_done")
    assert person.step == "note"
    assert person.answers["qui"][0]["value"] == "enfants"


def test_after_going_back_a_new_answer_replaces_the_old_and_the_way_on_is_the_same(
    dialogue: Dialogue,
) -> None:
    person = Person(dialogue)
    person.says("Je dors chez ma sœur")
    person.taps("moi")
    person.presses("_done")
    person.taps("3")
    person.goes_back()
    assert person.step == "note" and person.answers["note"]["value"] == 3
    person.taps("8")
    assert person.step == "domaine" and person.answers["note"]["value"] == 8
    person.goes_back()
    person.goes_back()
    assert person.step == "qui"


def test_back_inside_a_repeat_group_returns_to_the_items_question(dialogue: Dialogue) -> None:
    person = Person(dialogue)
    walk_to_recap(person)
    person.goes_back()  # rappel
    person.goes_back()  # "une autre idée ?"
    assert person.state["cursor"]["phase"] == "again"
    person.presses(YES)
    assert person.step == "idee" and person.state["cursor"]["item"] == 1
    person.goes_back()
    assert person.state["cursor"]["phase"] == "again"
    assert person.answers["idees"] == [{"idee": "Appeler la CAF"}]


def test_a_state_stored_before_retour_existed_still_resumes(dialogue: Dialogue) -> None:
    person = Person(dialogue)
    person.says("Je dors chez ma sœur")
    state = dict(person.state)
    del state["history"]
    prompt = current_prompt(dialogue, state, TR)
    assert prompt is not None and PREVIOUS not in {b.value for row in prompt.buttons for b in row}
