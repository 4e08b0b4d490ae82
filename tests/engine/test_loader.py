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


def refusal(tmp_path: Path, text: str) -> DialogueError:
    """The loader's refusal of this dialogue text, written as essai.yaml."""
    write(tmp_path, text)
    with pytest.raises(DialogueError) as caught:
        load_dialogues(tmp_path)
    return caught.value


def load_error(tmp_path: Path, text: str) -> str:
    """Which of dialogs/ui/loader.yaml's messages the loader chose (its key)."""
    return refusal(tmp_path, text).key or ""


def said(key: str, /, **params: object) -> str:
    """A message of dialogs/ui/loader.yaml, filled in: what a service reads."""
    return load_ui_texts(DIALOGS)[f"loader.{key}"].format(**params)


def where(path: Path, step: str | None = None) -> str:
    """How a message names the file (and step), as dialogs/ui/loader.yaml says it."""
    if step is None:
        return said("where_file", file=path)
    return said("where_step", file=path, step=step)


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
    problem = said("goto_unknown", goto="x")
    assert str(caught.value) == said("problem", where=where(path, "pourquoi"), problem=problem)


def test_only_top_level_yaml_files_are_dialogues(tmp_path: Path) -> None:
    write(tmp_path, VALID)
    (tmp_path / "ui").mkdir()
    write(tmp_path / "ui", "skip: Passer\n", "engine.yaml")
    write(tmp_path, "not a dialogue", "notes.txt")
    assert list(load_dialogues(tmp_path)) == ["essai"]


def test_two_files_with_one_id_are_refused(tmp_path: Path) -> None:
    write(tmp_path, VALID, "a.yaml")
    write(tmp_path, VALID, "b.yaml")
    with pytest.raises(DialogueError) as caught:
        load_dialogues(tmp_path)
    assert caught.value.key == "id_elsewhere"
    assert caught.value.params == {"id": "essai", "other": tmp_path / "a.yaml"}
    assert str(caught.value).startswith(where(tmp_path / "b.yaml"))


BROKEN_STEPS = [
    # (replace this, by this, the step named, which message of dialogs/ui/loader.yaml)
    ("kind: scale", "kind: slider", "situation", "unknown_kind"),
    ("id: qui", "id: situation", "situation", "id_twice"),
    ("    text: Pour qui ?\n", "", "qui", "missing"),
    ("text: Pour qui ?", "text: '  '", "qui", "empty_text"),
    ("goto: recap", "goto: situation", "pourquoi", "goto_backwards"),
    (
        "      - {value: moi, label: Moi}\n      - {value: autres, label: Les autres}\n",
        "      []\n",
        "qui",
        "no_options",
    ),
    ("value: moi,", "value: Moi,", "qui", "bad_option_value"),
    ("value: moi,", "value: _skip,", "qui", "bad_option_value"),
    ("value: moi,", "value: abcdefghijklmnopq,", "qui", "bad_option_value"),
    ("value: autres,", "value: moi,", "qui", "option_twice"),
    ("label: Moi}", "label: ''}", "qui", "empty_text"),
    ("step: situation, below", "step: nulle, below", "pourquoi", "condition_unknown"),
    ("step: situation, below", "step: pourquoi, below", "pourquoi", "condition_kind"),
    ("below: 7", "below: beaucoup", "pourquoi", "number_only"),
    ("below: 7", "equals: eux", "pourquoi", "scale_numbers"),
    ("steps: [situation, qui, pourquoi]", "steps: [situation, nulle]", "recap", "recap_unknown"),
    ("steps: [situation, qui, pourquoi]", "steps: [fin]", "recap", "recap_no_answer"),
    ("steps: [situation, qui, pourquoi]", "steps: []", "recap", "recap_without_steps"),
    ("    label: Qui\n", "    lable: Qui\n", "qui", "unknown_key_hint"),
    ("    label: Qui\n", "    label: Qui\n    low: bas\n", "qui", "key_not_for_kind"),
    ("text: Pourquoi {situation} ?", "text: Pourquoi {nulle} ?", "pourquoi", "placeholder_unknown"),
    ("text: Pourquoi {situation} ?", "text: Pourquoi {0} ?", "pourquoi", "placeholder_not_id"),
    ("text: Pourquoi {situation} ?", "text: Pourquoi {situation ?", "pourquoi", "unmatched_brace"),
    (
        "text: Pourquoi {situation} ?",
        "text: Pourquoi {pourquoi} ?",
        "pourquoi",
        "placeholder_later",
    ),
]


@pytest.mark.parametrize(("old", "new", "step", "expected"), BROKEN_STEPS)
def test_a_broken_step_is_named_with_its_file(
    tmp_path: Path, old: str, new: str, step: str, expected: str
) -> None:
    assert old in VALID
    error = refusal(tmp_path, VALID.replace(old, new, 1))
    assert error.key == expected
    assert str(error).startswith(where(tmp_path / "essai.yaml", step))


def test_a_condition_on_a_later_step_is_refused(tmp_path: Path) -> None:
    broken = VALID.replace(
        "    label: Situation\n",
        "    label: Situation\n    next:\n      - when: {step: qui, equals: moi}\n"
        "        goto: pourquoi\n",
    )
    assert load_error(tmp_path, broken) == "condition_later"


