"""Understanding what the person typed where buttons were offered.

The words ("oui", "sept"…) come from dialogs/ui/engine.yaml through the translator,
so another language only needs its catalogue.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from bot.engine.interface import Button, Translator

_NOT_WORD = re.compile(r"[^\w/-]+")  # "-" kept: "-1" is not "1"
_SCALE = re.compile(r"(\d{1,2})(?:\s*(?:/|[^\W\d]+)\s*(\d{1,2}))?")


def normalise(text: str) -> str:
    """Lower case, no accents, no punctuation or emoji: "Oui, c'est ça !" -> "oui c est ca"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_WORD.sub(" ", bare.casefold()).replace("_", " ").split())


def words(tr: Translator, key: str) -> frozenset[str]:
    """A comma-separated word list from the UI texts, normalised."""
    return frozenset(filter(None, (normalise(word) for word in tr.message(key).split(","))))


def says(text: str, tr: Translator, key: str) -> bool:
    """Whether the text is, or starts with, one of the words listed under `key`."""
    said = normalise(text)
    return any(said == word or said.startswith(word + " ") for word in words(tr, key))


def yes_or_no(text: str, tr: Translator) -> bool | None:
    """True for "oui", False for "non" (accents and case ignored), else None."""
    yes, no = says(text, tr, "engine.words_yes"), says(text, tr, "engine.words_no")
    return yes if yes != no else None


def scale_number(text: str, tr: Translator) -> tuple[int, int | None] | None:
    """A typed score and its optional "out of": "7" (7, None), "7/10" or "sept sur dix" (7, 10)."""
    numbers: dict[str, str] = {}
    # engine.number_words lists 0, 1, 2… in order; "|" separates spellings of one number.
    for value, spellings in enumerate(tr.message("engine.number_words").split(",")):
        for spelling in spellings.split("|"):
            numbers[normalise(spelling)] = str(value)
    said = " ".join(numbers.get(token, token) for token in normalise(text).split())
    match = _SCALE.fullmatch(said)
    if match is None:
        return None
    out_of = match.group(2)
    return int(match.group(1)), None if out_of is None else int(out_of)


def pressed_by_text(text: str, buttons: Iterable[Button]) -> str | None:
    """The value of the button whose label the person typed, if any."""
    said = normalise(text)
    if not said:
        return None
    for button in buttons:
        if normalise(button.label) == said:
            return button.value
    return None
