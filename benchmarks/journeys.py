"""What a simulated person does: the three dialogues, walked to the end from the menu.

A step is ("send", text) or ("press", suffix): buttons are found by the end of their callback
data (a dialogue answer's value, or a menu action), not by their wording, so a service that
rewords a dialogue does not break the benchmark. Mirrors tests/e2e/helpers.py
`finish_probleme` and `finish_forces`, plus Mes idées.
"""

from __future__ import annotations

from typing import Literal

Step = tuple[Literal["send", "press"], str]

# The scales of Mes forces, in order (two steps each: a score, then "what goes well").
FORCES_DOMAINS = 8


def probleme(tag: str) -> list[Step]:
    """Mon problème, from /menu to the recap's "Oui, c'est ça"."""
    return [
        ("send", "/menu"),
        ("press", "|open|probleme"),
        ("send", f"Je n'arrive plus à payer le loyer depuis l'hiver ({tag})"),
        ("send", "Logement"),
        ("press", "|moi"),
        ("press", "|_done"),
        ("send", "J'aurais un endroit à moi, calme"),
        ("press", "|_skip"),
        ("press", "|3"),
        ("send", "Ma sœur m'aide pour les papiers"),
        ("press", "|9"),
        ("press", "|logement"),
        ("press", "|_yes"),
    ]


def idees(tag: str) -> list[Step]:
    """Mes idées: one idea, chosen as the first step, the recap confirmed, with a reminder."""
    return [
        ("press", "|open|idees"),
        ("send", f"J'ai appelé la CAF deux fois ({tag})"),
        ("send", "Aller au CCAS mardi"),
        ("send", "Le bus ne passe pas le matin"),
        ("press", "|_skip"),
        ("press", "|_no"),
        ("press", "|i0"),
        ("press", "|8"),
        ("send", "Mardi matin"),
        ("press", "|_yes"),  # the recap: "Oui, c'est ça"
        ("press", "|_yes"),  # "Je vous le rappelle ?"
    ]


def forces(tag: str) -> list[Step]:
    """Mes forces: a score per domain, a few words on half of them, three questions, then the
    recap confirmed."""
    steps: list[Step] = [("press", "|open|forces")]
    for domain in range(FORCES_DOMAINS):
        steps.append(("press", f"|{3 + domain % 6}"))
        if domain % 2 == 0:
            steps.append(("send", f"Ça va un peu mieux ({tag}, {domain})"))
        else:
            steps.append(("press", "|_skip"))
    steps += [
        ("send", "Cuisiner pour mes enfants"),
        ("send", "J'ai demandé de l'aide"),
        ("send", "Mon frère"),
        ("press", "|_yes"),  # the recap: "Oui, c'est ça"
    ]
    return steps


def full(tag: str) -> list[Step]:
    """All three dialogues, one after the other."""
    return probleme(tag) + idees(tag) + forces(tag)


def labels() -> list[str]:
    """A short name for each step of `full`, to tell which steps are slow."""
    names = []
    for dialogue, steps in (
        ("probleme", probleme("")),
        ("idees", idees("")),
        ("forces", forces("")),
    ):
        for index, (action, argument) in enumerate(steps, start=1):
            what = argument if action == "press" or argument.startswith("/") else "text"
            names.append(f"{dialogue} {index:02d} {action} {what}")
    return names
