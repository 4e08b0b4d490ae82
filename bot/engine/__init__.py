"""The dialogue engine: guided dialogues as data, run as a pure state machine.

It knows nothing of Telegram, storage or asyncio: the caller loads the dialogues once,
keeps each run's JSON state, and turns prompts into messages and buttons.
"""

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
from bot.engine.loader import load_dialogues, load_ui_texts
from bot.engine.loader_errors import DialogueError
from bot.engine.model import PREVIOUS, Dialogue, Option, Step, StepKind
from bot.engine.runner import (
    advance,
    answers_lines,
    answers_view,
    current_prompt,
    is_finished,
    is_stale,
    scale_scores,
    start,
    voice_notes,
)

__all__ = [
    "PREVIOUS",
    "Answer",
    "Button",
    "ButtonPress",
    "Dialogue",
    "DialogueError",
    "Option",
    "Outcome",
    "Prompt",
    "Step",
    "StepKind",
    "TextAnswer",
    "Translator",
    "VoiceAnswer",
    "advance",
    "answers_lines",
    "answers_view",
    "current_prompt",
    "is_finished",
    "is_stale",
    "load_dialogues",
    "load_ui_texts",
    "scale_scores",
    "start",
    "voice_notes",
]
