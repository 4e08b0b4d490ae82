"""Moving through a dialogue: recap and corrections, repeat groups, branches, resuming."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from bot.engine import (
    ButtonPress,
    TextAnswer,
    advance,
    answers_view,
    current_prompt,
    is_finished,
    is_stale,
)
from tests.engine.helpers import TR, Person, dialogue_from, ui
from tests.engine.test_steps import HEADER, HOSTILE

PROBLEM = (
    HEADER
    + """\
  - id: difficulte
    kind: text
    label: Ce qui est difficile
    text: Qu'est-ce qui est difficile ?
  - id: qui
    kind: multi
    label: Pour qui
    text: Pour qui ?
    options:
      - {value: moi, label: Moi}
      - {value: famille, label: Ma famille}
  - id: situation
    kind: scale
    label: Aujourd'hui
    text: Vous en êtes où ?
    next:
      - when: {step: situation, below: 1}
        goto: tenir
  - id: pas_plus_bas
    kind: text
    label: Ce qui aide déjà
    text: Qu'est-ce qui fait que vous êtes à {situation}, et pas plus bas ?
    next:
      - goto: moments
  - id: tenir
    kind: text
    label: Ce qui aide à tenir
    text: Qu'est-ce qui vous aide à tenir ?
  - id: moments
    kind: text
    label: Moments
    optional: true
    text: Des moments moins difficiles ?
  - id: recap
    kind: recap
    text: "Voici ce que j'ai compris :"
    steps: [difficulte, qui, situation, pas_plus_bas, tenir, moments]
  - id: apres
    kind: confirm
    label: Partager
    text: On continue ?
"""
)


def problem(tmp_path: Path) -> Person:
    return Person(dialogue_from(tmp_path, PROBLEM))


def to_recap(person: Person, *, difficulte: str = "le loyer", score: str = "4") -> None:
    person.says(difficulte)
    person.taps("Moi")
    person.taps(ui("done"))
    person.presses(score)
    person.says("ma sœur")
    person.taps(ui("skip"))
    assert person.step == "recap"


# --- placeholders and branches ------------------------------------------------------


def test_an_earlier_answer_fills_the_question(tmp_path: Path) -> None:
    person = problem(tmp_path)
    person.says("le loyer")
    person.taps("Moi")
    person.taps(ui("done"))
    person.presses("4")
    assert person.prompt.text == "Qu'est-ce qui fait que vous êtes à 4 sur 10, et pas plus bas ?"


def test_the_branch_is_taken_below_the_threshold(tmp_path: Path) -> None:
    person = problem(tmp_path)
    person.says("le loyer")
    person.taps("Moi")
    person.taps(ui("done"))
    person.presses("0")
    assert person.step == "tenir"
    person.says("mes enfants")
    assert person.step == "moments"
    assert "pas_plus_bas" not in person.answers


def test_the_branch_compares_the_simpler_scale_on_0_10(tmp_path: Path) -> None:
    person = Person(dialogue_from(tmp_path, PROBLEM), scale_mode="emoji")
    person.says("le loyer")
    person.taps("Moi")
    person.taps(ui("done"))
    person.presses("1")  # 1 of 5 is 0 of 10
    assert person.step == "tenir"


CHOICES = (
    HEADER
    + """\
  - id: domaine
    kind: choice
    label: Domaine
    text: Quel domaine ?
    options:
      - {value: logement, label: Logement}
      - {value: sante, label: Santé}
      - {value: argent, label: Argent}
    next:
      - when: {step: domaine, equals: logement}
        goto: loyer
      - when: {step: domaine, in: [sante]}
        goto: end
  - id: argent
    kind: text
    label: Argent
    text: Et l'argent ?
  - id: loyer
    kind: text
    label: Loyer
    text: Et le loyer ?
"""
)


def test_conditions_on_a_choice(tmp_path: Path) -> None:
    dialogue = dialogue_from(tmp_path, CHOICES)
    for label, expected in [("Logement", "loyer"), ("Santé", None), ("Argent", "argent")]:
        person = Person(dialogue)
        person.taps(label)
        assert person.step == expected


def test_hostile_words_are_never_read_as_a_template(tmp_path: Path) -> None:
    source = (
        HEADER
        + """\
  - id: mot
    kind: text
    label: Mot
    text: Un mot ?
  - id: echo
    kind: text
    label: Écho
    text: "Vous avez dit : {mot}. Et {{ceci}} ?"
