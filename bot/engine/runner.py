"""Running a dialogue: (state, answer) -> (new state, what to say, the next question).

Pure and synchronous: the caller stores the state and talks to the person.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from bot.engine import answers as store
from bot.engine import display, flow, inputs, prompts
from bot.engine.flow import At, Finish, ItemEnd, Target
from bot.engine.interface import (
    Answer,
    Button,
    ButtonPress,
    Outcome,
    Prompt,
    TextAnswer,
    Translator,
    VoiceAnswer,
)
from bot.engine.model import (
    BACK,
    DONE,
    OTHER,
    PREVIOUS,
    SKIP,
    SWITCH_SCALE,
    YES,
    Dialogue,
    StepKind,
)
from bot.engine.state import Cursor, Json, Phase, Run, ScaleMode, dump_state, parse_state

__all__ = [
    "Answer",
    "Button",
    "ButtonPress",
    "Outcome",
    "Prompt",
    "TextAnswer",
    "Translator",
    "VoiceAnswer",
    "advance",
    "answers_lines",
    "answers_view",
    "current_prompt",
    "is_finished",
    "is_stale",
    "scale_scores",
    "start",
    "voice_notes",
]

# Telegram's own limit for one message: a longer text can only come from elsewhere.
MAX_TEXT = 4096
# How far "Retour" can go back (a long dialogue with repeated ideas stays well under it).
HISTORY_MAX = 80


def start(dialogue: Dialogue, tr: Translator, *, scale_mode: str = "numbers") -> Outcome:
    """A new run: the intro, then the first question."""
    if scale_mode not in tuple(ScaleMode):
        raise ValueError(f"scale_mode must be 'numbers' or 'emoji', not {scale_mode!r}")
    run = Run(
        dialogue=dialogue.id,
        version=dialogue.version,
        turn=0,
        scale_mode=ScaleMode(scale_mode),
        cursor=None,
        answers={},
    )
    said = [tr.gettext(dialogue.intro)]
    run = _arrive(dialogue, run, At(dialogue.steps[0].id), said, tr)
    return _outcome(dialogue, run, said, tr)


def advance(dialogue: Dialogue, state: dict[str, Any], answer: Answer, tr: Translator) -> Outcome:
    """Take the person's answer to the current question. ValueError if the state is malformed."""
    run = _load(dialogue, state)
    if run.cursor is None:
        return Outcome(
            copy.deepcopy(state), (), None, finished=True, accepted=False, scale_mode=None
        )
    turn = _Turn(dialogue, run, state, tr)
    try:
        return turn.take(answer)
    except _Rejected as rejection:
        return turn.reject(rejection)


def current_prompt(dialogue: Dialogue, state: dict[str, Any], tr: Translator) -> Prompt:
    """The current question again (same turn), to resume after days or a restart.

    ValueError if the state is malformed or the run is finished (see is_finished).
    """
    return prompts.build(dialogue, _load(dialogue, state), tr)


def is_stale(state: dict[str, Any], press: ButtonPress) -> bool:
    """Whether a button press belongs to an earlier question than the current one."""
    turn = state.get("turn") if isinstance(state, dict) else None
    if not isinstance(turn, int):
        raise ValueError("dialogue state has no turn")
    return press.turn != turn


def is_finished(state: dict[str, Any]) -> bool:
    """Whether the run is over (no question left)."""
    if not isinstance(state, dict) or "cursor" not in state:
        raise ValueError("dialogue state has no cursor")
    return state["cursor"] is None


def answers_view(
    dialogue: Dialogue, state: dict[str, Any], tr: Translator
) -> list[tuple[str, str]]:
    """(short label, the person's words or score as shown), in dialogue order."""
    return display.answers_view(dialogue, parse_state(state, dialogue.id).answers, tr)


def answers_lines(
    dialogue: Dialogue, state: dict[str, Any], tr: Translator
) -> list[tuple[str, str, bool]]:
    """(short label, answer as shown, whether it is the person's own words), in order."""
    return display.answers_lines(dialogue, parse_state(state, dialogue.id).answers, tr)


def voice_notes(
    dialogue: Dialogue, state: dict[str, Any], tr: Translator
) -> list[tuple[str, str, int]]:
    """(short label, Telegram file id, seconds) of each voice answer, in dialogue order."""
    return display.voice_notes(dialogue, parse_state(state, dialogue.id).answers, tr)


def scale_scores(dialogue: Dialogue, state: dict[str, Any]) -> dict[str, float]:
    """Step id -> score normalised to 0–10, for each answered top-level scale."""
    return display.scale_scores(dialogue, parse_state(state, dialogue.id).answers)


