"""Where a run goes next: conditions, the following step, and resuming after an edit."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.engine import answers as store
from bot.engine.model import END, Condition, Dialogue, Operator, Step, StepKind
from bot.engine.state import Cursor, Json, Phase, Run


@dataclass(frozen=True)
class At:
    """Go to this step (of this item, inside a repeat group)."""

    step: str
    item: int | None = None


@dataclass(frozen=True)
class ItemEnd:
    """The item of a repeat group is complete: ask "Une autre ?"."""

    group: str
    item: int


@dataclass(frozen=True)
class Finish:
    """The dialogue is over."""


Target = At | ItemEnd | Finish


def holds(
    condition: Condition, dialogue: Dialogue, answers: dict[str, Json], item: int | None
) -> bool:
    """Whether a condition is true; a skipped or missing answer makes it false."""
    answer = store.get(dialogue, answers, condition.step, item)
    subject: float | str | None
    if dialogue.step(condition.step).kind is StepKind.SCALE:
        subject = store.normalised(answer)
    else:
        subject = store.choice_value(answer)
    if subject is None:
        return False
    operand = condition.operand
    if condition.operator is Operator.EQUALS:
        return subject == operand
    if condition.operator is Operator.IN:
        return isinstance(operand, tuple) and subject in operand
    if isinstance(subject, str) or isinstance(operand, str | tuple):
        return False  # the loader only lets numbers be compared with below / at_least
    return subject < operand if condition.operator is Operator.BELOW else subject >= operand


def follow(dialogue: Dialogue, step: Step, answers: dict[str, Json], item: int | None) -> Target:
    """Where to go once `step` is answered: the first branch whose condition holds, else on."""
    for branch in step.next:
        if branch.when is None or holds(branch.when, dialogue, answers, item):
            return _end(dialogue, step, item) if branch.goto == END else At(branch.goto, item)
    siblings = dialogue.siblings(step.id)
    position = siblings.index(step)
    if position + 1 < len(siblings):
        return At(siblings[position + 1].id, item)
    return _end(dialogue, step, item)


def _end(dialogue: Dialogue, step: Step, item: int | None) -> Target:
    group = dialogue.parent(step.id)
    return Finish() if group is None else ItemEnd(group.id, item or 0)


def relocate(dialogue: Dialogue, run: Run) -> Run:
    """The run with its cursor on a step of the loaded dialogue, answers untouched.

    A service may edit a dialogue file while runs are in progress: the run goes on at
    the same step if it still exists, else at the first unanswered one along the path.
    """
    # Copies only for what changes: a state is relocated at every read.
    if run.version != dialogue.version:
        run = replace(run, version=dialogue.version)
    if run.cursor is None:
        return run
    if _fits(dialogue, run.cursor, run.answers):
        tidy = _tidy(dialogue, run.cursor, run.answers)
        return run if tidy is run.cursor else replace(run, cursor=tidy)
    return replace(run, cursor=_first_unanswered(dialogue, run.answers))


def _fits(dialogue: Dialogue, cursor: Cursor, answers: dict[str, Json]) -> bool:
    step = dialogue.find(cursor.step)
    if step is None or step.kind is StepKind.MESSAGE:
        return False
    if cursor.phase is Phase.AGAIN or step.kind is StepKind.REPEAT:
        return (
            cursor.phase is Phase.AGAIN
            and step.kind is StepKind.REPEAT
            and cursor.item is not None
            and cursor.item < len(store.items(answers, step.id))
        )
    group = dialogue.parent(step.id)
    if (group is None) != (cursor.item is None):
        return False
    if (
        group is not None
        and cursor.item is not None
        and cursor.item > len(store.items(answers, group.id))
    ):
        return False
    if cursor.phase is Phase.OTHER:
        return step.kind in (StepKind.CHOICE, StepKind.MULTI) and step.other
    if cursor.phase is Phase.FIX:
        return step.kind is StepKind.RECAP
    return not store.unanswerable(step, answers)


def _tidy(dialogue: Dialogue, cursor: Cursor, answers: dict[str, Json]) -> Cursor:
    """Drop ticks of options that are gone, and a correction whose recap is gone."""
    step = dialogue.step(cursor.step)
    offered = set(store.option_values(step, answers))
    recap = dialogue.find(cursor.back_to) if cursor.back_to is not None else None
    keeps_recap = recap is not None and cursor.step in recap.recap_of
    selected = tuple(value for value in cursor.selected if value in offered)
    back_to = cursor.back_to if keeps_recap else None
    if selected == cursor.selected and back_to == cursor.back_to:
        return cursor  # the same cursor, not a copy (relocate tells them apart by identity)
    return replace(cursor, selected=selected, back_to=back_to)


def _first_unanswered(dialogue: Dialogue, answers: dict[str, Json]) -> Cursor:
    target: Target = At(dialogue.steps[0].id)
    while isinstance(target, At):
        step = dialogue.step(target.step)
        if step.kind is StepKind.REPEAT:
            if not store.items(answers, step.id):
                return _entering(step)
        elif (
            step.kind is not StepKind.MESSAGE
            and not store.has(dialogue, answers, step.id)
            and not store.unanswerable(step, answers)
        ):
            return Cursor(step.id)
        target = follow(dialogue, step, answers, None)
    # Everything along the path is answered: ask the last question again rather than
    # finish behind the person's back.
    last = [step for step in dialogue.steps if step.kind is not StepKind.MESSAGE][-1]
    if last.kind is StepKind.REPEAT:
        given = len(store.items(answers, last.id))
        return Cursor(last.id, item=given - 1, phase=Phase.AGAIN) if given else _entering(last)
    return Cursor(last.id)


def _entering(group: Step) -> Cursor:
    first = next(step for step in group.group if step.kind is not StepKind.MESSAGE)
    return Cursor(first.id, item=0)
