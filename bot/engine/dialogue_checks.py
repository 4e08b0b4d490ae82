"""A parsed dialogue checked as a whole: the references between its steps.

Apart from the loader, which reads each step on its own, because these checks need every
step read first: a `goto` must go forward to a sibling, a condition or a recap may only read
an answer given before it, a list of options may only come from an earlier repeat group, and
a `{placeholder}` must name an answer already given. Each failure names the file and step.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from typing import NoReturn

from bot.engine.model import (
    ANSWER_KINDS,
    END,
    Condition,
    Dialogue,
    Operator,
    OptionsSource,
    Step,
    StepKind,
)

# A dialogue's or a step's id (a placeholder names one too).
STEP_ID = re.compile(r"[a-z][a-z0-9_]{0,31}")
# Kinds whose answer a recap can list (a repeat group, item by item).
LABELLED = ANSWER_KINDS | {StepKind.REPEAT}

# fail(key, step id, **params): raise the loader's error about this file.
Fail = Callable[..., NoReturn]


class DialogueChecks:
    """Cross-references between steps: gotos, conditions, recaps, sources, placeholders."""

    def __init__(self, fail: Fail, dialogue: Dialogue) -> None:
        self.fail = fail
        self.dialogue = dialogue

    def check(self) -> None:
        self.unique_ids()
        if all(step.kind is StepKind.MESSAGE for step in self.dialogue.steps):
            self.fail("asks_nothing")
        for top in self.dialogue.steps:
            for step in (top, *top.group):
                self.gotos(step)
                for branch in step.next:
                    if branch.when is not None:
                        self.condition(step, branch.when)
                self.placeholders(step)
            if top.kind is StepKind.RECAP:
                self.recap(top)
            if top.options_from is not None:
                self.options_from(top, top.options_from)
            for child in top.group:
                if child.options_from is not None:
                    self.fail("source_in_repeat", child.id)

    def unique_ids(self) -> None:
        seen: set[str] = set()
        for top in self.dialogue.steps:
            for step in (top, *top.group):
                if step.id in seen:
                    self.fail("id_twice", step.id)
                seen.add(step.id)

    def position(self, step_id: str) -> tuple[int, int]:
        """Order of a step: (top-level index, index inside its group or -1)."""
        group = self.dialogue.parent(step_id)
        if group is None:
            return self.dialogue.steps.index(self.dialogue.step(step_id)), -1
        outer = self.dialogue.steps.index(group)
        return outer, group.group.index(self.dialogue.step(step_id))

    def visible(self, target: str, origin: str, *, same: bool) -> bool:
        """Whether `origin` can read the answer of `target`: asked before it (or it, if same).

        A top-level step cannot read a step inside a repeat group: which item would it be?
        """
        if self.dialogue.parent(target) is not None and (
            self.dialogue.parent(target) is not self.dialogue.parent(origin)
        ):
            return False
        target_pos, origin_pos = self.position(target), self.position(origin)
        if self.dialogue.parent(target) is None and self.dialogue.parent(origin) is not None:
            return target_pos[0] < origin_pos[0]
        return target_pos < origin_pos or (same and target_pos == origin_pos)

    def gotos(self, step: Step) -> None:
        siblings = self.dialogue.siblings(step.id)
        for branch in step.next:
            if branch.goto == END:
                continue
            target = self.dialogue.find(branch.goto)
            if target is None:
                self.fail("goto_unknown", step.id, goto=branch.goto)
            if target not in siblings:
                self.fail("goto_elsewhere", step.id, goto=branch.goto)
            if siblings.index(target) <= siblings.index(step):
                # Forward only: no loops, so every run ends and nobody is asked twice.
                self.fail("goto_backwards", step.id, goto=branch.goto)

    def condition(self, step: Step, condition: Condition) -> None:
        target = self.dialogue.find(condition.step)
        if target is None:
            self.fail("condition_unknown", step.id, target=condition.step)
        if target.kind not in (StepKind.SCALE, StepKind.CHOICE):
            self.fail("condition_kind", step.id, target=target.id)
        if not self.visible(target.id, step.id, same=True):
            self.fail("condition_later", step.id, target=target.id)
        operands = (
            condition.operand if isinstance(condition.operand, tuple) else (condition.operand,)
        )
        if target.kind is StepKind.SCALE:
            if any(isinstance(item, str) for item in operands):
                self.fail("scale_numbers", step.id, target=target.id)
            return
        if condition.operator in (Operator.BELOW, Operator.AT_LEAST):
            self.fail("choice_equals", step.id, target=target.id)
        if target.options_from is not None:
            self.fail("condition_on_source", step.id, target=target.id)
        values = {option.value for option in target.options}
        for item in operands:
            if item not in values:
                self.fail("not_an_option", step.id, value=item, target=target.id)

    def recap(self, step: Step) -> None:
        for listed in step.recap_of:
            target = self.dialogue.find(listed)
            if target is None:
                self.fail("recap_unknown", step.id, target=listed)
            # A repeat group is listed item by item ("Idée 1 : …").
            if target.kind not in LABELLED:
                self.fail("recap_no_answer", step.id, target=listed)
            if not self.visible(listed, step.id, same=False):
                self.fail("recap_later", step.id, target=listed)

    def options_from(self, step: Step, source: OptionsSource) -> None:
        group = self.dialogue.find(source.group)
        if group is None or group.kind is not StepKind.REPEAT:
            self.fail("source_not_repeat", step.id, group=source.group)
        child = self.dialogue.find(source.step)
        if child is None or child not in group.group or child.kind is not StepKind.TEXT:
            self.fail("source_not_text", step.id, target=source.step, group=source.group)
        if not self.visible(group.id, step.id, same=False):
            self.fail("source_later", step.id, group=source.group)

    def placeholders(self, step: Step) -> None:
        def fail(key: str, /, **params: object) -> NoReturn:
            self.fail(key, step.id, **params)

        for name in placeholder_names(step.text, fail):
            target = self.dialogue.find(name)
            if target is None:
                self.fail("placeholder_unknown", step.id, name=name)
            if target.kind not in ANSWER_KINDS or not self.visible(name, step.id, same=False):
                self.fail("placeholder_later", step.id, name=name)


def placeholder_names(text: str, fail: Callable[..., NoReturn]) -> list[str]:
    """The step ids named by `{...}` in a text; `fail(key, **params)` on a malformed one."""
    names: list[str] = []
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        fail("unmatched_brace")
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if not STEP_ID.fullmatch(name) or spec or conversion:
            fail("placeholder_not_id", name=name)
        names.append(name)
    return names