"""
    )
    dialogue = dialogue_from(tmp_path, source)
    for words in HOSTILE:
        person = Person(dialogue)
        person.says(words)
        assert person.prompt.text == f"Vous avez dit : {words}. Et {{ceci}} ?"


# --- recap --------------------------------------------------------------------------


def test_the_recap_reflects_the_persons_own_words(tmp_path: Path) -> None:
    person = problem(tmp_path)
    to_recap(person)
    assert person.prompt.text == "\n\n".join(
        [
            "Voici ce que j'ai compris :",
            "\n".join(
                [
                    ui("recap_line", label="Ce qui est difficile", answer="le loyer"),
                    ui("recap_line", label="Pour qui", answer="Moi"),
                    ui("recap_line", label="Aujourd'hui", answer="4 sur 10"),
                    ui("recap_line", label="Ce qui aide déjà", answer="ma sœur"),
                ]
            ),
            ui("recap_question"),
        ]
    )
    assert person.labels() == [ui("recap_yes"), ui("fix")]
    person.taps(ui("recap_yes"))
    assert person.answers["recap"] is True
    assert person.step == "apres"


def test_correcting_goes_back_to_the_recap_not_on(tmp_path: Path) -> None:
    person = problem(tmp_path)
    to_recap(person)
    person.taps(ui("fix"))
    assert person.prompt.text == ui("recap_which")
    assert person.labels() == [
        "Ce qui est difficile",
        "Pour qui",
        "Aujourd'hui",
        "Ce qui aide déjà",
        "Moments",  # skipped, so it can be added now; "Ce qui aide à tenir" was not asked
        ui("back"),
    ]
    person.taps("Ce qui est difficile")
    assert person.prompt.text == "Qu'est-ce qui est difficile ?"
    person.says("la facture d'eau")
    assert person.step == "recap"
    assert "la facture d'eau" in person.prompt.text
    assert "le loyer" not in person.prompt.text
    # A scale, then a step that was skipped: each returns to the recap.
    person.taps(ui("fix"))
    person.taps("Aujourd'hui")
    person.presses("6")
    assert person.step == "recap" and "6 sur 10" in person.prompt.text
    person.taps(ui("fix"))
    person.taps("Moments")
    person.says("le dimanche")
    assert person.step == "recap"
    assert ui("recap_line", label="Moments", answer="le dimanche") in person.prompt.text
    # "Retour" leaves the list without changing anything.
    person.taps(ui("fix"))
    person.taps(ui("back"))
    assert person.step == "recap"
    person.taps(ui("recap_yes"))
    assert person.step == "apres"


def test_correcting_a_multi_choice_starts_from_the_earlier_ticks(tmp_path: Path) -> None:
    person = problem(tmp_path)
    to_recap(person)
    person.taps(ui("fix"))
    person.taps("Pour qui")
    assert person.labels()[0] == ui("selected", label="Moi")
    person.taps("Ma famille")
    person.taps(ui("done"))
    assert person.step == "recap"
    assert ui("recap_line", label="Pour qui", answer="Moi, ma famille") in person.prompt.text


def test_the_recap_understands_typed_answers(tmp_path: Path) -> None:
    person = problem(tmp_path)
    to_recap(person)
    person.says("Non, corriger")
    assert person.prompt.text == ui("recap_which")
    person.says("pour qui")
    assert person.prompt.text == "Pour qui ?"
    person.taps(ui("done"))
    assert not person.says("bof").accepted
    person.says("Oui, c'est ça")
    assert person.step == "apres"


def test_a_long_hostile_recap_is_shown_whole(tmp_path: Path) -> None:
    person = problem(tmp_path)
    long_words = ("Je n'arrive plus à payer le loyer. " * 120)[:4000]
    to_recap(person, difficulte=long_words)
    person.taps(ui("fix"))
    person.taps("Ce qui aide déjà")
    hostile = " ".join(HOSTILE)
    person.says(hostile)
    text = person.prompt.text
    assert hostile in text  # shown exactly as typed, never interpreted
    assert long_words in text  # never cut: the transport splits a long recap
    assert text.endswith(ui("recap_question"))
    assert person.answers["difficulte"] == long_words  # the state keeps every word


def test_many_long_answers_are_all_in_the_recap(tmp_path: Path) -> None:
    person = problem(tmp_path)
    to_recap(person, difficulte="a " * 2000)
    person.taps(ui("fix"))
    person.taps("Moments")
    person.says("b " * 2000)
    assert ("a " * 2000).strip() in person.prompt.text
    assert ("b " * 2000).strip() in person.prompt.text
    assert "…" not in person.prompt.text


# --- repeat groups ------------------------------------------------------------------

IDEAS = (
    HEADER
    + """\
  - id: idees
    kind: repeat
    label: Idée
    again: Une autre idée ?
    max_items: 3
    steps:
      - id: idee
        kind: text
        label: Idée
        text: Une idée ?
      - id: envie
        kind: scale
        label: Envie
        text: Envie ?
        next:
          - when: {step: envie, at_least: 5}
            goto: aide
      - id: bloquer
        kind: text
        label: Ce qui bloque
        optional: true
        text: Qu'est-ce qui bloque {idee} ?
      - id: aide
        kind: text
        label: Qui peut aider
        text: Qui peut aider pour {idee} ?
  - id: premier_pas
    kind: choice
    label: Premier pas
    options_from: idees.idee
    other: true
    text: Laquelle essayer ?
