"""The dialogue loader's errors, said in French for the service that edits the files.

Apart from the loader because their wording has its own source, dialogs/ui/loader.yaml, read
on its own: a broken UI file can still be reported, in words, with the file and the step.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from bot.paths import project_dir

# The loader's own messages, in dialogs/ui/.
LOADER_TEXTS = "loader.yaml"


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
        where = said("where_file", file=path)
    else:
        where = said("where_step", file=path, step=step)
    message = said("problem", where=where, problem=said(key, **params))
    return DialogueError(message, key, **params)


def said(key: str, /, **params: object) -> str:
    """The loader's text `key` with its parameters (the bare key and parameters when the
    texts file cannot be read)."""
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
