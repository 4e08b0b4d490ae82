"""Mes idées and Mes forces gained a recap (version 2): runs begun at version 1 go on."""

from __future__ import annotations

from pathlib import Path

from bot.engine import Dialogue
from tests.engine.helpers import DIALOGS, Person, dialogue_from, ui


def old_and_new(
    tmp_path: Path, name: str, recap_starts: str, recap_ends: str | None
) -> tuple[Dialogue, Dialogue]:
    """The dialogue file as it was at version 1 (no recap), and as it is now."""
    source = (DIALOGS / f"{name}.yaml").read_text(encoding="utf-8")
    start = source.index(recap_starts)
    end = source.index(recap_ends) if recap_ends is not None else len(source)
    old = source[:start] + source[end:]
    old = old.replace("version: 2\n", "version: 1\n", 1)
    return dialogue_from(tmp_path, old, name=f"{name}_v1"), dialogue_from(
        tmp_path, source, name=name
    )


def test_a_mes_idees_run_of_version_1_resumes_and_meets_the_recap(tmp_path: Path) -> None:
    old, new = old_and_new(tmp_path, "idees", "  # Read back before", "  - id: rappel")
    assert (old.version, new.version) == (1, 2)
    person = Person(old)
    person.says("J'ai appelé la CAF")
    person.says("Voir le bailleur")
    person.taps(ui("skip"))
    person.taps(ui("skip"))
    person.taps(ui("no"))
    person.taps("Voir le bailleur")
    person.presses("8")
    assert person.step == "quand" and person.state["version"] == 1
    person.dialogue = new  # the file was updated while she was away
    person.says("Mardi matin")
    assert person.step == "recap" and person.state["version"] == 2
    assert "Voir le bailleur" in person.prompt.text and "Mardi matin" in person.prompt.text
    person.taps(ui("recap_yes"))
    assert person.step == "rappel"
    assert person.answers["deja_essaye"] == "J'ai appelé la CAF"


def test_a_mes_forces_run_of_version_1_resumes_and_meets_the_recap(tmp_path: Path) -> None:
    old, new = old_and_new(tmp_path, "forces", "  - id: recap", None)
    person = Person(old)
    for _ in range(8):
        person.presses("6")
        person.taps(ui("skip"))
    person.says("Cuisiner")
    person.says("J'ai demandé de l'aide")
    assert person.step == "soutiens" and person.state["version"] == 1
    person.dialogue = new
    person.says("Mon frère")
    assert person.step == "recap" and person.state["version"] == 2
    assert "Cuisiner" in person.prompt.text and "Mon frère" in person.prompt.text
    person.taps(ui("recap_yes"))
    assert person.step is None  # finished