def _load(dialogue: Dialogue, state: dict[str, Any]) -> Run:
    return flow.relocate(dialogue, parse_state(state, dialogue.id))


def _arrive(dialogue: Dialogue, run: Run, target: Target, said: list[str], tr: Translator) -> Run:
    """Move to `target` and on until a question: messages are said, empty choices skipped."""
    answers = run.answers
    while True:
        if isinstance(target, Finish):
            said.append(tr.gettext(dialogue.outro))
            return replace(run, answers=answers, cursor=None, turn=run.turn + 1)
        if isinstance(target, ItemEnd):
            group = dialogue.step(target.group)
            answers = copy.deepcopy(answers)
            given = len(store.with_item(answers, group.id, target.item))
            if given < group.max_items:
                cursor = Cursor(group.id, item=target.item, phase=Phase.AGAIN)
                return replace(run, answers=answers, cursor=cursor, turn=run.turn + 1)
            said.append(tr.message("engine.repeat_full"))
            target = flow.follow(dialogue, group, answers, None)
            continue
        step = dialogue.step(target.step)
        if step.kind is StepKind.REPEAT:
            target = At(step.group[0].id, len(store.items(answers, step.id)))
            continue
        if step.kind is StepKind.MESSAGE:
            said.append(display.question(dialogue, step, answers, target.item, tr))
        elif store.unanswerable(step, answers):
            answers = store.put(dialogue, answers, step.id, target.item, None)
        else:
            cursor = Cursor(step.id, item=target.item)
            return replace(run, answers=answers, cursor=cursor, turn=run.turn + 1)
        target = flow.follow(dialogue, step, answers, target.item)


def _outcome(
    dialogue: Dialogue, run: Run, said: list[str], tr: Translator, scale_mode: str | None = None
) -> Outcome:
    return Outcome(
        state=dump_state(run),
        messages=tuple(said),
        prompt=None if run.cursor is None else prompts.build(dialogue, run, tr),
        finished=run.cursor is None,
        accepted=True,
        scale_mode=scale_mode,
    )


