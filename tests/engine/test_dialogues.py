"""Every dialogue in dialogs/ is walked to the end, down every branch, by random persons.

A broken dialogue file, a branch that leads nowhere or a message too long for a phone
fails here, in CI, rather than in front of a person.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest

from bot.engine import (
    Answer,
    ButtonPress,
    Dialogue,
    Prompt,
    StepKind,
    TextAnswer,
    VoiceAnswer,
    answers_view,
    load_dialogues,
    scale_scores,
)
from tests.engine.helpers import DIALOGS, TR, Person

DIALOGUES = load_dialogues(DIALOGS)
WALKS = 150
MAX_ACTIONS = 600
VALUE = re.compile(r"[a-z0-9_.-]{1,16}")
# Going back, correcting, switching scale: less often, so that walks end.
DETOURS = {"_mode": 0.2, "_back": 0.2, "_fix": 0.4}
WORDS = ["le loyer", "ma sœur", "oui", "<b>gras</b> & {0} {}", "😟", "7", "non"]


def words(text: str) -> int:
    return len(text.split())


def fixed_words(prompt: Prompt) -> int:
    """Words the bot wrote, without the person's own words quoted in a recap."""
    lines = [
        line.split(" : ")[0] if line.startswith("• ") else line for line in prompt.text.splitlines()
    ]
    return words("\n".join(lines))


def check_prompt(prompt: Prompt) -> None:
    assert prompt.text.strip()
    assert len(prompt.text) <= 4096
    assert fixed_words(prompt) <= 60, prompt.text
    buttons = [button for row in prompt.buttons for button in row]
    assert len(buttons) <= 100
    assert all(0 < len(row) <= 5 for row in prompt.buttons)
    assert len({button.value for button in buttons}) == len(buttons)
    for button in buttons:
        assert button.label.strip()
        assert VALUE.fullmatch(button.value), button.value
        assert len(button.value.encode()) <= 16


def choose(prompt: Prompt, rng: random.Random) -> Answer:
    answers: list[Answer] = [
        ButtonPress(prompt.turn, b.value) for row in prompt.buttons for b in row
    ]
    weights = [
        DETOURS.get(answer.value, 1.0) for answer in answers if isinstance(answer, ButtonPress)
    ]
    if prompt.accepts_text:
        answers += [TextAnswer(rng.choice(WORDS)), VoiceAnswer("voice", 7)]
        weights += [1.0, 0.3]
    # Now and then something that must be refused without harm.
    answers += [TextAnswer("   "), ButtonPress(prompt.turn - 1, "_yes"), TextAnswer("hmm ?")]
    weights += [0.05, 0.05, 0.05]
    return rng.choices(answers, weights)[0]


def walk(dialogue: Dialogue, seed: int) -> Iterator[tuple[str, str]]:
    """Moves from step to step of one random walk to the end ("end")."""
    rng = random.Random(seed)
    person = Person(dialogue, scale_mode=rng.choice(["numbers", "emoji"]))
    for message in person.last.messages:
        assert words(message) <= 60
    for _ in range(MAX_ACTIONS):
        if person.last.finished:
            views = answers_view(dialogue, person.state, TR)
            assert all(label and text for label, text in views)
            scale_scores(dialogue, person.state)
            return
        check_prompt(person.prompt)
        before = person.step
        assert before is not None
        person.take(choose(person.prompt, rng))
        for message in person.last.messages:
            assert message.strip() and words(message) <= 60, message
        after = person.step or "end"
        if after != before:
            yield before, after
    pytest.fail(f"{dialogue.id}: walk {seed} did not end after {MAX_ACTIONS} actions")


def asked_after(dialogue: Dialogue, target: str) -> str:
    """Where the cursor lands when going to `target`: message steps are said, not asked."""
    while target != "end" and dialogue.step(target).kind is StepKind.MESSAGE:
        siblings = dialogue.siblings(target)
        position = siblings.index(dialogue.step(target))
        group = dialogue.parent(target)
        if position + 1 < len(siblings):
            target = siblings[position + 1].id
        else:
            target = "end" if group is None else group.id
    return target


def default_next(dialogue: Dialogue, step_id: str) -> str:
    siblings = dialogue.siblings(step_id)
    position = siblings.index(dialogue.step(step_id))
    if position + 1 < len(siblings):
        return asked_after(dialogue, siblings[position + 1].id)
    group = dialogue.parent(step_id)
    return "end" if group is None else group.id


@pytest.mark.parametrize("dialogue", DIALOGUES.values(), ids=list(DIALOGUES))
def test_every_step_and_branch_is_reached(dialogue: Dialogue) -> None:
    moves = {move for seed in range(WALKS) for move in walk(dialogue, seed)}
    reached = {step for move in moves for step in move}
    for top in dialogue.steps:
        for step in (top, *top.group):
            if step.kind not in (StepKind.MESSAGE, StepKind.REPEAT):
                assert step.id in reached, f"{dialogue.id}: '{step.id}' is never asked"
            conditional = [branch for branch in step.next if branch.when is not None]
            if not conditional:
                continue
            for branch in conditional:
                target = branch.goto if branch.goto == "end" else asked_after(dialogue, branch.goto)
                assert (step.id, target) in moves, f"{step.id} never goes to {target}"
            assert (step.id, default_next(dialogue, step.id)) in moves, f"{step.id} default"


def test_the_shipped_dialogues_follow_the_method() -> None:
    assert set(DIALOGUES) == {"probleme", "idees", "forces"}
    probleme, idees, forces = DIALOGUES["probleme"], DIALOGUES["idees"], DIALOGUES["forces"]
    assert probleme.steps[-1].kind is StepKind.RECAP
    assert idees.step("idees").kind is StepKind.REPEAT
    assert idees.step("premier_pas").options_from is not None
    assert idees.step("rappel").kind is StepKind.CONFIRM
    scales = [step for step in forces.steps if step.kind is StepKind.SCALE]
    assert len(scales) == 8
    # Capable of what: each domain says it, concretely, in its own question.
    asks = [step.text.splitlines()[-1] for step in scales]
    assert all("capable" in ask and ask.endswith("?") for ask in asks)
    assert len(set(asks)) == 8
    for dialogue in DIALOGUES.values():
        assert "Vous pouvez arrêter et reprendre quand vous voulez." in dialogue.intro
        for top in dialogue.steps:
            for step in (top, *top.group):
                if step.kind in (
                    StepKind.TEXT,
                    StepKind.SCALE,
                    StepKind.CHOICE,
                    StepKind.MULTI,
                    StepKind.CONFIRM,
                ):
                    assert step.label, step.id


def test_the_dialogue_texts_are_short_sentences() -> None:
    texts = [text for d in DIALOGUES.values() for text in (d.intro, d.outro)]
    texts += [s.text for d in DIALOGUES.values() for top in d.steps for s in (top, *top.group)]
    for text in texts:
        assert words(text) <= 60, text
        for sentence in re.split(r"[.?!:\n]+", text):
            assert words(sentence) <= 14, sentence
