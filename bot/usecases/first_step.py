"""The first step a person chose at the end of Mes idées, read from that dialogue's answers.

Mes idées is data (dialogs/idees.yaml); the use cases rely on three of its step ids: the step
chosen, when the person will do it, and whether to remind them. This is the one place that
reads them, so renaming a step in the file breaks here (and in its test) only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

IDEAS = "idees"
CHOSEN = "premier_pas"
WHEN = "quand"
REMIND = "rappel"


@dataclass(frozen=True)
class ChosenStep:
    """The step in the person's words, the moment they said (None: not said), the reminder."""

    what: str
    when: str | None
    remind: bool


def chosen_step(state: Mapping[str, object]) -> ChosenStep | None:
    """The first step in a Mes idées run's state, if the person chose one."""
    answers = state.get("answers")
    if not isinstance(answers, Mapping):
        return None
    chosen = answers.get(CHOSEN)
    if not isinstance(chosen, Mapping) or not chosen.get("text"):
        return None
    when = answers.get(WHEN)
    return ChosenStep(
        str(chosen["text"]), when if isinstance(when, str) else None, answers.get(REMIND) is True
    )