"""
)


def test_a_repeat_group_asks_for_each_item(tmp_path: Path) -> None:
    person = Person(dialogue_from(tmp_path, IDEAS))
    person.says("appeler la CAF")
    person.presses("2")
    assert person.prompt.text == "Qu'est-ce qui bloque appeler la CAF ?"
    person.taps(ui("skip"))
    assert person.prompt.text == "Qui peut aider pour appeler la CAF ?"
    person.says("ma sœur")
    assert person.prompt.text == "Une autre idée ?"
    assert person.labels() == [ui("yes"), ui("no")]
    person.taps(ui("yes"))
    person.says("faire un CV")
    person.presses("8")  # at least 5: straight to "aide", in this item only
    assert person.prompt.text == "Qui peut aider pour faire un CV ?"
    person.records("v1", 4)
    person.says("non")
    assert person.answers["idees"] == [
        {
            "idee": "appeler la CAF",
            "envie": {"value": 2, "of": 10},
            "bloquer": None,
            "aide": "ma sœur",
        },
        {
            "idee": "faire un CV",
            "envie": {"value": 8, "of": 10},
            "aide": {"voice": "v1", "duration": 4},
        },
    ]
    assert person.step == "premier_pas"


def test_a_repeat_group_stops_at_its_maximum(tmp_path: Path) -> None:
    person = Person(dialogue_from(tmp_path, IDEAS))
    for number in range(3):
        person.says(f"idée {number}")
        person.presses("9")
        person.says("moi")
        if number < 2:
            person.taps(ui("yes"))
    assert person.last.messages == (ui("repeat_full"),)
    assert person.step == "premier_pas"
    assert len(person.answers["idees"]) == 3


def test_the_first_step_is_chosen_among_the_persons_ideas(tmp_path: Path) -> None:
    person = Person(dialogue_from(tmp_path, IDEAS))
    long_idea = "demander un rendez-vous à la mission locale pour parler de formation"
    person.says(long_idea)
    person.presses("9")
    person.says("moi")
    person.taps(ui("yes"))
    person.records("v2", 9)
    person.presses("9")
    person.says("moi")
    person.taps(ui("no"))
    buttons = person.buttons()
    assert [b.value for b in buttons] == ["i0", "i1", "_other"]
    assert buttons[0].label == "demander un rendez-vous à la mission…"
    assert len(buttons[0].label) <= 40
    assert buttons[1].label == ui("voice", duration=9)
    person.presses("i0")
    assert person.answers["premier_pas"] == {"value": "i0", "text": long_idea}


def test_the_persons_items_are_listed_with_numbers(tmp_path: Path) -> None:
    dialogue = dialogue_from(tmp_path, IDEAS)
    person = Person(dialogue)
    person.says("appeler la CAF")
    person.presses("2")
    person.says("le téléphone")
    person.says("ma sœur")
    person.taps(ui("yes"))
    person.says("faire un CV")
    person.presses("8")
    person.says("la mission locale")
    person.taps(ui("no"))
    person.taps(ui("other"))
    person.says("dormir")
    assert answers_view(dialogue, person.state, TR) == [
        (ui("item_first", group="Idée", number=1), "appeler la CAF"),
        (ui("item_step", group="Idée", number=1, label="Envie"), "2 sur 10"),
        (ui("item_step", group="Idée", number=1, label="Ce qui bloque"), "le téléphone"),
        (ui("item_step", group="Idée", number=1, label="Qui peut aider"), "ma sœur"),
        (ui("item_first", group="Idée", number=2), "faire un CV"),
        (ui("item_step", group="Idée", number=2, label="Envie"), "8 sur 10"),
        (ui("item_step", group="Idée", number=2, label="Qui peut aider"), "la mission locale"),
        ("Premier pas", "dormir"),
    ]
    assert answers_view(dialogue, person.state, TR)[0] == ("Idée 1", "appeler la CAF")


def test_no_ideas_and_no_other_skips_the_choice(tmp_path: Path) -> None:
    source = IDEAS.replace("    other: true\n", "").replace(
        "      - id: idee\n", "      - id: idee\n        optional: true\n"
    )
    person = Person(dialogue_from(tmp_path, source))
    person.taps(ui("skip"))
    person.presses("9")
    person.says("moi")
    outcome = person.taps(ui("no"))
    assert outcome.finished
    assert person.answers["premier_pas"] is None


# --- answers view -------------------------------------------------------------------


def test_the_view_lists_what_was_said_in_order(tmp_path: Path) -> None:
    dialogue = dialogue_from(tmp_path, PROBLEM)
    person = Person(dialogue)
    to_recap(person)
    person.taps(ui("recap_yes"))
    person.taps(ui("yes"))
    assert answers_view(dialogue, person.state, TR) == [
        ("Ce qui est difficile", "le loyer"),
        ("Pour qui", "Moi"),
        ("Aujourd'hui", "4 sur 10"),
        ("Ce qui aide déjà", "ma sœur"),
        ("Partager", ui("yes")),
    ]


# --- stale buttons, finished runs, bad states ---------------------------------------


def test_a_button_from_an_earlier_question_is_stale(tmp_path: Path) -> None:
    person = problem(tmp_path)
    person.says("le loyer")
    old = ButtonPress(1, "moi")
    assert is_stale(person.state, old)
    assert not is_stale(person.state, ButtonPress(person.prompt.turn, "moi"))
    before = copy.deepcopy(person.state)
    outcome = person.take(old)
    assert not outcome.accepted
    assert outcome.messages == (ui("stale"),)
    assert outcome.state == before
    assert outcome.prompt == current_prompt(person.dialogue, before, TR)


def test_a_forged_value_is_refused(tmp_path: Path) -> None:
    person = problem(tmp_path)
    person.says("le loyer")
    for value in ("voisins", "_skip", "i0", "../../x", ""):
        outcome = person.presses(value)
        assert not outcome.accepted and outcome.messages == (ui("not_understood"),)


def test_nothing_more_is_taken_once_finished(tmp_path: Path) -> None:
    dialogue = dialogue_from(tmp_path, HEADER + "  - {id: a, kind: text, label: A, text: 'A ?'}\n")
    person = Person(dialogue)
    person.says("fin")
    assert is_finished(person.state)
    outcome = advance(dialogue, person.state, TextAnswer("encore"), TR)
    assert (outcome.accepted, outcome.finished, outcome.prompt) == (False, True, None)
    assert outcome.state == person.state
    with pytest.raises(ValueError, match="finished"):
        current_prompt(dialogue, person.state, TR)


@pytest.mark.parametrize(
    "change",
    [
        lambda s: "not a state",
        lambda s: {**s, "dialogue": "autre"},
        lambda s: {**s, "turn": "3"},
        lambda s: {k: v for k, v in s.items() if k != "turn"},
        lambda s: {**s, "version": 0},
        lambda s: {**s, "scale_mode": "stars"},
        lambda s: {**s, "answers": []},
        lambda s: {**s, "cursor": "difficulte"},
        lambda s: {**s, "cursor": {**s["cursor"], "phase": "dance"}},
        lambda s: {**s, "cursor": {**s["cursor"], "item": -1}},
        lambda s: {**s, "cursor": {**s["cursor"], "selected": "moi"}},
    ],
)
def test_a_malformed_state_is_a_clear_value_error(tmp_path: Path, change: Any) -> None:
    person = problem(tmp_path)
    bad = change(copy.deepcopy(person.state))
    for call in (
        lambda: advance(person.dialogue, bad, TextAnswer("x"), TR),
        lambda: current_prompt(person.dialogue, bad, TR),
        lambda: answers_view(person.dialogue, bad, TR),
    ):
        with pytest.raises(ValueError, match="state"):
            call()


# --- the file changed while a run was in progress -----------------------------------


def test_a_new_version_resumes_at_the_same_step(tmp_path: Path) -> None:
    person = problem(tmp_path)
    person.says("le loyer")
    edited = dialogue_from(
        tmp_path,
        PROBLEM.replace("version: 1", "version: 2").replace("Pour qui ?", "Qui ?"),
        name="v2",
    )
    prompt = current_prompt(edited, person.state, TR)
    assert prompt.text == "Qui ?" and prompt.turn == person.prompt.turn
    person.dialogue = edited
    person.taps("Moi")
    person.taps(ui("done"))
    assert person.state["version"] == 2
    assert person.answers["difficulte"] == "le loyer"


def test_a_removed_step_resumes_at_the_first_unanswered_one(tmp_path: Path) -> None:
    person = problem(tmp_path)
    person.says("le loyer")
    person.taps("Moi")
    person.taps(ui("done"))
    assert person.step == "situation"
    without = PROBLEM.replace("version: 1", "version: 3")
    start = without.index("  - id: situation")
    end = without.index("  - id: pas_plus_bas")
    without = without[:start] + without[end:]
    without = without.replace(" situation, ", " ").replace("{situation}", "ça")
    edited = dialogue_from(tmp_path, without, name="v3")
    person.dialogue = edited
    assert current_prompt(edited, person.state, TR).text == (
        "Qu'est-ce qui fait que vous êtes à ça, et pas plus bas ?"
    )
    person.says("ma sœur")
    assert person.state["version"] == 3
    # Nothing is lost: the answers to the removed steps stay in the state.
    assert person.answers["qui"] == [{"value": "moi", "label": "Moi"}]


def test_an_edit_that_removes_the_rest_asks_the_last_question_again(tmp_path: Path) -> None:
    person = problem(tmp_path)
    to_recap(person)
    person.taps(ui("recap_yes"))
    assert person.step == "apres"
    shorter = PROBLEM.replace("version: 1", "version: 2").split("  - id: apres")[0]
    edited = dialogue_from(tmp_path, shorter, name="v2")
    assert current_prompt(edited, person.state, TR).text.startswith("Voici ce que j'ai compris")


def test_an_edit_inside_a_repeat_group_keeps_the_item(tmp_path: Path) -> None:
    person = Person(dialogue_from(tmp_path, IDEAS))
    person.says("appeler la CAF")
    person.presses("2")
    assert person.step == "bloquer"
    edited = IDEAS.replace("version: 1", "version: 2")
    start = edited.index("      - id: bloquer")
    end = edited.index("      - id: aide")
    edited_dialogue = dialogue_from(tmp_path, edited[:start] + edited[end:], name="v2")
    person.dialogue = edited_dialogue
    assert person.state["cursor"]["step"] == "bloquer"
    # The run goes on with the group's first unanswered step... of a fresh path: the
    # group was started, so it goes on after it, with the item kept.
    prompt = current_prompt(edited_dialogue, person.state, TR)
    assert prompt.text == "Laquelle essayer ?"
    assert person.answers["idees"] == [{"idee": "appeler la CAF", "envie": {"value": 2, "of": 10}}]


def test_goto_end_inside_a_group_ends_the_item_only(tmp_path: Path) -> None:
    source = (
        HEADER
        + """\
  - id: idees
    kind: repeat
    label: Idée
    steps:
      - id: consigne
        kind: message
        text: Une idée à la fois.
      - id: idee
        kind: text
        label: Idée
        text: Une idée ?
      - id: envie
        kind: scale
        label: Envie
        text: Envie ?
        next:
          - when: {step: envie, below: 3}
            goto: end
      - id: pourquoi
        kind: text
        label: Pourquoi
        text: Pourquoi {idee} ?
  - id: choisies
    kind: multi
    label: Choisies
    text: Lesquelles ?
    options_from: idees.idee
"""
    )
    person = Person(dialogue_from(tmp_path, source))
    assert person.last.messages[-1] == "Une idée à la fois."
    person.says("marcher")
    person.presses("1")  # below 3: the item ends, the group goes on
    assert person.prompt.text == ui("again")
    outcome = person.taps(ui("yes"))
    assert outcome.messages == ("Une idée à la fois.",)
    person.says("lire")
    person.presses("9")
    person.says("<i>calme</i>")
    person.taps(ui("no"))
    assert [b.value for b in person.buttons()] == ["i0", "i1", "_done"]
    person.taps("lire")
    person.taps(ui("done"))
    assert person.last.finished
    assert person.answers["choisies"] == [{"value": "i1", "text": "lire"}]
    assert person.answers["idees"][0] == {"idee": "marcher", "envie": {"value": 1, "of": 10}}
