"""Loading dialogues: a service's typo is caught at start-up, naming the file and the step."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from bot.engine import DialogueError, StepKind, load_dialogues, load_ui_texts
from tests.engine.helpers import DIALOGS, dialogue_from

VALID = """\
id: essai
version: 1
title: Essai
intro: Bonjour.
outro: Merci.
steps:
  - id: situation
    kind: scale
    label: Situation
    text: Vous en êtes où ?
  - id: qui
    kind: choice
    label: Qui
    text: Pour qui ?
    options:
      - {value: moi, label: Moi}
      - {value: autres, label: Les autres}
  - id: pourquoi
    kind: text
    label: Pourquoi
    text: Pourquoi {situation} ?
    next:
      - when: {step: situation, below: 7}
        goto: recap
  - id: fin
    kind: message
    text: Presque fini.
  - id: recap
    kind: recap
    text: Vous avez dit
    steps: [situation, qui, pourquoi]
"""


def write(tmp_path: Path, text: str, name: str = "essai.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> str:
    write(tmp_path, text)
    with pytest.raises(DialogueError) as caught:
        load_dialogues(tmp_path)
    return str(caught.value)


def test_the_shipped_dialogues_load() -> None:
    dialogues = load_dialogues(DIALOGS)
    assert list(dialogues) == ["probleme", "idees", "forces"]
    assert [d.title for d in dialogues.values()] == ["Mon problème", "Mes idées", "Mes forces"]
    assert all(d.source.parent == DIALOGS for d in dialogues.values())


def test_a_valid_dialogue_loads_with_its_structure(tmp_path: Path) -> None:
    write(tmp_path, VALID)
    (dialogue,) = load_dialogues(tmp_path).values()
    assert (dialogue.id, dialogue.version, dialogue.title) == ("essai", 1, "Essai")
    assert [step.kind for step in dialogue.steps] == [
        StepKind.SCALE,
        StepKind.CHOICE,
        StepKind.TEXT,
        StepKind.MESSAGE,
        StepKind.RECAP,
    ]
    assert dialogue.step("pourquoi").next[0].goto == "recap"
    assert dialogue.step("recap").recap_of == ("situation", "qui", "pourquoi")


def test_the_example_error_message_reads_exactly(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("goto: recap", "goto: x"))
    with pytest.raises(DialogueError) as caught:
        load_dialogues(tmp_path)
    assert str(caught.value) == f"{path}, step 'pourquoi': goto 'x' does not exist"


def test_only_top_level_yaml_files_are_dialogues(tmp_path: Path) -> None:
    write(tmp_path, VALID)
    (tmp_path / "ui").mkdir()
    write(tmp_path / "ui", "skip: Passer\n", "engine.yaml")
    write(tmp_path, "not a dialogue", "notes.txt")
    assert list(load_dialogues(tmp_path)) == ["essai"]


def test_two_files_with_one_id_are_refused(tmp_path: Path) -> None:
    write(tmp_path, VALID, "a.yaml")
    write(tmp_path, VALID, "b.yaml")
    with pytest.raises(DialogueError, match=r"b\.yaml: id 'essai' is already used by .*a\.yaml"):
        load_dialogues(tmp_path)


BROKEN_STEPS = [
    # (replace this, by this, the step named, what the message says)
    ("kind: scale", "kind: slider", "situation", "unknown kind 'slider'"),
    ("id: qui", "id: situation", "situation", "used twice"),
    ("    text: Pour qui ?\n", "", "qui", "'text' is missing"),
    ("text: Pour qui ?", "text: '  '", "qui", "'text' must be a non-empty text"),
    ("goto: recap", "goto: situation", "pourquoi", "goto 'situation' must come after"),
    (
        "      - {value: moi, label: Moi}\n      - {value: autres, label: Les autres}\n",
        "      []\n",
        "qui",
        "options must be a non-empty list",
    ),
    ("value: moi,", "value: Moi,", "qui", "option value 'Moi'"),
    ("value: moi,", "value: _skip,", "qui", "option value '_skip'"),
    ("value: moi,", "value: abcdefghijklmnopq,", "qui", "option value 'abcdefghijklmnopq'"),
    ("value: autres,", "value: moi,", "qui", "option value 'moi' is used twice"),
    ("label: Moi}", "label: ''}", "qui", "'label' must be a non-empty text"),
    ("step: situation, below", "step: nulle, below", "pourquoi", "'nulle', which does not exist"),
    ("step: situation, below", "step: pourquoi, below", "pourquoi", "only test scale or choice"),
    ("below: 7", "below: beaucoup", "pourquoi", "'below' compares with a number"),
    ("below: 7", "equals: eux", "pourquoi", "'situation' is a scale"),
    ("steps: [situation, qui, pourquoi]", "steps: [situation, nulle]", "recap", "'nulle'"),
    ("steps: [situation, qui, pourquoi]", "steps: [fin]", "recap", "gets no answer"),
    ("steps: [situation, qui, pourquoi]", "steps: []", "recap", "lists the step ids"),
    ("    label: Qui\n", "    lable: Qui\n", "qui", "unknown key 'lable' (did you mean 'label'?)"),
    ("    label: Qui\n", "    label: Qui\n    low: bas\n", "qui", "'low' is not used by a choice"),
    ("text: Pourquoi {situation} ?", "text: Pourquoi {nulle} ?", "pourquoi", "{nulle} names no"),
    ("text: Pourquoi {situation} ?", "text: Pourquoi {0} ?", "pourquoi", "plain step id"),
    ("text: Pourquoi {situation} ?", "text: Pourquoi {situation ?", "pourquoi", "unmatched brace"),
    ("text: Pourquoi {situation} ?", "text: Pourquoi {pourquoi} ?", "pourquoi", "given before"),
]


@pytest.mark.parametrize(("old", "new", "step", "expected"), BROKEN_STEPS)
def test_a_broken_step_is_named_with_its_file(
    tmp_path: Path, old: str, new: str, step: str, expected: str
) -> None:
    assert old in VALID
    message = load_error(tmp_path, VALID.replace(old, new, 1))
    assert message.startswith(f"{tmp_path / 'essai.yaml'}, step '{step}': ")
    assert expected in message


def test_a_condition_on_a_later_step_is_refused(tmp_path: Path) -> None:
    broken = VALID.replace(
        "    label: Situation\n",
        "    label: Situation\n    next:\n      - when: {step: qui, equals: moi}\n"
        "        goto: pourquoi\n",
    )
    assert "not asked before" in load_error(tmp_path, broken)


def test_a_condition_on_a_choice_names_its_options(tmp_path: Path) -> None:
    condition = "      - when: {step: qui, in: [moi, eux]}\n        goto: fin\n"
    broken = VALID.replace("    options:\n", "    next:\n" + condition + "    options:\n")
    assert "'eux' is not an option of 'qui'" in load_error(tmp_path, broken)


@pytest.mark.parametrize("version", ["0", "-1", "'1'", "true", "1.5"])
def test_version_must_be_a_positive_integer(tmp_path: Path, version: str) -> None:
    message = load_error(tmp_path, VALID.replace("version: 1", f"version: {version}"))
    assert message == f"{tmp_path / 'essai.yaml'}: version must be a positive integer"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("title: Essai", "titre: Essai", "unknown key 'titre' (did you mean 'title'?)"),
        ("intro: Bonjour.\n", "", "'intro' is missing"),
        ("id: essai", "id: Mon Essai", "id 'Mon Essai' must be lowercase"),
        (VALID.split("steps:\n", 1)[1], "", "steps must be a non-empty list"),
        ("intro: Bonjour.", "intro: [Bonjour]", "'intro' must be a non-empty text"),
    ],
)
def test_a_broken_header_names_the_file(tmp_path: Path, old: str, new: str, expected: str) -> None:
    message = load_error(tmp_path, VALID.replace(old, new, 1))
    assert message.startswith(str(tmp_path / "essai.yaml"))
    assert expected in message


def test_bad_yaml_names_the_file_and_the_line(tmp_path: Path) -> None:
    message = load_error(tmp_path, VALID.replace("text: Pour qui ?", "text: [Pour qui ?"))
    assert message.startswith(f"{tmp_path / 'essai.yaml'}: not valid YAML")
    assert "line" in message


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    message = load_error(
        tmp_path, VALID.replace("    text: Pour qui ?\n", "    text: A\n    text: B\n")
    )
    assert "duplicate key 'text'" in message


def test_yes_and_no_stay_words_not_booleans(tmp_path: Path) -> None:
    # In YAML 1.1 `no` is False: an option value "no" must stay the text "no".
    write(tmp_path, VALID.replace("value: moi,", "value: no,"))
    (dialogue,) = load_dialogues(tmp_path).values()
    assert dialogue.step("qui").options[0].value == "no"
    message = load_error(
        tmp_path, VALID.replace("    label: Qui\n", "    label: Qui\n    optional: yes\n")
    )
    assert "'optional' must be true or false" in message


GROUP = """\
id: essai
version: 1
title: Essai
intro: Bonjour.
outro: Merci.
steps:
  - id: idees
    kind: repeat
    label: Idée
    steps:
      - id: idee
        kind: text
        label: Idée
        text: Une idée ?
      - id: note
        kind: scale
        label: Note
        text: Note ?
        next:
          - when: {step: note, below: 5}
            goto: end
  - id: choix
    kind: choice
    label: Choix
    text: Laquelle ?
    options_from: idees.idee
