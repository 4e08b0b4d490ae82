"""A babel extractor for `dialogs/*.yaml`, so `pybabel extract` sees every user-facing text."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

import yaml

# Keys whose values a person reads, in dialogue files. In `ui/` files every value is read.
TRANSLATABLE_KEYS = frozenset(
    {"title", "intro", "outro", "text", "label", "again", "question", "low", "high"}
)

Extracted = tuple[int, str | None, str, list[str]]


def _walk(node: yaml.Node, every_string: bool, key: str | None = None) -> Iterator[Extracted]:
    if isinstance(node, yaml.ScalarNode):
        wanted = every_string or key in TRANSLATABLE_KEYS
        if wanted and node.tag == "tag:yaml.org,2002:str" and node.value.strip():
            yield (node.start_mark.line + 1, None, node.value, [key] if key else [])
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            yield from _walk(value_node, every_string, str(key_node.value))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item, every_string, key)


def extract_dialogs(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """Babel extraction method: yields (line, function, message, comments) for each text."""
    name = str(getattr(fileobj, "name", ""))
    every_string = "/ui/" in name.replace("\\", "/") or options.get("all") == "true"
    root = yaml.compose(fileobj.read().decode("utf-8"))
    if root is not None:
        yield from _walk(root, every_string)
