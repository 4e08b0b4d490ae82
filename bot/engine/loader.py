"""Reads dialogs/*.yaml and dialogs/ui/*.yaml into validated values.

A service edits these files by hand, so every mistake must be caught at start-up
with a message naming the file and the step, never later in front of a person.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Callable, Hashable, Iterable
from functools import cache
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
from bot.paths import project_dir

_ID = re.compile(r"[a-z][a-z0-9_]{0,31}")
# Option values travel in Telegram callback_data next to other fields (64 bytes in all).
_OPTION_VALUE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,15}")
_UI_KEY = re.compile(r"[a-z0-9_]+")
# The loader's own messages, in dialogs/ui/.
LOADER_TEXTS = "loader.yaml"
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
    """A dialogue or UI text file is invalid; the message names the file and the step.

    The loader's own errors say it in French (dialogs/ui/loader.yaml, read on its own so a
    broken UI file can still be reported) and keep their `key` and `params` for tests."""

    def __init__(self, message: str, key: str | None = None, /, **params: object) -> None:
        super().__init__(message)
        self.key = key
        self.params = params


def loader_error(
    key: str, path: Path | str, step: str | None = None, /, **params: object
) -> DialogueError:
    """The error `key` of dialogs/ui/loader.yaml, about this file (and step), in French."""
    if step is None:
        where = _said("where_file", file=path)
    else:
        where = _said("where_step", file=path, step=step)
    message = _said("problem", where=where, problem=_said(key, **params))
    return DialogueError(message, key, **params)


def _said(key: str, /, **params: object) -> str:
    text = _loader_texts().get(key)
    if text is None:  # the texts file itself is missing or broken: still say what and where
        return " ".join([key, *(f"{name}={value}" for name, value in params.items())])
    return text.format(**params)


@cache
def _loader_texts() -> dict[str, str]:
    for folder in (project_dir("dialogs"), Path(__file__).resolve().parents[2] / "dialogs"):
        try:
            found = yaml.safe_load((folder / "ui" / LOADER_TEXTS).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(found, dict):
            return {str(key): str(value) for key, value in found.items()}
    return {}


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
        data = _read_yaml(path)
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
                    None, None, _said("duplicate_key", key=key), key_node.start_mark
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
        raise loader_error("unreadable", path, error=exc) from exc
    except yaml.YAMLError as exc:
        raise loader_error("not_yaml", path, error=exc) from exc


class _DialogueFile:
    """Parses then cross-checks one dialogue file, failing with the file and step named."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, step: str | None = None, /, **params: object) -> NoReturn:
        raise loader_error(key, self.path, step, **params)

    def load(self) -> Dialogue:
        data = _read_yaml(self.path)
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
        _Checker(self, dialogue).check()
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
                self.fail("key_not_for_kind", sid, key=key, kind=kind.value)
            hint = difflib.get_close_matches(str(key), allowed, n=1)
            if hint:
                self.fail("unknown_key_hint", sid, key=key, hint=hint[0])
            self.fail("unknown_key", sid, key=key)

    def ident(self, value: Any, key: str, sid: str | None) -> str:
        if not isinstance(value, str) or not _ID.fullmatch(value) or value == END:
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


class _Checker:
    """Cross-references between steps: gotos, conditions, recaps, sources, placeholders."""

    def __init__(self, file: _DialogueFile, dialogue: Dialogue) -> None:
        self.file = file
        self.dialogue = dialogue

    def check(self) -> None:
        self.unique_ids()
        if all(step.kind is StepKind.MESSAGE for step in self.dialogue.steps):
            self.file.fail("asks_nothing")
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
                    self.file.fail("source_in_repeat", child.id)

    def unique_ids(self) -> None:
        seen: set[str] = set()
        for top in self.dialogue.steps:
            for step in (top, *top.group):
                if step.id in seen:
                    self.file.fail("id_twice", step.id)
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
                self.file.fail("goto_unknown", step.id, goto=branch.goto)
            if target not in siblings:
                self.file.fail("goto_elsewhere", step.id, goto=branch.goto)
            if siblings.index(target) <= siblings.index(step):
                # Forward only: no loops, so every run ends and nobody is asked twice.
                self.file.fail("goto_backwards", step.id, goto=branch.goto)

    def condition(self, step: Step, condition: Condition) -> None:
        target = self.dialogue.find(condition.step)
        if target is None:
            self.file.fail("condition_unknown", step.id, target=condition.step)
        if target.kind not in (StepKind.SCALE, StepKind.CHOICE):
            self.file.fail("condition_kind", step.id, target=target.id)
        if not self.visible(target.id, step.id, same=True):
            self.file.fail("condition_later", step.id, target=target.id)
        operands = (
            condition.operand if isinstance(condition.operand, tuple) else (condition.operand,)
        )
        if target.kind is StepKind.SCALE:
            if any(isinstance(item, str) for item in operands):
                self.file.fail("scale_numbers", step.id, target=target.id)
            return
        if condition.operator in (Operator.BELOW, Operator.AT_LEAST):
            self.file.fail("choice_equals", step.id, target=target.id)
        if target.options_from is not None:
            self.file.fail("condition_on_source", step.id, target=target.id)
        values = {option.value for option in target.options}
        for item in operands:
            if item not in values:
                self.file.fail("not_an_option", step.id, value=item, target=target.id)

    def recap(self, step: Step) -> None:
        for listed in step.recap_of:
            target = self.dialogue.find(listed)
            if target is None:
                self.file.fail("recap_unknown", step.id, target=listed)
            # A repeat group is listed item by item ("Idée 1 : …").
            if target.kind not in _LABELLED:
                self.file.fail("recap_no_answer", step.id, target=listed)
            if not self.visible(listed, step.id, same=False):
                self.file.fail("recap_later", step.id, target=listed)

    def options_from(self, step: Step, source: OptionsSource) -> None:
        group = self.dialogue.find(source.group)
        if group is None or group.kind is not StepKind.REPEAT:
            self.file.fail("source_not_repeat", step.id, group=source.group)
        child = self.dialogue.find(source.step)
        if child is None or child not in group.group or child.kind is not StepKind.TEXT:
            self.file.fail("source_not_text", step.id, target=source.step, group=source.group)
        if not self.visible(group.id, step.id, same=False):
            self.file.fail("source_later", step.id, group=source.group)

    def placeholders(self, step: Step) -> None:
        def fail(key: str, /, **params: object) -> NoReturn:
            self.file.fail(key, step.id, **params)

        for name in placeholder_names(step.text, fail):
            target = self.dialogue.find(name)
            if target is None:
                self.file.fail("placeholder_unknown", step.id, name=name)
            if target.kind not in ANSWER_KINDS or not self.visible(name, step.id, same=False):
                self.file.fail("placeholder_later", step.id, name=name)


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
        if not _ID.fullmatch(name) or spec or conversion:
            fail("placeholder_not_id", name=name)
        names.append(name)
    return names
