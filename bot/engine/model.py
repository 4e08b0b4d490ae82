"""A guided dialogue as validated, immutable values (built by the loader from YAML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

# `goto: end` finishes the dialogue (or, inside a repeat group, the current item).
END = "end"

# Button values the engine uses itself. Option values in YAML may not start with "_",
# so a service's option can never be mistaken for one of these.
SKIP = "_skip"
OTHER = "_other"
DONE = "_done"
YES = "_yes"
NO = "_no"
FIX = "_fix"
BACK = "_back"
# "↩︎ Retour": the question before this one, answers kept.
PREVIOUS = "_prev"
SWITCH_SCALE = "_mode"


class StepKind(StrEnum):
    TEXT = "text"
    SCALE = "scale"
    CHOICE = "choice"
    MULTI = "multi"
    CONFIRM = "confirm"
    RECAP = "recap"
    REPEAT = "repeat"
    MESSAGE = "message"


# Kinds whose answer is something the person said (shown in recaps and summaries).
ANSWER_KINDS = frozenset(
    {StepKind.TEXT, StepKind.SCALE, StepKind.CHOICE, StepKind.MULTI, StepKind.CONFIRM}
)


class Operator(StrEnum):
    BELOW = "below"
    AT_LEAST = "at_least"
    EQUALS = "equals"
    IN = "in"


Operand = float | str | tuple[float | str, ...]


@dataclass(frozen=True)
class Option:
    value: str  # short ASCII, goes into callback_data
    label: str  # French source text


@dataclass(frozen=True)
class Condition:
    """Compares an earlier answer: a scale normalised to 0–10, or a choice's option value."""

    step: str
    operator: Operator
    operand: Operand


@dataclass(frozen=True)
class Branch:
    goto: str  # a later step id, or END
    when: Condition | None = None  # None: always taken


@dataclass(frozen=True)
class OptionsSource:
    """`options_from: group.step`: one option per item the person gave in a repeat group."""

    group: str
    step: str


@dataclass(frozen=True)
class Step:
    id: str
    kind: StepKind
    text: str = ""
    label: str = ""
    optional: bool = False
    next: tuple[Branch, ...] = ()
    # scale: anchor words shown under the question ("0 = pas du tout · 10 = tout à fait")
    low: str = ""
    high: str = ""
    # choice and multi
    options: tuple[Option, ...] = ()
    options_from: OptionsSource | None = None
    other: bool = False
    # recap: the steps reflected back, in this order
    recap_of: tuple[str, ...] = ()
    # repeat: the steps asked for each item, and the "one more?" question
    group: tuple[Step, ...] = ()
    again: str = ""
    max_items: int = 5


@dataclass(frozen=True)
class Dialogue:
    id: str
    version: int
    title: str
    intro: str
    outro: str
    steps: tuple[Step, ...]
    source: Path
    order: int | None = None  # place in the menu; dialogues without one come last
    # Lookups built once; steps inside repeat groups are included.
    _by_id: dict[str, Step] = field(init=False, repr=False, compare=False)
    _parent: dict[str, Step] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Step] = {}
        parent: dict[str, Step] = {}
        for step in self.steps:
            by_id[step.id] = step
            for child in step.group:
                by_id[child.id] = child
                parent[child.id] = step
        # Frozen dataclass: the documented way to set derived fields once.
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_parent", parent)

    def find(self, step_id: str) -> Step | None:
        """The step with this id, at top level or inside a repeat group."""
        return self._by_id.get(step_id)

    def step(self, step_id: str) -> Step:
        """The step with this id; KeyError if there is none."""
        return self._by_id[step_id]

    def parent(self, step_id: str) -> Step | None:
        """The repeat group holding this step, or None for a top-level step."""
        return self._parent.get(step_id)

    def siblings(self, step_id: str) -> tuple[Step, ...]:
        """The sequence the step belongs to: its group's steps, or the top-level steps."""
        group = self.parent(step_id)
        return group.group if group is not None else self.steps
