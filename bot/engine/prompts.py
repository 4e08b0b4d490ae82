"""The question to show for where a run stands: its text and its buttons."""

from __future__ import annotations

from bot.engine import answers as store
from bot.engine import display
from bot.engine.interface import Button, Prompt, Translator
from bot.engine.model import (
    BACK,
    DONE,
    FIX,
    NO,
    OTHER,
    PREVIOUS,
    SKIP,
    SWITCH_SCALE,
    YES,
    Dialogue,
    Step,
    StepKind,
)
from bot.engine.state import Cursor, Phase, Run, ScaleMode

# "Que voulez-vous corriger ?" buttons: "c" + index of the step in the recap's list.
CORRECT_PREFIX = "c"
# Scale rows of at most 5 buttons: readable on a phone.
_NUMBER_ROWS = ((0, 1, 2, 3), (4, 5, 6, 7), (8, 9, 10))
_EMOJI_ROWS = ((1, 2, 3, 4, 5),)
_SHORT_LABEL = 16  # characters: two labels this short fit side by side on a phone
# The person's words on a button are cut: a button is not a place to read a paragraph.
BUTTON_LABEL = 40


def scale_range(mode: ScaleMode) -> tuple[int, int]:
    """The lowest and highest score in this mode."""
    return (0, 10) if mode is ScaleMode.NUMBERS else (1, 5)


def build(dialogue: Dialogue, run: Run, tr: Translator) -> Prompt:
    """The prompt for the run's current question (the run must not be finished)."""
    if run.cursor is None:
        raise ValueError("the dialogue is finished: there is no question to ask")
    cursor = run.cursor
    step = dialogue.step(cursor.step)
    text, rows, accepts_text = _render(dialogue, run, cursor, step, tr)
    if run.history and cursor.phase in (Phase.ASK, Phase.AGAIN):
        rows = [*rows, [Button(tr.message("engine.previous"), PREVIOUS)]]
    return Prompt(
        text=text,
        buttons=tuple(tuple(row) for row in rows),
        accepts_text=accepts_text,
        turn=run.turn,
    )


Rows = list[list[Button]]


def _render(
    dialogue: Dialogue, run: Run, cursor: Cursor, step: Step, tr: Translator
) -> tuple[str, Rows, bool]:
    if cursor.phase is Phase.AGAIN:
        again = tr.gettext(step.again) if step.again else tr.message("engine.again")
        return again, [_yes_no(tr)], False
    if cursor.phase is Phase.FIX:
        return tr.message("engine.recap_which"), _corrections(dialogue, step, run, tr), False
    if cursor.phase is Phase.OTHER:
        return tr.message("engine.other_prompt"), [[_back(tr)]], True
    if step.kind is StepKind.RECAP:
        buttons = [
            Button(tr.message("engine.recap_yes"), YES),
            Button(tr.message("engine.fix"), FIX),
        ]
        return display.recap(dialogue, step, run.answers, tr), [buttons], False

    text = display.question(dialogue, step, run.answers, cursor.item, tr)
    rows: Rows
    accepts_text = step.kind is StepKind.TEXT or step.other
    if step.kind is StepKind.SCALE:
        text, rows = _scale(step, text, run.scale_mode, tr)
    elif step.kind in (StepKind.CHOICE, StepKind.MULTI):
        rows = _options(step, run, cursor, tr)
    elif step.kind is StepKind.CONFIRM:
        rows = [_yes_no(tr)]
    else:
        rows = []
    if step.optional:
        rows.append([Button(tr.message("engine.skip"), SKIP)])
    return text, rows, accepts_text


def _corrections(dialogue: Dialogue, recap: Step, run: Run, tr: Translator) -> Rows:
    """One row per question the person met (not the other side of a branch), then Retour."""
    rows = [
        [Button(tr.gettext(dialogue.step(step_id).label), f"{CORRECT_PREFIX}{index}")]
        for index, step_id in enumerate(recap.recap_of)
        # A repeat group is read back but not corrected from here: its items feed later
        # questions (the first step is chosen among the ideas), Retour reaches them.
        if step_id in run.answers and dialogue.step(step_id).kind is not StepKind.REPEAT
    ]
    return [*rows, [_back(tr)]]


def _scale(step: Step, text: str, mode: ScaleMode, tr: Translator) -> tuple[str, Rows]:
    low, high = scale_range(mode)
    if step.low:
        anchors = tr.message(
            "engine.scale_anchors",
            low_value=low,
            low=tr.gettext(step.low),
            high_value=high,
            high=tr.gettext(step.high),
        )
        text = f"{text}\n{anchors}"
    if mode is ScaleMode.NUMBERS:
        rows = [[Button(str(n), str(n)) for n in row] for row in _NUMBER_ROWS]
        switch = Button(tr.message("engine.scale_simpler"), SWITCH_SCALE)
    else:
        rows = [
            [Button(tr.message(f"engine.emoji_{n}"), str(n)) for n in row] for row in _EMOJI_ROWS
        ]
        switch = Button(tr.message("engine.scale_numbers"), SWITCH_SCALE)
    return text, [*rows, [switch]]


def _options(step: Step, run: Run, cursor: Cursor, tr: Translator) -> Rows:
    multi = step.kind is StepKind.MULTI
    labelled = [(option.value, tr.gettext(option.label)) for option in step.options]
    labelled += [
        # The person's own words on a button: one line, short.
        (value, display.shorten(" ".join(display.shown(None, words, tr).split()), BUTTON_LABEL))
        for value, words in store.person_options(step, run.answers)
    ]
    if step.other:
        labelled.append((OTHER, tr.message("engine.other")))
    ticked = set(cursor.selected) | ({OTHER} if cursor.other is not None else set())
    # Rows are laid out on the plain labels, so that a tick never moves the buttons.
    rows = [
        [
            Button(tr.message("engine.selected", label=label), value)
            if multi and value in ticked
            else Button(label, value)
            for value, label in row
        ]
        for row in _pack(labelled)
    ]
    if multi:
        rows.append([Button(tr.message("engine.done"), DONE)])
    return rows


def _pack(labelled: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Two short labels share a row; a longer one gets a row of its own."""
    rows: list[list[tuple[str, str]]] = []
    for value, label in labelled:
        last = rows[-1] if rows else []
        if len(last) == 1 and max(len(last[0][1]), len(label)) <= _SHORT_LABEL:
            last.append((value, label))
        else:
            rows.append([(value, label)])
    return rows


def _yes_no(tr: Translator) -> list[Button]:
    return [Button(tr.message("engine.yes"), YES), Button(tr.message("engine.no"), NO)]


def _back(tr: Translator) -> Button:
    return Button(tr.message("engine.back"), BACK)
