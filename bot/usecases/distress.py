"""Reading distress in a message as people write it: the phrase lists in `dialogs/safety/`.

Each language has its own file (`fr.yaml`, `en.yaml`…); every message is read with all of
them, since people mix languages. A text is normalised (lower case, no accents, punctuation
as spaces), its SMS spellings rewritten (`jveux` → `je veux`), its misspelt words brought
back to the words the lists use (`mourrir` → `mourir`: doubled letters, or one letter
changed, added, dropped or swapped in a long word), and its everyday idioms and negations
blanked out (`mort de rire`, `je veux pas mourir`) before the phrases are searched.
The schema is documented in French in `dialogs/safety/README.md`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from bot.engine import DialogueError
from bot.i18n import ui_text

# "œ" has no decomposition: written out so that "sœur" and "soeur" read the same.
LIGATURE_OE = chr(0x153)
LEVELS = ("life", "violence", "shelter", "general")
# How many other words a "..." slot may skip.
GAP_WORDS = 3
# Words shorter than this are only corrected through the spellings list or doubled letters.
FUZZY_MIN_LENGTH = 6
_BLANK = " _ "
# Letters that stand for an elided word (j', d', m', t', s', l', n', c') before a vowel.
ELIDED = frozenset("jdmtslnc")
# How many corrections to remember before starting afresh (memory stays bounded).
CORRECTIONS_KEPT = 50_000
# The C loader when PyYAML has it: the lists are read at every start.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DistressListError(DialogueError):
    """A file of `dialogs/safety/` is missing or malformed (the message, in French, says where)."""


def normalise(text: str) -> str:
    """Lower case, no accents, apostrophes and punctuation as spaces, single spaces around."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace(LIGATURE_OE, "oe"))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " " + " ".join(re.sub(r"[^\w]+", " ", plain).replace("_", " ").split()) + " "


def _squeeze(word: str) -> str:
    """Doubled letters as one: `mourrir` and `mourir`, `frapé` and `frappé` look alike."""
    return re.sub(r"(.)\1+", r"\1", word)


def _one_edit_apart(a: str, b: str) -> bool:
    """True if one letter changed, added, dropped, or two neighbours swapped turns a into b."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@dataclass(frozen=True)
class Found:
    """What a message shows: its levels (in LEVELS order) and whether a child is named."""

    levels: tuple[str, ...]
    child: bool = False

    def __bool__(self) -> bool:
        return bool(self.levels)


@dataclass(frozen=True)
class _Pattern:
    level: str
    source: str
    regex: str


@dataclass(frozen=True)
class DistressReader:
    """All languages' lists, compiled once at start-up."""

    spellings: dict[str, str]
    vocabulary: frozenset[str]
    # Each vocabulary word by its squeezed form (doubled letters as one).
    squeezed: dict[str, str]
    # The idioms and negations blanked out before reading, as regexes (not compiled yet).
    excluded_regexes: tuple[str, ...]
    patterns: tuple[_Pattern, ...]
    child: re.Pattern[str] | None
    # Long vocabulary words by first letter, for the one-edit correction.
    long_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Corrections already worked out (words repeat: most messages reuse everyday words).
    _known: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def excluded(self) -> re.Pattern[str] | None:
        """Every excluded idiom in one regex. Compiled when first needed, like `by_level`:
        these big alternations are most of the lists' start-up cost."""
        return _either(list(self.excluded_regexes)) if self.excluded_regexes else None

    @cached_property
    def by_level(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """One regex per level (all its phrases as alternatives): one search per level."""
        return tuple(
            (level, _either([p.regex for p in self.patterns if p.level == level]))
            for level in LEVELS
            if any(p.level == level for p in self.patterns)
        )

    def words(self, text: str) -> str:
        """The text as the patterns read it: normalised, respelt, corrected."""
        out: list[str] = []
        for word in normalise(text).split():
            out.extend(self._correct(part) for part in self.spellings.get(word, word).split())
        return " " + " ".join(out) + " "

    def _correct(self, word: str) -> str:
        if word in self.vocabulary or word.isdigit():
            return word
        found = self._known.get(word)
        if found is None:
            if len(self._known) > CORRECTIONS_KEPT:
                self._known.clear()
            found = self._known[word] = self._closest(word)
        return found

    def _closest(self, word: str, split: bool = True) -> str:
        known_word = self.squeezed.get(_squeeze(word))
        if known_word is not None:
            return known_word
        for known in self.long_words.get(word[0], ()) if len(word) >= FUZZY_MIN_LENGTH else ():
            if abs(len(known) - len(word)) > 1:
                continue
            # `suicider` is `suicide` plus an ending, not a misspelling of it.
            inflected = len(word) == len(known) + 1 and word.startswith(known)
            if not inflected and _one_edit_apart(known, word):
                return known
        # An apostrophe left out: `dmourir` is `d mourir`, `jveux` is `j veux`.
        if split and word[0] in ELIDED and len(word) >= 5:
            rest = self._closest(word[1:], split=False)
            if rest in self.vocabulary:
                return f"{word[0]} {rest}"
        return word

    def _cleaned(self, text: str) -> str:
        """The respelt words with everyday idioms and negations blanked out."""
        words = self.words(text)
        return words if self.excluded is None else self.excluded.sub(_BLANK, words)

    def read(self, text: str) -> Found:
        """The levels of distress the text states explicitly; empty when none."""
        words = self._cleaned(text)
        levels = tuple(level for level, regex in self.by_level if regex.search(words))
        child = "violence" in levels and self.child is not None and bool(self.child.search(words))
        return Found(levels, child)

    def matches(self, text: str) -> list[str]:
        """The list entries that fire on this text (for the corpus report and debugging)."""
        words = self._cleaned(text)
        return [f"{p.level}: {p.source}" for p in self.patterns if re.search(p.regex, words)]


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
        return "".join(re.escape(char) + "+" for char in _squeeze(plain)) + r"\w*", None
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
    patterns: list[_Pattern] = []
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
                patterns.append(_Pattern(str(level), phrase, regex))
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
        squeezed={_squeeze(word): word for word in ordered},
        excluded_regexes=tuple(excluded),
        patterns=tuple(patterns),
        child=child,
        long_words={
            initial: tuple(w for w in ordered if w[0] == initial and len(w) >= FUZZY_MIN_LENGTH)
            for initial in {w[0] for w in ordered}
        },
    )


def _either(regexes: list[str]) -> re.Pattern[str]:
    """One regex for many phrases: compiled and searched once (much faster than each apart)."""
    return re.compile("|".join(f"(?:{regex})" for regex in regexes))


def levels_in(found: Iterable[str]) -> tuple[str, ...]:
    """Levels in their fixed order."""
    wanted = set(found)
    return tuple(level for level in LEVELS if level in wanted)
