"""Reads dialogs/*.yaml and dialogs/ui/*.yaml into validated values.

A service edits these files by hand, so every mistake must be caught at start-up
with a message naming the file and the step, never later in front of a person.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

from bot.engine.dialogue_checks import LABELLED, STEP_ID, DialogueChecks
from bot.engine.loader_errors import loader_error
from bot.engine.model import (
    END,
    Branch,
    Condition,
    Dialogue,
    Operand,
    Operator,
    Option,
    OptionsSource,
    Step,
    StepKind,
)
from bot.engine.strict_yaml import read_yaml

# Option values travel in Telegram callback_data next to other fields (64 bytes in all).
_OPTION_VALUE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,15}")
_UI_KEY = re.compile(r"[a-z0-9_]+")
_MAX_OPTIONS = 30
_MAX_ITEMS = 20

_DIALOGUE_KEYS = ("id", "version", "order", "title", "intro", "outro", "steps")
_COMMON_KEYS = ("id", "kind", "next")
_ASKING_KEYS = ("text", "label", "optional")
_CHOICE_KEYS = (*_ASKING_KEYS, "options", "options_from", "other")
_KIND_KEYS: dict[StepKind, tuple[str, ...]] = {
    StepKind.TEXT: _ASKING_KEYS,
    StepKind.SCALE: (*_ASKING_KEYS, "low", "high"),
    StepKind.CHOICE: _CHOICE_KEYS,
    StepKind.MULTI: _CHOICE_KEYS,
    StepKind.CONFIRM: _ASKING_KEYS,
    StepKind.RECAP: ("text", "steps"),
    # A group has no text of its own: its first step asks the question.
    StepKind.REPEAT: ("label", "steps", "again", "max_items"),
    StepKind.MESSAGE: ("text",),
}
_ALL_STEP_KEYS = frozenset(_COMMON_KEYS).union(*_KIND_KEYS.values())


def load_dialogues(directory: Path) -> dict[str, Dialogue]:
    """Every dialogs/*.yaml (top level only), keyed by dialogue id, in menu order.

    Menu order is each file's `order`, then the file name; files without one come last.
    """
    dialogues: dict[str, Dialogue] = {}
    for path in sorted(directory.glob("*.yaml")):
        dialogue = _DialogueFile(path).load()
        if dialogue.id in dialogues:
            other = dialogues[dialogue.id].source
            raise loader_error("id_elsewhere", path, id=dialogue.id, other=other)
        dialogues[dialogue.id] = dialogue
    ordered = sorted(dialogues.values(), key=lambda d: (d.order is None, d.order or 0))
    return {dialogue.id: dialogue for dialogue in ordered}


def load_ui_texts(directory: Path) -> dict[str, str]:
    """Every dialogs/ui/*.yaml under `directory` (the dialogs folder), as "stem.key" -> text."""
    texts: dict[str, str] = {}
    for path in sorted((directory / "ui").glob("*.yaml")):
        data = read_yaml(path)
        if data is None:
            continue
        if not isinstance(data, dict):
            raise loader_error("ui_not_mapping", path)
        for key, value in data.items():
            if not isinstance(key, str) or not _UI_KEY.fullmatch(key):
                raise loader_error("ui_bad_key", path, key=key)
            if not isinstance(value, str) or not value.strip():
                raise loader_error("ui_empty", path, key=key)
            texts[f"{path.stem}.{key}"] = value
    return texts


class _DialogueFile:
    """Parses then cross-checks one dialogue file, failing with the file and step named."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, step: str | None = None, /, **params: object) -> NoReturn:
        raise loader_error(key, self.path, step, **params)

    def load(self) -> Dialogue:
        data = read_yaml(self.path)
        if not isinstance(data, dict):
            self.fail("not_a_dialogue")
        self.check_keys(data, _DIALOGUE_KEYS, None)
        dialogue_id = self.ident(data.get("id"), "id", None)
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            self.fail("bad_version")
        order = data.get("order")
        if order is not None and (not isinstance(order, int) or isinstance(order, bool)):
            self.fail("bad_order")
        raw_steps = data.get("steps")
        if not isinstance(raw_steps, list) or not raw_steps:
            self.fail("no_steps")
        dialogue = Dialogue(
            id=dialogue_id,
            version=version,
            title=self.text(data, "title", None),
            intro=self.text(data, "intro", None),
            outro=self.text(data, "outro", None),
            steps=tuple(self.step(raw, n, in_group=False) for n, raw in enumerate(raw_steps, 1)),
            source=self.path,
            order=order,
        )
        DialogueChecks(self.fail, dialogue).check()
        return dialogue

    # --- one step, on its own -------------------------------------------------------

    def step(self, raw: Any, number: int, *, in_group: bool) -> Step:
        if not isinstance(raw, dict):
            self.fail("step_not_mapping", number=number)
        if "id" not in raw:
            self.fail("step_without_id", number=number)
        sid = self.ident(raw["id"], "id", str(raw["id"]))
        kind = self.kind(raw.get("kind"), sid)
        if kind in (StepKind.RECAP, StepKind.REPEAT) and in_group:
            self.fail("not_in_repeat", sid, kind=kind.value)
        self.check_keys(raw, _COMMON_KEYS + _KIND_KEYS[kind], sid, kind)
        low, high = self.anchors(raw, sid)
        return Step(
            id=sid,
            kind=kind,
            text="" if kind is StepKind.REPEAT else self.text(raw, "text", sid),
            label=self.text(raw, "label", sid) if kind in LABELLED else "",
            optional=self.flag(raw, "optional", sid),
            next=self.branches(raw.get("next", []), sid),
            low=low,
            high=high,
            options=self.options(raw, sid) if "options" in raw else (),
            options_from=self.source(raw, sid, kind),
            other=self.flag(raw, "other", sid),
            recap_of=self.recap_of(raw, sid) if kind is StepKind.RECAP else (),
            group=self.group(raw, sid) if kind is StepKind.REPEAT else (),
            again=self.text(raw, "again", sid) if "again" in raw else "",
            max_items=self.max_items(raw, sid),
        )

    def check_keys(
        self,
        raw: dict[Any, Any],
        allowed: Iterable[str],
        sid: str | None,
        kind: StepKind | None = None,
    ) -> None:
        allowed = tuple(allowed)
        for key in raw:
            if key in allowed:
                continue
            if kind is not None and key in _ALL_STEP_KEYS:
                self.fail("key_not_for_kind", sid, key=key, kind=kind.value)
            hint = difflib.get_close_matches(str(key), allowed, n=1)
            if hint:
                self.fail("unknown_key_hint", sid, key=key, hint=hint[0])
            self.fail("unknown_key", sid, key=key)

    def ident(self, value: Any, key: str, sid: str | None) -> str:
        if not isinstance(value, str) or not STEP_ID.fullmatch(value) or value == END:
            self.fail("bad_ident", sid, key=key, value=value, end=END)
        return value

    def kind(self, value: Any, sid: str) -> StepKind:
        try:
            return StepKind(value)
        except ValueError:
            kinds = ", ".join(k.value for k in StepKind)
            if value is None:
                self.fail("kind_missing", sid, kinds=kinds)
            self.fail("unknown_kind", sid, kind=value, kinds=kinds)

    def text(self, raw: dict[Any, Any], key: str, sid: str | None) -> str:
        value = raw.get(key)
        if value is None:
            self.fail("missing", sid, key=key)
        if not isinstance(value, str) or not value.strip():
            self.fail("empty_text", sid, key=key)
        return value

    def flag(self, raw: dict[Any, Any], key: str, sid: str) -> bool:
        value = raw.get(key, False)
        if not isinstance(value, bool):
            self.fail("not_a_flag", sid, key=key)
        return value

    def anchors(self, raw: dict[Any, Any], sid: str) -> tuple[str, str]:
        if "low" not in raw and "high" not in raw:
            return "", ""
        return self.text(raw, "low", sid), self.text(raw, "high", sid)

    def max_items(self, raw: dict[Any, Any], sid: str) -> int:
        value = raw.get("max_items", 5)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= _MAX_ITEMS:
            self.fail("bad_max_items", sid, most=_MAX_ITEMS)
        return value

    def options(self, raw: dict[Any, Any], sid: str) -> tuple[Option, ...]:
        items = raw["options"]
        if not isinstance(items, list) or not items:
            self.fail("no_options", sid)
        if len(items) > _MAX_OPTIONS:
            self.fail("too_many_options", sid, most=_MAX_OPTIONS)
        options: list[Option] = []
        for item in items:
            if not isinstance(item, dict):
                self.fail("option_not_mapping", sid)
            self.check_keys(item, ("value", "label"), sid)
            value = item.get("value")
            if not isinstance(value, str) or not _OPTION_VALUE.fullmatch(value):
                self.fail("bad_option_value", sid, value=value)
            if any(option.value == value for option in options):
                self.fail("option_twice", sid, value=value)
            options.append(Option(value=value, label=self.text(item, "label", sid)))
        return tuple(options)

    def source(self, raw: dict[Any, Any], sid: str, kind: StepKind) -> OptionsSource | None:
        has_options, has_source = "options" in raw, "options_from" in raw
        if kind in (StepKind.CHOICE, StepKind.MULTI) and has_options == has_source:
            self.fail("options_or_source", sid)
        if not has_source:
            return None
        value = raw["options_from"]
        parts = value.split(".") if isinstance(value, str) else []
        if len(parts) != 2:
            self.fail("bad_source", sid, value=value)
        return OptionsSource(group=parts[0], step=parts[1])

    def recap_of(self, raw: dict[Any, Any], sid: str) -> tuple[str, ...]:
        listed = raw.get("steps")
        if not isinstance(listed, list) or not listed:
            self.fail("recap_without_steps", sid)
        if not all(isinstance(item, str) for item in listed):
            self.fail("recap_steps_not_ids", sid)
        if len(set(listed)) != len(listed):
            self.fail("recap_twice", sid)
        return tuple(listed)

    def group(self, raw: dict[Any, Any], sid: str) -> tuple[Step, ...]:
        children = raw.get("steps")
        if not isinstance(children, list) or not children:
            self.fail("repeat_without_steps", sid)
        group = tuple(self.step(child, n, in_group=True) for n, child in enumerate(children, 1))
        if all(child.kind is StepKind.MESSAGE for child in group):
            self.fail("repeat_asks_nothing", sid)
        return group

    def branches(self, raw: Any, sid: str) -> tuple[Branch, ...]:
        if not isinstance(raw, list):
            self.fail("bad_next", sid)
        branches: list[Branch] = []
        for item in raw:
            if not isinstance(item, dict) or "goto" not in item:
                self.fail("next_without_goto", sid)
            self.check_keys(item, ("when", "goto"), sid)
            goto = item["goto"]
            if not isinstance(goto, str):
                self.fail("bad_goto", sid, end=END)
            when = self.condition(item["when"], sid) if "when" in item else None
            branches.append(Branch(goto=goto, when=when))
        return tuple(branches)

    def condition(self, raw: Any, sid: str) -> Condition:
        if not isinstance(raw, dict) or not isinstance(raw.get("step"), str):
            self.fail("bad_when", sid)
        self.check_keys(raw, ("step", *(op.value for op in Operator)), sid)
        operators = [op for op in Operator if op.value in raw]
        if len(operators) != 1:
            self.fail("when_one_test", sid)
        operator = operators[0]
        return Condition(
            step=raw["step"], operator=operator, operand=self.operand(raw[operator], operator, sid)
        )

    def operand(self, value: Any, operator: Operator, sid: str) -> Operand:
        def scalar(item: Any) -> float | str:
            if isinstance(item, bool) or not isinstance(item, int | float | str):
                self.fail("number_or_value", sid, operator=operator)
            return item

        if operator is Operator.IN:
            if not isinstance(value, list) or not value:
                self.fail("empty_in", sid)
            return tuple(scalar(item) for item in value)
        operand = scalar(value)
        if operator in (Operator.BELOW, Operator.AT_LEAST) and isinstance(operand, str):
            self.fail("number_only", sid, operator=operator)
        return operand
