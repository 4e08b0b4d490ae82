"""What the terminal's parts share: one way to write, and one way to read a typed choice."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from bot.engine import Button
from bot.engine.inputs import normalise


class ConsoleOutput:
    """Lines to standard output, flushed at once (the terminal may be a pipe)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str = "") -> None:
        self._stream.write(text + "\n")
        self._stream.flush()

    def say(self, text: str) -> None:
        """A message of the bot's, apart from what came before."""
        self.write()
        self.write(text)

    def numbered(self, labels: Iterable[str], start: int = 1) -> None:
        """Choices to answer with their number (or their words)."""
        for number, label in enumerate(labels, start=start):
            self.write(f"  {number}. {label}")

    def prompt(self) -> None:
        self._stream.write("> ")
        self._stream.flush()


def choice_typed(line: str, buttons: list[Button]) -> Button | None:
    """A button by its label (a scale's "7" is the value 7), its number, or a unique start."""
    wanted = normalise(line)
    if not wanted:
        return None
    for button in buttons:
        if normalise(button.label) == wanted:
            return button
    numbered = [button for button in buttons if not button.label.isdigit()]
    if line.isdigit() and len(numbered) == len(buttons) and 1 <= int(line) <= len(buttons):
        return buttons[int(line) - 1]
    starting = [button for button in buttons if normalise(button.label).startswith(wanted)]
    return starting[0] if len(starting) == 1 and len(wanted) >= 3 else None
