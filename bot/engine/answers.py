"""Where answers live in the state, and the JSON shape of each kind of answer.

Shapes (null everywhere means "skipped"):
  text      "the person's words, verbatim"  or  {"voice": file_id, "duration": seconds}
  scale     {"value": 3, "of": 5}  (of is 10 or 5)
  choice    {"value": "moi", "label": "Moi"}          an option of the dialogue file
            {"value": "i0", "text": <words>}          an item the person gave (options_from)
            {"value": "_other", "text": <words>}      "Autre", in the person's words
  multi     a list of choice answers
  confirm   true / false
  recap     true once the person said it is right
  repeat    a list of items, each {step id: answer}

Readers are tolerant of unexpected shapes: a service may edit a dialogue while a run
is in progress, so an answer may no longer match its step's kind.
"""

from __future__ import annotations

from bot.engine.model import OTHER, Dialogue, Step
from bot.engine.state import Json

# Values of options built from the person's own items: "i" + index of the item.
PERSON_OPTION_PREFIX = "i"


def items(answers: dict[str, Json], group_id: str) -> list[dict[str, Json]]:
    """The items given so far in a repeat group (unexpected entries read as empty)."""
    entries = answers.get(group_id)
    if not isinstance(entries, list):
        return []
    return [entry if isinstance(entry, dict) else {} for entry in entries]


def get(dialogue: Dialogue, answers: dict[str, Json], step_id: str, item: int | None) -> Json:
    """The answer to a step (of this item, inside a repeat group); None if none or skipped."""
    group = dialogue.parent(step_id)
    if group is None:
        return answers.get(step_id)
    entries = items(answers, group.id)
    if item is None or item >= len(entries):
        return None
    return entries[item].get(step_id)


def has(dialogue: Dialogue, answers: dict[str, Json], step_id: str) -> bool:
    """Whether a top-level step was answered or skipped."""
    return dialogue.parent(step_id) is None and step_id in answers


def put(
    dialogue: Dialogue, answers: dict[str, Json], step_id: str, item: int | None, value: Json
) -> dict[str, Json]:
    """A copy of the answers with this one set (the caller's dict is never changed).

    Only what changes is copied: the answers, and in a repeat group its list and the item
    set; every other answer is shared, as answers are never changed in place."""
    new = dict(answers)
    group = dialogue.parent(step_id)
    if group is None:
        new[step_id] = value
        return new
    index = item or 0
    with_item(new, group.id, index)
    entries = new[group.id]
    assert isinstance(entries, list)  # with_item stored a fresh list there
    entries[index] = {**items(new, group.id)[index], step_id: value}
    return new


def with_item(answers: dict[str, Json], group_id: str, item: int) -> list[dict[str, Json]]:
    """The group's items, grown so that `item` exists; stored back into `answers`."""
    entries = items(answers, group_id)
    while len(entries) <= item:
        entries.append({})
    stored: list[Json] = list(entries)
    answers[group_id] = stored
    return entries


def voice(file_id: str, duration: int) -> dict[str, Json]:
    return {"voice": file_id, "duration": duration}


def scale(value: int, of: int) -> dict[str, Json]:
    return {"value": value, "of": of}


def normalised(answer: Json) -> float | None:
    """A scale answer on 0–10 (1–5 gives 0, 2.5, 5, 7.5, 10); None if not a scale answer."""
    if not isinstance(answer, dict):
        return None
    value, of = answer.get("value"), answer.get("of")
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    if of == 10 and 0 <= value <= 10:
        return float(value)
    if of == 5 and 1 <= value <= 5:
        return (value - 1) * 2.5
    return None


def choice_value(answer: Json) -> str | None:
    """The option value of a choice answer, or None."""
    if isinstance(answer, dict):
        value = answer.get("value")
        if isinstance(value, str):
            return value
    return None


def other(words: Json) -> dict[str, Json]:
    return {"value": OTHER, "text": words}


def is_words(answer: Json) -> bool:
    """Whether an answer is something the person wrote or said (not empty, not skipped)."""
    if isinstance(answer, str):
        return bool(answer.strip())
    return isinstance(answer, dict) and isinstance(answer.get("voice"), str)


def person_options(step: Step, answers: dict[str, Json]) -> list[tuple[str, Json]]:
    """For `options_from`: (option value, the person's words) for each item they gave."""
    source = step.options_from
    if source is None:
        return []
    return [
        (f"{PERSON_OPTION_PREFIX}{index}", entry[source.step])
        for index, entry in enumerate(items(answers, source.group))
        if is_words(entry.get(source.step))
    ]


def option_values(step: Step, answers: dict[str, Json]) -> list[str]:
    """The values a choice or multi step offers now, in display order."""
    if step.options_from is not None:
        return [value for value, _ in person_options(step, answers)]
    return [option.value for option in step.options]


def chosen(step: Step, answers: dict[str, Json], value: str) -> dict[str, Json]:
    """The stored answer for a pressed option: the label, or the person's full words."""
    for option in step.options:
        if option.value == value:
            return {"value": value, "label": option.label}
    for person_value, words in person_options(step, answers):
        if person_value == value:
            return {"value": value, "text": words}
    raise ValueError(f"'{value}' is not an option of step '{step.id}'")


def unanswerable(step: Step, answers: dict[str, Json]) -> bool:
    """A choice built from the person's items when they gave none, and no "Autre"."""
    return step.options_from is not None and not step.other and not person_options(step, answers)
