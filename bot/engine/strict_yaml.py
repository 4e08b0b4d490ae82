"""Hand-edited YAML read strictly: YAML 1.2 booleans, no key given twice.

Apart from the loader because both kinds of files a service edits (dialogues, UI texts) are
read this way, and a mistake in either must fail at start-up, not be read as something else.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from bot.engine.loader_errors import loader_error, said

_BOOL_TAG = "tag:yaml.org,2002:bool"


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
                    None, None, said("duplicate_key", key=key), key_node.start_mark
                )
            seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def read_yaml(path: Path) -> Any:
    """A hand-edited YAML file, read strictly; a DialogueError naming it otherwise."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except (OSError, UnicodeDecodeError) as exc:
        raise loader_error("unreadable", path, error=exc) from exc
    except yaml.YAMLError as exc:
        raise loader_error("not_yaml", path, error=exc) from exc
