"""Reading distress in a message as people write it: the phrase lists in `dialogs/safety/`.

Each language has its own file (`fr.yaml`, `en.yaml`…); every message is read with all of
them, since people mix languages. A text is normalised (lower case, no accents, punctuation
as spaces), its SMS spellings rewritten (`jveux` → `je veux`), its misspelt words brought
back to the words the lists use (`mourrir` → `mourir`: doubled letters, or one letter
changed, added, dropped or swapped in a long word), and its everyday idioms and negations
blanked out (`mort de rire`, `je veux pas mourir`) before the phrases are searched.
The lists are read and checked in bot/usecases/distress_lists.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

# "œ" has no decomposition: written out so that "sœur" and "soeur" read the same.
LIGATURE_OE = chr(0x153)
LEVELS = ("life", "violence", "shelter", "general")
# Words shorter than this are only corrected through the spellings list or doubled letters.
FUZZY_MIN_LENGTH = 6
_BLANK = " _ "
# Letters that stand for an elided word (j', d', m', t', s', l', n', c') before a vowel.
ELIDED = frozenset("jdmtslnc")
# How many corrections to remember before starting afresh (memory stays bounded).
CORRECTIONS_KEPT = 50_000


def normalise(text: str) -> str:
    """Lower case, no accents, apostrophes and punctuation as spaces, single spaces around."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace(LIGATURE_OE, "oe"))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " " + " ".join(re.sub(r"[^\w]+", " ", plain).replace("_", " ").split()) + " "


def squeeze(word: str) -> str:
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
class ListedPhrase:
    """One entry of a list: its level, as written, and as a regex over respelt words."""

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
    patterns: tuple[ListedPhrase, ...]
    child: re.Pattern[str] | None
    # Long vocabulary words by first letter, for the one-edit correction.
    long_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Corrections already worked out (words repeat: most messages reuse everyday words).
    _known: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def excluded(self) -> re.Pattern[str] | None:
        """Every excluded idiom in one regex. Compiled when first needed, like `by_level`:
        these big alternations are most of the lists' start-up cost."""
        return either(list(self.excluded_regexes)) if self.excluded_regexes else None

    @cached_property
    def by_level(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """One regex per level (all its phrases as alternatives): one search per level."""
        return tuple(
            (level, either([p.regex for p in self.patterns if p.level == level]))
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
        known_word = self.squeezed.get(squeeze(word))
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


def either(regexes: list[str]) -> re.Pattern[str]:
    """One regex for many phrases: compiled and searched once (much faster than each apart)."""
    return re.compile("|".join(f"(?:{regex})" for regex in regexes))


def levels_in(found: Iterable[str]) -> tuple[str, ...]:
    """Levels in their fixed order."""
    wanted = set(found)
    return tuple(level for level in LEVELS if level in wanted)