def test_a_condition_on_a_choice_names_its_options(tmp_path: Path) -> None:
    condition = "      - when: {step: qui, in: [moi, eux]}\n        goto: fin\n"
    broken = VALID.replace("    options:\n", "    next:\n" + condition + "    options:\n")
    error = refusal(tmp_path, broken)
    assert (error.key, error.params) == ("not_an_option", {"value": "eux", "target": "qui"})


@pytest.mark.parametrize("version", ["0", "-1", "'1'", "true", "1.5"])
def test_version_must_be_a_positive_integer(tmp_path: Path, version: str) -> None:
    error = refusal(tmp_path, VALID.replace("version: 1", f"version: {version}"))
    path = tmp_path / "essai.yaml"
    assert str(error) == said("problem", where=where(path), problem=said("bad_version"))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("title: Essai", "titre: Essai", "unknown_key_hint"),
        ("intro: Bonjour.\n", "", "missing"),
        ("id: essai", "id: Mon Essai", "bad_ident"),
        (VALID.split("steps:\n", 1)[1], "", "no_steps"),
        ("intro: Bonjour.", "intro: [Bonjour]", "empty_text"),
    ],
)
def test_a_broken_header_names_the_file(tmp_path: Path, old: str, new: str, expected: str) -> None:
    error = refusal(tmp_path, VALID.replace(old, new, 1))
    assert str(error).startswith(where(tmp_path / "essai.yaml"))
    assert error.key == expected


def test_bad_yaml_names_the_file_and_the_line(tmp_path: Path) -> None:
    error = refusal(tmp_path, VALID.replace("text: Pour qui ?", "text: [Pour qui ?"))
    assert error.key == "not_yaml"
    assert str(error).startswith(where(tmp_path / "essai.yaml"))
    assert "line" in str(error)  # PyYAML's own words: where in the file


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    error = refusal(tmp_path, VALID.replace("    text: Pour qui ?\n", "    text: A\n    text: B\n"))
    assert error.key == "not_yaml"
    assert said("duplicate_key", key="text") in str(error)


def test_yes_and_no_stay_words_not_booleans(tmp_path: Path) -> None:
    # In YAML 1.1 `no` is False: an option value "no" must stay the text "no".
    write(tmp_path, VALID.replace("value: moi,", "value: no,"))
    (dialogue,) = load_dialogues(tmp_path).values()
    assert dialogue.step("qui").options[0].value == "no"
    error = refusal(
        tmp_path, VALID.replace("    label: Qui\n", "    label: Qui\n    optional: yes\n")
    )
    assert (error.key, error.params) == ("not_a_flag", {"key": "optional"})


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
        ("goto: end", "goto: idee", "goto_backwards"),
        ("goto: end", "goto: choix", "goto_elsewhere"),
        ("idees.idee", "idees.note", "source_not_text"),
        ("idees.idee", "idee", "bad_source"),
        ("idees.idee", "choix.idee", "source_not_repeat"),
        ("text: Laquelle ?", "text: 'Et {idee} ?'", "placeholder_later"),
        (
            "    label: Idée\n    steps:",
            "    label: Idée\n    max_items: 0\n    steps:",
            "bad_max_items",
        ),
        ("kind: scale", "kind: repeat", "not_in_repeat"),
    ],
)
def test_a_broken_repeat_group_is_named(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in GROUP
    assert load_error(tmp_path, GROUP.replace(old, new, 1)) == expected


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
    error = refusal(tmp_path, textwrap.dedent(source))
    assert (error.key, error.params) == ("not_in_repeat", {"kind": "recap"})
    assert str(error).startswith(where(tmp_path / "essai.yaml", "bilan"))


def test_a_dialogue_must_ask_something(tmp_path: Path) -> None:
    source = VALID.split("steps:\n")[0] + "steps:\n  - {id: a, kind: message, text: Bonjour}\n"
    assert load_error(tmp_path, source) == "asks_nothing"


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
        ("skip: 3\n", "ui_empty"),
        ("skip:\n  a: b\n", "ui_empty"),
        ("Skip: Passer\n", "ui_bad_key"),
        ("skip: [Passer\n", "not_yaml"),
        ("- Passer\n", "ui_not_mapping"),
        ("skip: A\nskip: B\n", "not_yaml"),
    ],
)
def test_bad_ui_texts_name_the_file_and_key(tmp_path: Path, content: str, expected: str) -> None:
    (tmp_path / "ui").mkdir()
    write(tmp_path / "ui", content, "engine.yaml")
    with pytest.raises(DialogueError) as caught:
        load_ui_texts(tmp_path)
    assert caught.value.key == expected
    assert str(caught.value).startswith(where(tmp_path / "ui" / "engine.yaml"))


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
    assert load_error(tmp_path, broken) == "bad_order"


def test_every_loader_message_is_written_in_dialogs_ui_loader_yaml() -> None:
    """Each key the loader can raise has its French text (and no text is left unused)."""
    engine = DIALOGS.parent / "bot" / "engine"
    modules = ("loader.py", "loader_errors.py", "strict_yaml.py", "dialogue_checks.py")
    source = "".join((engine / name).read_text("utf-8") for name in modules)
    used = set(re.findall(r"fail\(\s*\"([a-z_]+)\"", source))
    used |= set(re.findall(r"(?:loader_error|said)\(\s*\"([a-z_]+)\"", source))
    defined = {
        key.removeprefix("loader.") for key in load_ui_texts(DIALOGS) if key.startswith("loader.")
    }
    assert used <= defined, sorted(used - defined)
    assert defined - used == set(), sorted(defined - used)
