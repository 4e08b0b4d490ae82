"""A use case's `Reply` in the terminal: messages as paragraphs, buttons as numbered choices.

The terminal remembers what a typed line may answer: the choices of the last reply that
offered any (numbered on from 1 across its messages), and the dialogue question shown last,
whose buttons are matched by label, number or value (bot/console.py).
"""

from __future__ import annotations

from typing import assert_never

from bot.actions import Callback
from bot.console_output import ConsoleOutput, choice_typed
from bot.engine import Button, Prompt
from bot.replies import (
    ClosePressed,
    DialogueQuestion,
    DocumentAttachment,
    EditPressed,
    EditQuestion,
    Message,
    Notice,
    PictureAttachment,
    Reply,
    RetireQuestion,
    Rows,
    VoiceAttachment,
    WorkerCommandMenu,
)
from bot.usecases.conversation import Conversation


class ConsoleScreen:
    """What the terminal shows of each reply, and which choices stay open."""

    def __init__(self, out: ConsoleOutput, conversation: Conversation) -> None:
        self._out = out
        self._conversation = conversation
        self.prompt: Prompt | None = None
        self.run_id: int | None = None
        self._choices: list[tuple[str, Callback]] = []

    def close(self) -> None:
        """Another command came: the choices shown are no longer open."""
        self._choices = []

    def leave_question(self) -> None:
        """The dialogue question is no longer answered by typing (the person left it)."""
        self.prompt = None
        self.run_id = None

    def choice(self, line: str) -> tuple[str, Callback] | None:
        """The open choice this line names (its label, number or a unique start), if any."""
        offered = [Button(label, str(index)) for index, (label, _) in enumerate(self._choices)]
        chosen = choice_typed(line, offered)
        return None if chosen is None else self._choices[int(chosen.value)]

    async def show(self, reply: Reply) -> None:
        """Print the reply; the choices it offers (if any) become the open ones."""
        offered: list[tuple[str, Callback]] = []
        asks = False
        for part in reply.parts:
            match part:
                case Message(text=text, choices=choices) | EditPressed(text=text, choices=choices):
                    self._out.say(text)
                    offered += self._numbered(choices, start=len(offered) + 1)
                    asks = asks or bool(choices)
                case DialogueQuestion(prompt=prompt, run_id=run_id, seen=seen):
                    self._show_prompt(prompt, run_id)
                    asks = True
                    if not seen:
                        await self._conversation.shown(part)
                case EditQuestion(prompt=prompt, run_id=run_id):
                    self._show_prompt(prompt, run_id)
                    asks = True
                case RetireQuestion():
                    self.leave_question()
                case Notice(text=text):
                    if text:
                        self._out.say(text)
                case (
                    VoiceAttachment(caption=caption)
                    | PictureAttachment(caption=caption)
                    | DocumentAttachment(caption=caption)
                ):
                    if caption:
                        self._out.say(caption)
                case ClosePressed():
                    pass  # the terminal keeps no pressed message to edit
                case WorkerCommandMenu():
                    pass  # the terminal is a person's only
                case _:
                    assert_never(part)
        if asks:
            self._choices = offered

    def _numbered(self, rows: Rows, start: int) -> list[tuple[str, Callback]]:
        choices = [choice for row in rows for choice in row]
        self._out.numbered((label for label, _ in choices), start=start)
        return choices

    def _show_prompt(self, prompt: Prompt, run_id: int) -> None:
        self.prompt, self.run_id = prompt, run_id
        self._out.say(prompt.text)
        buttons = [button for row in prompt.buttons for button in row]
        values = [button.label for button in buttons if button.label.isdigit()]
        if values:
            # A 0–10 scale: the person types the value itself; other buttons by their words.
            self._out.write("  " + "  ".join(values))
            for button in buttons:
                if not button.label.isdigit():
                    self._out.write(f"  · {button.label}")
            return
        self._out.numbered(button.label for button in buttons)