"""


def test_a_repeat_group_loads_with_its_steps(tmp_path: Path) -> None:
    write(tmp_path, GROUP)
    (dialogue,) = load_dialogues(tmp_path).values()
    assert dialogue.parent("note") is dialogue.step("idees")
    assert dialogue.parent("idees") is None
    assert dialogue.step("choix").options_from is not None


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("goto: end", "goto: idee", "step 'note': goto 'idee' must come after this step"),
        ("goto: end", "goto: choix", "step 'note': goto 'choix' must stay in the same sequence"),
        ("idees.idee", "idees.note", "step 'choix': options_from: 'note' is not a text step"),
        ("idees.idee", "idee", "step 'choix': options_from 'idee' must be <repeat group id>"),
        ("idees.idee", "choix.idee", "step 'choix': options_from: 'choix' is not a repeat"),
        ("text: Laquelle ?", "text: 'Et {idee} ?'", "{idee} must name an answer given before"),
        (
            "    label: Idée\n    steps:",
            "    label: Idée\n    max_items: 0\n    steps:",
            "max_items",
        ),
        ("kind: scale", "kind: repeat", "step 'note': a repeat step cannot be inside a repeat"),
    ],
)
def test_a_broken_repeat_group_is_named(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in GROUP
    assert expected in load_error(tmp_path, GROUP.replace(old, new, 1))


def test_a_repeat_group_cannot_hold_a_recap(tmp_path: Path) -> None:
    source = """\
        id: essai
        version: 1
        title: E
        intro: I
        outro: O
        steps:
          - id: idees
            kind: repeat
            label: Idée
            steps:
              - id: idee
                kind: text
                label: Idée
                text: Une idée ?
              - id: bilan
                kind: recap
                text: Bilan
                steps: [idee]
    """
    message = load_error(tmp_path, textwrap.dedent(source))
    assert "step 'bilan': a recap step cannot be inside a repeat group" in message


def test_a_dialogue_must_ask_something(tmp_path: Path) -> None:
    source = VALID.split("steps:\n")[0] + "steps:\n  - {id: a, kind: message, text: Bonjour}\n"
    assert "asks nothing" in load_error(tmp_path, source)


def test_helper_builds_inline_dialogues(tmp_path: Path) -> None:
    assert dialogue_from(tmp_path, VALID).id == "essai"


# --- UI texts -----------------------------------------------------------------------


def test_ui_texts_are_namespaced_by_file(tmp_path: Path) -> None:
    (tmp_path / "ui").mkdir()
    write(tmp_path / "ui", "skip: Passer\nyes: Oui\nno: Non\n", "engine.yaml")
    write(tmp_path / "ui", "menu: Menu\n", "bot.yaml")
    assert load_ui_texts(tmp_path) == {
        "bot.menu": "Menu",
        "engine.skip": "Passer",
        "engine.yes": "Oui",
        "engine.no": "Non",
    }


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("skip: 3\n", "engine.yaml, key 'skip': value must be a non-empty text"),
        ("skip:\n  a: b\n", "engine.yaml, key 'skip': value must be a non-empty text"),
        ("Skip: Passer\n", "engine.yaml, key 'Skip': keys are lowercase"),
        ("skip: [Passer\n", "engine.yaml: not valid YAML"),
        ("- Passer\n", "engine.yaml: expected a mapping"),
        ("skip: A\nskip: B\n", "duplicate key 'skip'"),
    ],
)
def test_bad_ui_texts_name_the_file_and_key(tmp_path: Path, content: str, expected: str) -> None:
    (tmp_path / "ui").mkdir()
    write(tmp_path / "ui", content, "engine.yaml")
    with pytest.raises(DialogueError) as caught:
        load_ui_texts(tmp_path)
    assert expected in str(caught.value)
    assert str(tmp_path / "ui" / "engine.yaml") in str(caught.value)


def test_every_engine_text_is_defined_and_used() -> None:
    source = "".join(
        path.read_text("utf-8") for path in (DIALOGS.parent / "bot" / "engine").glob("*.py")
    )
    used = set(re.findall(r"\"engine\.([a-z0-9_]+)", source))
    defined = {
        key.removeprefix("engine.") for key in load_ui_texts(DIALOGS) if key.startswith("engine.")
    }
    # f"engine.emoji_{n}": a prefix stands for its numbered keys.
    prefixes = {key for key in used if key.endswith("_")}
    assert used - prefixes <= defined, sorted(used - prefixes - defined)
    unused = {key for key in defined - used if not any(key.startswith(p) for p in prefixes)}
    assert not unused, sorted(unused)
    assert {f"emoji_{n}" for n in range(1, 6)} <= defined


def test_dialogues_come_in_menu_order(tmp_path: Path) -> None:
    for name, order in (("a", None), ("b", 2), ("c", 1), ("d", None)):
        header = f"id: {name}\n" + ("" if order is None else f"order: {order}\n")
        write(tmp_path, VALID.replace("id: essai\n", header), f"{name}.yaml")
    assert list(load_dialogues(tmp_path)) == ["c", "b", "a", "d"]
    broken = VALID.replace("version: 1", "version: 1\norder: first")
    assert "order must be an integer" in load_error(tmp_path, broken)
