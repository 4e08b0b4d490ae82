"""The phrase lists of `dialogs/safety/` read, checked and compiled into a DistressReader.

Apart from reading messages (bot/usecases/distress.py) because this is the loader of a file
format a service edits by hand: every mistake fails at start-up, in French, naming its file
and entry. The schema is documented in French in `dialogs/safety/README.md`.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml

from bot.engine import DialogueError
from bot.i18n import ui_text
from bot.usecases.distress import (
    FUZZY_MIN_LENGTH,
    LEVELS,
    DistressReader,
    ListedPhrase,
    normalise,
    squeeze,
)

# How many other words a "..." slot may skip.
GAP_WORDS = 3
# The C loader when PyYAML has it: the lists are read at every start.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DistressListError(DialogueError):
    """A file of `dialogs/safety/` is missing or malformed (the message, in French, says where)."""


@functools.lru_cache(maxsize=8192)
def _word_piece(choice: str) -> tuple[str, str | None] | None:
    """A list's word as a regex piece, and the word itself unless it is a beginning (`frap*`);
    None if it is not written as the reader sees words (lower case, no accents…). Cached: a
    set's words come back in every phrase naming the set (most of the lists' start-up)."""
    plain = choice.rstrip("*")
    if not plain or normalise(plain).split() != [plain]:
        return None
    if choice.endswith("*"):
        # A word's beginning; each letter may be doubled or not (`frap*` finds `frappé`).
        return "".join(re.escape(char) + "+" for char in squeeze(plain)) + r"\w*", None
    return re.escape(plain), plain


def _slot(slot: str, sets: dict[str, list[str]], where: str) -> tuple[str, list[str]]:
    """One pattern slot as a regex piece (ending with a space), and its literal words."""
    if slot == "...":
        return rf"(?:\S+ ){{0,{GAP_WORDS}}}", []
    if slot == "$":
        return r"$", []
    negative = slot.startswith("!")
    optional = slot.endswith("?") and len(slot) > 1
    core = slot.strip("!?") if negative or optional else slot
    choices: list[str] = []
    for choice in core.split("|"):
        if choice.startswith("@"):
            if choice[1:] not in sets:
                raise DistressListError(
                    ui_text("safety.list_unknown_set", where=where, name=choice)
                )
            choices.extend(sets[choice[1:]])
        else:
            choices.append(choice)
    literal: list[str] = []
    pieces: list[str] = []
    for choice in choices:
        found = _word_piece(choice)
        if found is None:
            raise DistressListError(ui_text("safety.list_bad_word", where=where, word=choice))
        piece, word = found
        pieces.append(piece)
        if word is not None:
            literal.append(word)
    alternatives = "(?:" + "|".join(pieces) + ")"
    if negative:
        return rf"(?!{alternatives} )", []
    if optional:
        return rf"(?:{alternatives} )?", literal
    return alternatives + " ", literal


def compile_phrase(phrase: str, sets: dict[str, list[str]], where: str) -> tuple[str, list[str]]:
    """A list entry as a regex over respelt words, and the literal words it uses."""
    slots = phrase.split()
    if not slots or all(slot == "..." or slot.startswith("!") for slot in slots):
        raise DistressListError(ui_text("safety.list_empty_phrase", where=where))
    body = ""
    words: list[str] = []
    for slot in slots:
        piece, literal = _slot(slot, sets, where)
        body += piece
        words += literal
    return " " + body, words


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list):
        raise DistressListError(ui_text("safety.list_not_a_list", where=where))
    for item in value:
        if not isinstance(item, str):
            # YAML reads on, no, yes, 115… as booleans or numbers unless quoted.
            raise DistressListError(ui_text("safety.list_quote", where=where, item=item))
    return [str(item) for item in value]


def _load_file(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.load(path.read_text("utf-8"), Loader=_YAML_LOADER)
    except OSError:
        raise DistressListError(ui_text("safety.list_unreadable", file=path)) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        raise DistressListError(ui_text("safety.list_bad_yaml", file=path, line=line)) from None
    if not isinstance(raw, dict):
        raise DistressListError(ui_text("safety.list_not_sections", file=path))
    known = {"language", "spellings", "sets", "levels", "child", "not_distress"}
    for key in raw:
        if key not in known:
            raise DistressListError(
                ui_text(
                    "safety.list_unknown_section",
                    file=path,
                    section=key,
                    known=", ".join(sorted(known)),
                )
            )
    return raw


def load_reader(dialogs_dir: Path) -> DistressReader:
    """Read every `dialogs/safety/*.yaml`; a bad entry is an error naming its file and entry."""
    folder = dialogs_dir / "safety"
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise DistressListError(ui_text("safety.list_none", folder=folder))
    spellings: dict[str, str] = {}
    vocabulary: set[str] = set()
    excluded: list[str] = []
    patterns: list[ListedPhrase] = []
    child_words: list[str] = []
    for path in files:
        raw = _load_file(path)
        sets: dict[str, list[str]] = {}
        for name, members in (raw.get("sets") or {}).items():
            where = ui_text("safety.list_where_set", file=path, name=name)
            sets[str(name)] = _strings(members, where)
        for variant, meant in (raw.get("spellings") or {}).items():
            if not isinstance(meant, str) or normalise(str(variant)).split() != [str(variant)]:
                where = ui_text("safety.list_where_spelling", file=path, word=variant)
                raise DistressListError(ui_text("safety.list_bad_spelling", where=where))
            spellings[str(variant)] = " ".join(normalise(meant).split())
        levels = raw.get("levels") or {}
        if not isinstance(levels, dict):
            raise DistressListError(ui_text("safety.list_levels_not_mapping", file=path))
        for level, phrases in levels.items():
            if level not in LEVELS:
                raise DistressListError(
                    ui_text(
                        "safety.list_unknown_level", file=path, level=level, known=", ".join(LEVELS)
                    )
                )
            where = ui_text("safety.list_where_section", file=path, section=level)
            for phrase in _strings(phrases, where):
                where = ui_text("safety.list_where_phrase", file=path, section=level, phrase=phrase)
                regex, words = compile_phrase(phrase, sets, where)
                vocabulary.update(words)
                patterns.append(ListedPhrase(str(level), phrase, regex))
        where = ui_text("safety.list_where_section", file=path, section="not_distress")
        for phrase in _strings(raw.get("not_distress") or [], where):
            where = ui_text(
                "safety.list_where_phrase", file=path, section="not_distress", phrase=phrase
            )
            regex, _ = compile_phrase(phrase, sets, where)
            excluded.append(regex)
        where = ui_text("safety.list_where_section", file=path, section="child")
        child_words += _strings(raw.get("child") or [], where)
    child = None
    if child_words:
        where = ui_text("safety.list_where_section", file=folder, section="child")
        child = re.compile(compile_phrase("|".join(child_words), {}, where)[0])
    ordered = sorted(vocabulary)
    return DistressReader(
        spellings=spellings,
        vocabulary=frozenset(vocabulary),
        squeezed={squeeze(word): word for word in ordered},
        excluded_regexes=tuple(excluded),
        patterns=tuple(patterns),
        child=child,
        long_words={
            initial: tuple(w for w in ordered if w[0] == initial and len(w) >= FUZZY_MIN_LENGTH)
            for initial in {w[0] for w in ordered}
        },
    )
