"""What the bot answers to one input, for any transport to render: a render-neutral reply.

A use case returns a `Reply`: its parts, in order. Texts are already translated (the
translator lives in the use cases); buttons are typed actions (`bot.actions`), each
transport encodes them its own way. Telegram sends messages, keyboards and edits
(`bot/telegram/replying.py`); the terminal prints numbered lines (`bot/console.py`).
Renderers `match` on the parts with `assert_never`, so a part a renderer forgets is a mypy
error. No transport type here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.actions import Callback
from bot.engine import Prompt

# A button: its label and what pressing it does.
Choice = tuple[str, Callback]
Rows = tuple[tuple[Choice, ...], ...]


def rows_of(rows: Iterable[Iterable[Choice]]) -> Rows:
    """Rows of choices, frozen (a reply is a value)."""
    return tuple(tuple(row) for row in rows)


@dataclass(frozen=True)
class Message:
    """A message; its choices, if any, are buttons under it (a question)."""

    text: str
    choices: Rows = ()
    # Short messages in a row marked joinable may go as one (Telegram: fewest_messages);
    # only the last of such a row may carry choices.
    joinable: bool = False


@dataclass(frozen=True)
class DialogueQuestion:
    """A dialogue's question: the one live question (older copies lose their buttons), and
    once the transport has shown it, free text answers it (`Conversation.shown`)."""

    prompt: Prompt
    run_id: int
    # Asked again after a command: already seen, nothing new to mark.
    seen: bool = False


@dataclass(frozen=True)
class EditQuestion:
    """The pressed dialogue question changes in place (a multiple choice ticked)."""

    prompt: Prompt
    run_id: int


@dataclass(frozen=True)
class EditPressed:
    """The pressed message now says `text`, with these choices (a toggle, a setting)."""

    text: str
    choices: Rows = ()


@dataclass(frozen=True)
class ClosePressed:
    """The pressed message keeps its text, loses its buttons, and shows `choice` under it
    (nothing shown when None)."""

    choice: str | None = None


@dataclass(frozen=True)
class RetireQuestion:
    """The dialogue question shown last was answered or replaced: its buttons go."""


@dataclass(frozen=True)
class Notice:
    """The short answer to a button press (None: only acknowledged). A reply to a press
    without one is acknowledged silently, first."""

    text: str | None = None


@dataclass(frozen=True)
class VoiceAttachment:
    """A voice note already known to the transport, by its file id."""

    file_id: str
    caption: str | None = None


@dataclass(frozen=True)
class PictureAttachment:
    """A picture (PNG) to show, such as the strengths chart."""

    data: bytes
    name: str
    caption: str | None = None


@dataclass(frozen=True)
class DocumentAttachment:
    """A file to send."""

    data: bytes
    file_name: str
    caption: str | None = None


@dataclass(frozen=True)
class WorkerCommandMenu:
    """From now on this chat is a worker's: their own commands, in their language, are the
    ones offered (Telegram: the chat's command menu)."""

    language: str


Part = (
    Message
    | DialogueQuestion
    | EditQuestion
    | EditPressed
    | ClosePressed
    | RetireQuestion
    | Notice
    | VoiceAttachment
    | PictureAttachment
    | DocumentAttachment
    | WorkerCommandMenu
)


@dataclass(frozen=True)
class Reply:
    """What to show, in order."""

    parts: tuple[Part, ...] = ()

    def __add__(self, other: Reply) -> Reply:
        return Reply(self.parts + other.parts)


def reply(*parts: Part) -> Reply:
    """A reply of these parts."""
    return Reply(parts)


def say(text: str, choices: Iterable[Iterable[Choice]] = ()) -> Reply:
    """A reply of one message (with buttons when `choices`)."""
    return Reply((Message(text, rows_of(choices)),))
