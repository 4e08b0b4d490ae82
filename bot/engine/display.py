"""Showing the person's answers back to them, in their own words.

Their words are inserted as values, never parsed as templates, so `{0}`, `<b>` or `&`
come out exactly as typed. Text is plain; escaping for HTML is the transport's job.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping

from bot.engine import answers as store
from bot.engine.interface import Translator
from bot.engine.model import ANSWER_KINDS, Dialogue, Step, StepKind
from bot.engine.state import Json

ELLIPSIS = "…"
# An answer quoted inside a question stays short enough for one phone screen.
PLACEHOLDER_LIMIT = 300


def shorten(text: str, limit: int) -> str:
    """The text cut to `limit` characters at a word boundary when one is near, with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 1)]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def shown(step: Step | None, answer: Json, tr: Translator) -> str:
    """An answer as the person sees it: their words verbatim, "" when skipped."""
    if answer is None:
        return ""
    if isinstance(answer, bool):
        return tr.message("engine.yes" if answer else "engine.no")
    if isinstance(answer, str):
        return answer
    if isinstance(answer, int | float):
        return str(answer)
    if isinstance(answer, list):
        parts = [
            # Our option labels follow the list's case; the person's own words never change.
            text if index == 0 or (isinstance(part, dict) and "text" in part) else _in_a_list(text)
            for index, (part, text) in enumerate((part, shown(step, part, tr)) for part in answer)
            if text
        ]
        return ", ".join(parts)
    if "voice" in answer:
        return tr.message("engine.voice", duration=answer.get("duration", 0))
    if "of" in answer:
        return tr.message("engine.scale_value", value=answer.get("value"), of=answer.get("of"))
    if "text" in answer:
        return shown(step, answer["text"], tr)
    value, label = answer.get("value"), answer.get("label")
    for option in step.options if step is not None else ():
        if option.value == value:
            return tr.gettext(option.label)
    # The option was removed from the file since: show the label it had.
    return tr.gettext(label) if isinstance(label, str) else ""


def _in_a_list(label: str) -> str:
    """ "Mes enfants" reads "mes enfants" after a comma; "CAF" or "Léa" keep their capital."""
    if len(label) > 1 and label[0].isupper() and label[1].islower() and " " in label:
        return label[0].lower() + label[1:]
    return label


def fill(template: str, values: Mapping[str, str]) -> str:
    """`{name}` replaced by values[name]; anything else in braces is left as written."""
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:
        return template  # a broken translation: better shown as is than a crash
    parts: list[str] = []
    for literal, name, spec, conversion in fields:
        parts.append(literal)
        if name is None:
            continue
        if name in values and not spec and not conversion:
            parts.append(values[name])
        else:
            parts.append(
                "{"
                + name
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
    return "".join(parts)


def question(
    dialogue: Dialogue, step: Step, answers: dict[str, Json], item: int | None, tr: Translator
) -> str:
    """A step's text, translated, with `{step}` placeholders filled with earlier answers."""
    template = tr.gettext(step.text)
    values: dict[str, str] = {}
    for name in _field_names(template):
        target = dialogue.find(name)
        if target is not None:
            answer = shown(target, store.get(dialogue, answers, name, item), tr)
            values[name] = shorten(answer, PLACEHOLDER_LIMIT) or ELLIPSIS
    return fill(template, values)


def _field_names(template: str) -> list[str]:
    try:
        return [name for _, name, _, _ in string.Formatter().parse(template) if name]
    except ValueError:
        return []


def _labelled(
    dialogue: Dialogue, answers: dict[str, Json], tr: Translator
) -> Iterator[tuple[str, Step, Json]]:
    """(label, step, stored answer) in dialogue order; repeat groups flattened and numbered."""
    for step in dialogue.steps:
        if step.kind is StepKind.REPEAT:
            yield from _items(step, answers, tr)
        elif step.kind in ANSWER_KINDS:
            yield tr.gettext(step.label), step, answers.get(step.id)


def answers_view(
    dialogue: Dialogue, answers: dict[str, Json], tr: Translator
) -> list[tuple[str, str]]:
    """(label, answer as shown) in dialogue order; repeat groups flattened and numbered."""
    return [(label, text) for label, text, _ in answers_lines(dialogue, answers, tr)]


def answers_lines(
    dialogue: Dialogue, answers: dict[str, Json], tr: Translator
) -> list[tuple[str, str, bool]]:
    """Like answers_view, with whether each answer is the person's own words (text or voice).

    A choice, a score or yes/no is shown in our wording: a reader must not take it for hers;
    a choice among the items she gave (`options_from`) is hers.
    """
    lines = []
    for label, step, answer in _labelled(dialogue, answers, tr):
        text = shown(step, answer, tr)
        if text:
            # A choice among her own items (her ideas) is still her words.
            words = store.is_words(answer) or step.options_from is not None
            lines.append((label, text, words))
    return lines


def voice_notes(
    dialogue: Dialogue, answers: dict[str, Json], tr: Translator
) -> list[tuple[str, str, int]]:
    """(label, Telegram file id, seconds) of each answer given as a voice note, in order."""
    notes = []
    for label, _, answer in _labelled(dialogue, answers, tr):
        if isinstance(answer, dict) and isinstance(answer.get("voice"), str):
            duration = answer.get("duration")
            notes.append(
                (label, str(answer["voice"]), duration if isinstance(duration, int) else 0)
            )
    return notes


def _items(
    group: Step, answers: dict[str, Json], tr: Translator
) -> Iterator[tuple[str, Step, Json]]:
    asked = [step for step in group.group if step.kind in ANSWER_KINDS]
    name = tr.gettext(group.label)
    for number, entry in enumerate(store.items(answers, group.id), 1):
        for step in asked:
            # "Idée 1 : …" then "Idée 1 – Ce qui peut bloquer : …"
            if step is asked[0]:
                label = tr.message("engine.item_first", group=name, number=number)
            else:
                label = tr.message(
                    "engine.item_step", group=name, number=number, label=tr.gettext(step.label)
                )
            yield label, step, entry.get(step.id)


def recap(dialogue: Dialogue, step: Step, answers: dict[str, Json], tr: Translator) -> str:
    """The recap: its heading, each listed answer in the person's words, "J'ai bien compris ?".

    Every answer is shown whole, one per line: a person asked "J'ai bien compris ?" must see
    all she said. A recap longer than one message is split by the transport at line breaks,
    the question and its buttons coming last.
    """
    heading = question(dialogue, step, answers, None, tr)
    ask = tr.message("engine.recap_question")
    said: list[tuple[str, str]] = []
    for listed in map(dialogue.step, step.recap_of):
        if listed.kind is StepKind.REPEAT:
            # Each item by its first answer ("Idée 1 : …"): the rest would drown the recap.
            first = next(child for child in listed.group if child.kind in ANSWER_KINDS)
            said += [
                (label, shown(item, answer, tr))
                for label, item, answer in _items(listed, answers, tr)
                if item is first
            ]
        else:
            said.append((tr.gettext(listed.label), shown(listed, answers.get(listed.id), tr)))
    lines = [
        tr.message("engine.recap_line", label=label, answer=text) for label, text in said if text
    ]
    return "\n\n".join(filter(None, (heading, "\n".join(lines), ask)))


def scale_scores(dialogue: Dialogue, answers: dict[str, Json]) -> dict[str, float]:
    """Top-level scale step id -> score on 0–10."""
    scores: dict[str, float] = {}
    for step in dialogue.steps:
        if step.kind is StepKind.SCALE:
            score = store.normalised(answers.get(step.id))
            if score is not None:
                scores[step.id] = score
    return scores
