"""Reads dialogs/*.yaml and dialogs/ui/*.yaml into validated values.

A service edits these files by hand, so every mistake must be caught at start-up
with a message naming the file and the step, never later in front of a person.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import yaml

from bot.engine.model import (
    ANSWER_KINDS,
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

_ID = re.compile(r"[a-z][a-z0-9_]{0,31}")
# Option values travel in Telegram callback_data next to other fields (64 bytes in all).
_OPTION_VALUE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,15}")
_UI_KEY = re.compile(r"[a-z0-9_]+")
_MAX_OPTIONS = 30
_MAX_ITEMS = 20
_BOOL_TAG = "tag:yaml.org,2002:bool"

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
_LABELLED = ANSWER_KINDS | {StepKind.REPEAT}


class DialogueError(Exception):
    """A dialogue or UI text file is invalid; the message names the file and the step."""


def load_dialogues(directory: Path) -> dict[str, Dialogue]:
    """Every dialogs/*.yaml (top level only), keyed by dialogue id, in menu order.

    Menu order is each file's `order`, then the file name; files without one come last.
    """
    dialogues: dict[str, Dialogue] = {}
    for path in sorted(directory.glob("*.yaml")):
        dialogue = _DialogueFile(path).load()
        if dialogue.id in dialogues:
            other = dialogues[dialogue.id].source
            raise DialogueError(f"{path}: id '{dialogue.id}' is already used by {other}")
        dialogues[dialogue.id] = dialogue
    ordered = sorted(dialogues.values(), key=lambda d: (d.order is None, d.order or 0))
    return {dialogue.id: dialogue for dialogue in ordered}


def load_ui_texts(directory: Path) -> dict[str, str]:
    """Every dialogs/ui/*.yaml under `directory` (the dialogs folder), as "stem.key" -> text."""
    texts: dict[str, str] = {}
    for path in sorted((directory / "ui").glob("*.yaml")):
        data = _read_yaml(path)
        if data is None:
            continue
        if not isinstance(data, dict):
            raise DialogueError(f"{path}: expected a mapping of key: text")
        for key, value in data.items():
            if not isinstance(key, str) or not _UI_KEY.fullmatch(key):
                raise DialogueError(f"{path}, key '{key}': keys are lowercase a-z, 0-9 and _")
            if not isinstance(value, str) or not value.strip():
                raise DialogueError(f"{path}, key '{key}': value must be a non-empty text")
            texts[f"{path.stem}.{key}"] = value
    return texts


# LibYAML's parser when PyYAML was built with it (the wheels are): the same documents, read
# several times faster at start-up.
if TYPE_CHECKING:
    _SafeLoader = yaml.SafeLoader
else:
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):
    """SafeLoader for hand-edited files: YAML 1.2 booleans, no duplicate keys.

    In YAML 1.1, `yes`, `no`, `on` and `off` are booleans: the key `no:` or the
    option value `no` would silently become False. Only true/false are booleans here;
    and a pasted step must not silently replace another with the same key.
    """

    # Shared by design, as in PyYAML itself (the stubs declare it per instance).
    yaml_implicit_resolvers = {  # noqa: RUF012
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


_StrictLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Hashable, Any]:
    loader.flatten_mapping(node)
    seen: set[Hashable] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if isinstance(key, Hashable):
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark
                )
            seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except (OSError, UnicodeDecodeError) as exc:
        raise DialogueError(f"{path}: cannot be read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise DialogueError(f"{path}: not valid YAML: {exc}") from exc


class _DialogueFile:
    """Parses then cross-checks one dialogue file, failing with the file and step named."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, message: str, step: str | None = None) -> NoReturn:
        where = f"{self.path}, step '{step}'" if step is not None else str(self.path)
        raise DialogueError(f"{where}: {message}")

    def load(self) -> Dialogue:
        data = _read_yaml(self.path)
        if not isinstance(data, dict):
            self.fail("expected a mapping with id, version, title, intro, outro and steps")
        self.check_keys(data, _DIALOGUE_KEYS, None)
        dialogue_id = self.ident(data.get("id"), "id", None)
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            self.fail("version must be a positive integer")
        order = data.get("order")
        if order is not None and (not isinstance(order, int) or isinstance(order, bool)):
            self.fail("order must be an integer (the place in the menu)")
        raw_steps = data.get("steps")
        if not isinstance(raw_steps, list) or not raw_steps:
            self.fail("steps must be a non-empty list")
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
        _Checker(self, dialogue).check()
        return dialogue

    # --- one step, on its own -------------------------------------------------------

    def step(self, raw: Any, number: int, *, in_group: bool) -> Step:
        if not isinstance(raw, dict):
            self.fail(f"step {number} must be a mapping")
        if "id" not in raw:
            self.fail(f"step {number} has no id")
        sid = self.ident(raw["id"], "id", str(raw["id"]))
        kind = self.kind(raw.get("kind"), sid)
        if kind in (StepKind.RECAP, StepKind.REPEAT) and in_group:
            self.fail(f"a {kind} step cannot be inside a repeat group", sid)
        self.check_keys(raw, _COMMON_KEYS + _KIND_KEYS[kind], sid, kind)
        low, high = self.anchors(raw, sid)
        return Step(
            id=sid,
            kind=kind,
            text="" if kind is StepKind.REPEAT else self.text(raw, "text", sid),
            label=self.text(raw, "label", sid) if kind in _LABELLED else "",
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
                self.fail(f"key '{key}' is not used by a {kind} step", sid)
            hint = difflib.get_close_matches(str(key), allowed, n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            self.fail(f"unknown key '{key}'{suggestion}", sid)

    def ident(self, value: Any, key: str, sid: str | None) -> str:
        if not isinstance(value, str) or not _ID.fullmatch(value) or value == END:
            self.fail(
                f"{key} '{value}' must be lowercase letters, digits or _, "
                f"start with a letter, at most 32 characters, and not '{END}'",
                sid,
            )
        return value

    def kind(self, value: Any, sid: str) -> StepKind:
        try:
            return StepKind(value)
        except ValueError:
            kinds = ", ".join(k.value for k in StepKind)
            problem = "'kind' is missing" if value is None else f"unknown kind '{value}'"
            self.fail(f"{problem} (one of: {kinds})", sid)

    def text(self, raw: dict[Any, Any], key: str, sid: str | None) -> str:
        value = raw.get(key)
        if value is None:
            self.fail(f"'{key}' is missing", sid)
        if not isinstance(value, str) or not value.strip():
            self.fail(f"'{key}' must be a non-empty text", sid)
        return value

    def flag(self, raw: dict[Any, Any], key: str, sid: str) -> bool:
        value = raw.get(key, False)
        if not isinstance(value, bool):
            self.fail(f"'{key}' must be true or false", sid)
        return value

    def anchors(self, raw: dict[Any, Any], sid: str) -> tuple[str, str]:
        if "low" not in raw and "high" not in raw:
            return "", ""
        return self.text(raw, "low", sid), self.text(raw, "high", sid)

    def max_items(self, raw: dict[Any, Any], sid: str) -> int:
        value = raw.get("max_items", 5)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= _MAX_ITEMS:
            self.fail(f"max_items must be an integer from 1 to {_MAX_ITEMS}", sid)
        return value

    def options(self, raw: dict[Any, Any], sid: str) -> tuple[Option, ...]:
        items = raw["options"]
        if not isinstance(items, list) or not items:
            self.fail("options must be a non-empty list", sid)
        if len(items) > _MAX_OPTIONS:
            self.fail(f"at most {_MAX_OPTIONS} options fit on a phone", sid)
        options: list[Option] = []
        for item in items:
            if not isinstance(item, dict):
                self.fail("each option is a mapping with value and label", sid)
            self.check_keys(item, ("value", "label"), sid)
            value = item.get("value")
            if not isinstance(value, str) or not _OPTION_VALUE.fullmatch(value):
                self.fail(
                    f"option value '{value}' must be 1 to 16 characters among a-z 0-9 _ . -, "
                    "not starting with _ . or -",
                    sid,
                )
            if any(option.value == value for option in options):
                self.fail(f"option value '{value}' is used twice", sid)
            options.append(Option(value=value, label=self.text(item, "label", sid)))
        return tuple(options)

    def source(self, raw: dict[Any, Any], sid: str, kind: StepKind) -> OptionsSource | None:
        has_options, has_source = "options" in raw, "options_from" in raw
        if kind in (StepKind.CHOICE, StepKind.MULTI) and has_options == has_source:
            self.fail("give either options or options_from", sid)
        if not has_source:
            return None
        value = raw["options_from"]
        parts = value.split(".") if isinstance(value, str) else []
        if len(parts) != 2:
            self.fail(f"options_from '{value}' must be <repeat group id>.<step id>", sid)
        return OptionsSource(group=parts[0], step=parts[1])

    def recap_of(self, raw: dict[Any, Any], sid: str) -> tuple[str, ...]:
        listed = raw.get("steps")
        if not isinstance(listed, list) or not listed:
            self.fail("a recap lists the step ids it reflects back in 'steps'", sid)
        if not all(isinstance(item, str) for item in listed):
            self.fail("a recap's steps are step ids", sid)
        if len(set(listed)) != len(listed):
            self.fail("a recap lists a step twice", sid)
        return tuple(listed)

    def group(self, raw: dict[Any, Any], sid: str) -> tuple[Step, ...]:
        children = raw.get("steps")
        if not isinstance(children, list) or not children:
            self.fail("a repeat group needs a non-empty list of steps", sid)
        group = tuple(self.step(child, n, in_group=True) for n, child in enumerate(children, 1))
        if all(child.kind is StepKind.MESSAGE for child in group):
            self.fail("a repeat group must ask something, not only say messages", sid)
        return group

    def branches(self, raw: Any, sid: str) -> tuple[Branch, ...]:
        if not isinstance(raw, list):
            self.fail("next must be a list of {when: …, goto: …}", sid)
        branches: list[Branch] = []
        for item in raw:
            if not isinstance(item, dict) or "goto" not in item:
                self.fail("each entry of next needs a goto", sid)
            self.check_keys(item, ("when", "goto"), sid)
            goto = item["goto"]
            if not isinstance(goto, str):
                self.fail("goto must be a step id or 'end'", sid)
            when = self.condition(item["when"], sid) if "when" in item else None
            branches.append(Branch(goto=goto, when=when))
        return tuple(branches)

    def condition(self, raw: Any, sid: str) -> Condition:
        if not isinstance(raw, dict) or not isinstance(raw.get("step"), str):
            self.fail("when needs a step and one of: below, at_least, equals, in", sid)
        self.check_keys(raw, ("step", *(op.value for op in Operator)), sid)
        operators = [op for op in Operator if op.value in raw]
        if len(operators) != 1:
            self.fail("when needs exactly one of: below, at_least, equals, in", sid)
        operator = operators[0]
        return Condition(
            step=raw["step"], operator=operator, operand=self.operand(raw[operator], operator, sid)
        )

    def operand(self, value: Any, operator: Operator, sid: str) -> Operand:
        def scalar(item: Any) -> float | str:
            if isinstance(item, bool) or not isinstance(item, int | float | str):
                self.fail(f"'{operator}' compares with a number or an option value", sid)
            return item

        if operator is Operator.IN:
            if not isinstance(value, list) or not value:
                self.fail("'in' needs a non-empty list", sid)
            return tuple(scalar(item) for item in value)
        operand = scalar(value)
        if operator in (Operator.BELOW, Operator.AT_LEAST) and isinstance(operand, str):
            self.fail(f"'{operator}' compares with a number", sid)
        return operand


class _Checker:
    """Cross-references between steps: gotos, conditions, recaps, sources, placeholders."""

    def __init__(self, file: _DialogueFile, dialogue: Dialogue) -> None:
        self.file = file
        self.dialogue = dialogue

    def check(self) -> None:
        self.unique_ids()
        if all(step.kind is StepKind.MESSAGE for step in self.dialogue.steps):
            self.file.fail("the dialogue asks nothing: add a step that is not a message")
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
                    self.file.fail(
                        "options_from is only for steps outside a repeat group", child.id
                    )

    def unique_ids(self) -> None:
        seen: set[str] = set()
        for top in self.dialogue.steps:
            for step in (top, *top.group):
                if step.id in seen:
                    self.file.fail("this id is used twice", step.id)
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
                self.file.fail(f"goto '{branch.goto}' does not exist", step.id)
            if target not in siblings:
                self.file.fail(f"goto '{branch.goto}' must stay in the same sequence", step.id)
            if siblings.index(target) <= siblings.index(step):
                # Forward only: no loops, so every run ends and nobody is asked twice.
                self.file.fail(f"goto '{branch.goto}' must come after this step", step.id)

    def condition(self, step: Step, condition: Condition) -> None:
        target = self.dialogue.find(condition.step)
        if target is None:
            self.file.fail(f"condition on '{condition.step}', which does not exist", step.id)
        if target.kind not in (StepKind.SCALE, StepKind.CHOICE):
            self.file.fail(
                f"conditions only test scale or choice steps, not '{target.id}'", step.id
            )
        if not self.visible(target.id, step.id, same=True):
            self.file.fail(f"condition on '{target.id}', which is not asked before", step.id)
        operands = (
            condition.operand if isinstance(condition.operand, tuple) else (condition.operand,)
        )
        if target.kind is StepKind.SCALE:
            if any(isinstance(item, str) for item in operands):
                self.file.fail(f"'{target.id}' is a scale: compare it with numbers", step.id)
            return
        if condition.operator in (Operator.BELOW, Operator.AT_LEAST):
            self.file.fail(f"'{target.id}' is a choice: use equals or in", step.id)
        if target.options_from is not None:
            self.file.fail(f"'{target.id}' has options from the person: no condition", step.id)
        values = {option.value for option in target.options}
        for item in operands:
            if item not in values:
                self.file.fail(f"'{item}' is not an option of '{target.id}'", step.id)

    def recap(self, step: Step) -> None:
        for listed in step.recap_of:
            target = self.dialogue.find(listed)
            if target is None:
                self.file.fail(f"recap lists '{listed}', which does not exist", step.id)
            # A repeat group is listed item by item ("Idée 1 : …").
            if target.kind not in _LABELLED:
                self.file.fail(f"recap lists '{listed}', which gets no answer", step.id)
            if not self.visible(listed, step.id, same=False):
                self.file.fail(f"recap lists '{listed}', which is not asked before", step.id)

    def options_from(self, step: Step, source: OptionsSource) -> None:
        group = self.dialogue.find(source.group)
        if group is None or group.kind is not StepKind.REPEAT:
            self.file.fail(f"options_from: '{source.group}' is not a repeat group", step.id)
        child = self.dialogue.find(source.step)
        if child is None or child not in group.group or child.kind is not StepKind.TEXT:
            self.file.fail(
                f"options_from: '{source.step}' is not a text step of '{source.group}'", step.id
            )
        if not self.visible(group.id, step.id, same=False):
            self.file.fail(f"options_from: '{source.group}' is not asked before", step.id)

    def placeholders(self, step: Step) -> None:
        for name in placeholder_names(step.text, lambda message: self.file.fail(message, step.id)):
            target = self.dialogue.find(name)
            if target is None:
                self.file.fail(f"placeholder {{{name}}} names no step", step.id)
            if target.kind not in ANSWER_KINDS or not self.visible(name, step.id, same=False):
                self.file.fail(f"placeholder {{{name}}} must name an answer given before", step.id)


def placeholder_names(text: str, fail: Callable[[str], NoReturn]) -> list[str]:
    """The step ids named by `{...}` in a text; `fail(message)` on a malformed one."""
    names: list[str] = []
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        fail("unmatched brace in text: write {{ or }} for a literal brace")
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if not _ID.fullmatch(name) or spec or conversion:
            fail(f"placeholder {{{name}}} must be a plain step id, like {{situation}}")
        names.append(name)
    return names