class _Rejected(Exception):
    """The answer does not fit the question: say why, change nothing."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class _Turn:
    """One answer to the current question of a run."""

    def __init__(self, dialogue: Dialogue, run: Run, state: dict[str, Any], tr: Translator):
        assert run.cursor is not None
        self.dialogue = dialogue
        self.run = run
        self.state = state
        self.tr = tr
        self.cursor = run.cursor
        self.step = dialogue.step(run.cursor.step)

    def take(self, answer: Answer) -> Outcome:
        if isinstance(answer, ButtonPress):
            return self.press(answer)
        if self.cursor.phase is Phase.OTHER:
            return self.other_words(self.words(answer))
        if isinstance(answer, TextAnswer):
            return self.typed(answer)
        return self.voice(answer)

    def reject(self, rejection: _Rejected) -> Outcome:
        return Outcome(
            state=copy.deepcopy(self.state),
            messages=(self.tr.message(rejection.key, **rejection.params),),
            prompt=prompts.build(self.dialogue, self.run, self.tr),
            finished=False,
            accepted=False,
            scale_mode=None,
        )

    # --- buttons ----------------------------------------------------------------------

    def press(self, press: ButtonPress) -> Outcome:
        if press.turn != self.run.turn:
            raise _Rejected("engine.stale")
        shown = prompts.build(self.dialogue, self.run, self.tr).buttons
        # "Retour" is always understood, as a button or typed as /retour.
        offered = {button.value for row in shown for button in row} | {PREVIOUS}
        if press.value not in offered:
            raise _Rejected("engine.not_understood")  # forged, or from an edited file
        value, phase, kind = press.value, self.cursor.phase, self.step.kind
        if value == BACK:
            return self.ask(replace(self.cursor, phase=Phase.ASK))
        if value == PREVIOUS:
            return self.previous()
        if phase is Phase.AGAIN:
            return self.again(value == YES)
        if phase is Phase.FIX:
            return self.correct(int(value.removeprefix(prompts.CORRECT_PREFIX)))
        if value == SKIP:
            return self.store(None)
        if kind is StepKind.SCALE:
            return self.switch_scale() if value == SWITCH_SCALE else self.score(int(value), None)
        if kind is StepKind.CONFIRM:
            return self.store(value == YES)
        if kind is StepKind.RECAP:
            return (
                self.store(True)
                if value == YES
                else self.ask(replace(self.cursor, phase=Phase.FIX))
            )
        if kind is StepKind.MULTI:
            return self.tick(value)
        if value == OTHER:
            return self.ask(replace(self.cursor, phase=Phase.OTHER))
        return self.store(store.chosen(self.step, self.run.answers, value))

    def previous(self) -> Outcome:
        """Back to the question before, every answer kept (a multiple choice as ticked)."""
        if self.cursor.phase in (Phase.OTHER, Phase.FIX):
            return self.ask(replace(self.cursor, phase=Phase.ASK))
        if not self.run.history:
            raise _Rejected("engine.no_previous")
        cursor = self.run.history[-1]
        step = self.dialogue.step(cursor.step)
        given = store.get(self.dialogue, self.run.answers, step.id, cursor.item)
        if step.kind is StepKind.MULTI and cursor.phase is Phase.ASK and isinstance(given, list):
            cursor = replace(
                cursor,
                selected=tuple(
                    value
                    for value in (store.choice_value(part) for part in given)
                    if value and value != OTHER
                ),
                other=next(
                    (
                        part["text"]
                        for part in given
                        if isinstance(part, dict) and part.get("value") == OTHER
                    ),
                    None,
                ),
            )
        run = replace(
            self.run, cursor=cursor, history=self.run.history[:-1], turn=self.run.turn + 1
        )
        return _outcome(self.dialogue, run, [], self.tr)

    def again(self, more: bool) -> Outcome:
        group = self.step
        target = At(group.id) if more else flow.follow(self.dialogue, group, self.run.answers, None)
        return self.go(target, self.run.answers)

    def correct(self, index: int) -> Outcome:
        target = self.dialogue.step(self.step.recap_of[index])
        previous = self.run.answers.get(target.id)
        cursor = Cursor(target.id, back_to=self.step.id)
        if target.kind is StepKind.MULTI and isinstance(previous, list):
            # Start from what the person ticked before, so a correction is one tap.
            chosen = [store.choice_value(part) for part in previous]
            others = [
                part["text"]
                for part in previous
                if isinstance(part, dict) and part.get("value") == OTHER and "text" in part
            ]
            cursor = replace(
                cursor,
                selected=tuple(value for value in chosen if value and value != OTHER),
                other=others[0] if others else None,
            )
        return self.ask(cursor)

    def switch_scale(self) -> Outcome:
        mode = ScaleMode.EMOJI if self.run.scale_mode is ScaleMode.NUMBERS else ScaleMode.NUMBERS
        run = replace(self.run, scale_mode=mode, turn=self.run.turn + 1)
        return _outcome(self.dialogue, run, [], self.tr, scale_mode=mode.value)

    def tick(self, value: str) -> Outcome:
        """Multi: a press ticks or unticks an option, in place (same turn)."""
        cursor = self.cursor
        if value == DONE:
            if not cursor.selected and cursor.other is None:
                raise _Rejected("engine.choose_one")
            offered = store.option_values(self.step, self.run.answers)
            chosen: list[Json] = [
                store.chosen(self.step, self.run.answers, option)
                for option in offered
                if option in cursor.selected
            ]
            if cursor.other is not None:
                chosen.append(store.other(cursor.other))
            return self.store(chosen)
        if value == OTHER:
            if cursor.other is None:
                return self.ask(replace(cursor, phase=Phase.OTHER))
            return self.keep(replace(cursor, other=None))
        return self.keep(replace(cursor, selected=_toggled(cursor.selected, value)))

    # --- typed text and voice ---------------------------------------------------------

    def typed(self, answer: TextAnswer) -> Outcome:
        kind, phase, text = self.step.kind, self.cursor.phase, answer.text
        if kind is StepKind.TEXT and phase is Phase.ASK:
            return self.store(self.words(answer))
        shown = prompts.build(self.dialogue, self.run, self.tr).buttons
        value = inputs.pressed_by_text(text, (button for row in shown for button in row))
        if value is not None:
            if kind is StepKind.MULTI and phase is Phase.ASK and value not in (DONE, SKIP, OTHER):
                # The person wrote below the question: show it again below, as a new turn.
                return self.ask(
                    replace(self.cursor, selected=_toggled(self.cursor.selected, value))
                )
            return self.press(ButtonPress(self.run.turn, value))
        if phase is Phase.AGAIN or kind is StepKind.CONFIRM:
            yes = inputs.yes_or_no(text, self.tr)
            if yes is not None:
                return self.again(yes) if phase is Phase.AGAIN else self.store(yes)
        elif phase is Phase.ASK and kind is StepKind.SCALE:
            parsed = inputs.scale_number(text, self.tr)
            if parsed is None:
                raise self.scale_hint()
            return self.score(*parsed)
        elif phase is Phase.ASK and kind is StepKind.RECAP:
            if inputs.says(text, self.tr, "engine.words_yes"):
                return self.store(True)
            if inputs.says(text, self.tr, "engine.words_fix"):
                return self.ask(replace(self.cursor, phase=Phase.FIX))
        elif phase is Phase.ASK and self.step.other:
            return self.other_words(self.words(answer))
        raise _Rejected("engine.use_buttons")

    def voice(self, answer: VoiceAnswer) -> Outcome:
        if self.step.kind is StepKind.TEXT and self.cursor.phase is Phase.ASK:
            return self.store(self.words(answer))
        if self.step.other and self.cursor.phase is Phase.ASK:
            return self.other_words(self.words(answer))
        raise (
            self.scale_hint()
            if self.step.kind is StepKind.SCALE
            else _Rejected("engine.use_buttons")
        )

    def other_words(self, words: Json) -> Outcome:
        if self.step.kind is StepKind.MULTI:
            return self.ask(replace(self.cursor, phase=Phase.ASK, other=words))
        return self.store(store.other(words))

    def words(self, answer: Answer) -> Json:
        """The person's own words, kept verbatim, or their voice note."""
        if isinstance(answer, VoiceAnswer):
            return store.voice(answer.file_id, answer.duration)
        if isinstance(answer, ButtonPress):
            raise _Rejected("engine.not_understood")
        if not answer.text.strip():
            raise _Rejected("engine.empty_text")
        if len(answer.text) > MAX_TEXT:
            raise _Rejected("engine.too_long")
        return answer.text

    def score(self, value: int, out_of: int | None) -> Outcome:
        """A score on the current scale, or on the one the person named ("7/10", "3 sur 5")."""
        mode = {None: self.run.scale_mode, 10: ScaleMode.NUMBERS, 5: ScaleMode.EMOJI}.get(out_of)
        if mode is None:
            raise self.scale_hint()
        low, high = prompts.scale_range(mode)
        if not low <= value <= high:
            raise self.scale_hint()
        return self.store(store.scale(value, high))

    def scale_hint(self) -> _Rejected:
        low, high = prompts.scale_range(self.run.scale_mode)
        return _Rejected("engine.scale_hint", low=low, high=high)

    # --- moving on --------------------------------------------------------------------

    def store(self, value: Json) -> Outcome:
        """Keep the answer and go on: to the recap when correcting, else along the flow."""
        answers = store.put(self.dialogue, self.run.answers, self.step.id, self.cursor.item, value)
        if self.cursor.back_to is not None:
            target: Target = At(self.cursor.back_to)
        else:
            target = flow.follow(self.dialogue, self.step, answers, self.cursor.item)
        said: list[str] = []
        outcome = self.go(target, answers, said)
        if isinstance(value, bool):
            return outcome  # yes/no: the button's own words ("Oui, c'est ça") say it best
        if value is None:
            return replace(outcome, chosen=self.tr.message("engine.skipped"))
        return replace(outcome, chosen=display.shown(self.step, value, self.tr))

    def go(
        self, target: Target, answers: dict[str, Json], said: list[str] | None = None
    ) -> Outcome:
        said = said if said is not None else []
        # This question joins the way back; a sub-phase (Autre, Corriger) returns to its question.
        here = self.cursor
        if here.phase is not Phase.AGAIN:
            here = replace(here, phase=Phase.ASK, selected=(), other=None)
        history = (*self.run.history, here)[-HISTORY_MAX:]
        moved = replace(self.run, answers=answers, history=history)
        run = _arrive(self.dialogue, moved, target, said, self.tr)
        return _outcome(self.dialogue, run, said, self.tr)

    def ask(self, cursor: Cursor) -> Outcome:
        """The same step again in another phase: a new question, so a new turn."""
        run = replace(self.run, cursor=cursor, turn=self.run.turn + 1)
        return _outcome(self.dialogue, run, [], self.tr)

    def keep(self, cursor: Cursor) -> Outcome:
        """The same question, updated in place (same turn)."""
        return _outcome(self.dialogue, replace(self.run, cursor=cursor), [], self.tr)


def _toggled(selected: tuple[str, ...], value: str) -> tuple[str, ...]:
    if value in selected:
        return tuple(item for item in selected if item != value)
    return (*selected, value)
