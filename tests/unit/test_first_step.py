"""The first step read from Mes idées: the step ids it relies on exist in the shipped file,
and a run's answers read as the step, its moment and the reminder wanted."""

from __future__ import annotations

from bot.engine import load_dialogues
from bot.usecases.first_step import CHOSEN, IDEAS, REMIND, WHEN, ChosenStep, chosen_step
from tests.conftest import ROOT


def test_the_steps_it_reads_are_in_mes_idees() -> None:
    ideas = load_dialogues(ROOT / "dialogs")[IDEAS]
    assert all(ideas.find(step) is not None for step in (CHOSEN, WHEN, REMIND))


def test_a_runs_answers_read_as_the_chosen_step() -> None:
    answers = {CHOSEN: {"text": "Appeler la CAF", "index": 0}, WHEN: "jeudi", REMIND: True}
    assert chosen_step({"answers": answers}) == ChosenStep("Appeler la CAF", "jeudi", True)
    spoken = {CHOSEN: {"text": "Appeler"}, WHEN: {"voice": "f", "duration": 3}, REMIND: False}
    assert chosen_step({"answers": spoken}) == ChosenStep("Appeler", None, False)
    nothing: list[dict[str, object]] = [
        {},
        {"answers": {}},
        {"answers": {CHOSEN: {"text": ""}}},
        {"answers": 3},
    ]
    assert [chosen_step(state) for state in nothing] == [None] * 4
