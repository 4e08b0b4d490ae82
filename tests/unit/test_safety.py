"""Distress words: found without regard to accents or case, and not in everyday phrases."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.usecases.safety import DistressListError, load_distress

DIALOGS = Path(__file__).resolve().parents[2] / "dialogs"
DETECTOR = load_distress(DIALOGS)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Parfois je pense au SUICIDE", "3114"),
        ("j'ai envie d'en finir", "3114"),
        ("Je n'ai plus envie de vivre.", "3114"),
        ("je veux me faire du mal", "3114"),
        ("Il me frappe quand il boit", "3919"),
        ("j'ai peur pour ma vie", "17"),
        ("Je dors dehors depuis lundi", "115"),
        ("Je n'ai nulle part où dormir ce soir", "115"),
        ("je suis à la rue", "115"),
        ("Mon enfant est en danger", "119"),
        ("Il frappe les enfants", "119"),
        ("Je vais MOURIR si ça continue", "3114"),
    ],
)
def test_distress_is_found_whatever_the_accents_and_case(text: str, number: str) -> None:
    assert number in DETECTOR.numbers(text)


@pytest.mark.parametrize(
    "text",
    [
        "Je me tue à la tâche pour payer le loyer",
        "On était morts de rire, mort de rire même",
        "Je meurs de faim à la fin du mois",
        "La ruelle derrière chez moi est sombre",
        "Mes enfants vont bien",
        "Je suis mort de fatigue",
        "Les violettes de ma voisine",
        "J'habite rue de la Paix",
    ],
)
def test_everyday_phrases_do_not_alarm(text: str) -> None:
    assert DETECTOR.numbers(text) == []


def test_several_kinds_of_distress_bring_all_their_numbers_once() -> None:
    numbers = DETECTOR.numbers("Il me frappe et je dors dehors, je veux en finir")
    assert numbers == ["3114", "15", "17", "3919", "112", "115"]


def test_a_broken_list_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "safety").mkdir()
    (tmp_path / "safety" / "distress.yaml").write_text("categories: [oops", "utf-8")
    with pytest.raises(DistressListError, match=r"distress\.yaml"):
        load_distress(tmp_path)
