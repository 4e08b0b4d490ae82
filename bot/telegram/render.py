"""Turns use-case results into Telegram messages (plain text and inline keyboards)."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest

from bot.actions import AnswerButton, Callback
from bot.engine import Prompt
from bot.telegram import calls
from bot.telegram.callbacks import encode
from bot.telegram.calls import PlainKeyboard
from bot.usecases.message_length import telegram_length

MESSAGE_LIMIT = 4096
# The style's limit for one message (STYLE.md; tests/unit/test_texts.py checks every text).
MESSAGE_WORDS = 60


def keyboard(rows: Sequence[Sequence[tuple[str, Callback]]]) -> InlineKeyboardMarkup:
    """An inline keyboard from rows of (label, callback)."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=encode(cb)) for label, cb in row]
            for row in rows
        ]
    )


def prompt_keyboard(prompt: Prompt, run_id: int) -> PlainKeyboard | None:
    """The buttons of a question, bound to its run and turn so old ones are recognised.

    Plain JSON, not PTB objects: a question's keyboard is built at every turn and only sent."""
    if not prompt.buttons:
        return None
    return {
        "inline_keyboard": [
            [
                {
                    "text": button.label,
                    "callback_data": encode(AnswerButton(run_id, prompt.turn, button.value)),
                }
                for button in row
            ]
            for row in prompt.buttons
        ]
    }


def fewest_messages(texts: Sequence[str], words: int = MESSAGE_WORDS) -> list[str]:
    """Consecutive short texts joined into one message (a blank line between them) while the
    message stays within `words`: one Bot API call, and one wait for the chat's pacing, each
    saved. A text already over the limit stays alone."""
    messages: list[str] = []
    count = 0
    for text in texts:
        size = len(text.split())
        if messages and count + size <= words:
            messages[-1] = f"{messages[-1]}\n\n{text}"
            count += size
        else:
            messages.append(text)
            count = size
    return messages


def prefix_within(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 code units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split a long text into messages Telegram accepts, at paragraph or line breaks if possible."""
    chunks: list[str] = []
    rest = text
    while telegram_length(rest) > limit:
        end = prefix_within(rest, limit)
        cut = max(rest.rfind("\n\n", 0, end), rest.rfind("\n", 0, end))
        if cut <= 0:
            cut = rest.rfind(" ", 0, end)
        if cut <= 0:
            cut = end
        if rest[:cut].strip():
            chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest.strip():
        chunks.append(rest)
    return chunks or ["…"]


def png_file(data: bytes, name: str) -> InputFile:
    """A PNG with a file name, so Telegram clients show it as a picture."""
    return InputFile(data, filename=f"{name}.png")


async def close_buttons(query: CallbackQuery) -> None:
    """Remove the buttons of an answered question so they cannot be pressed again."""
    message = query.message
    if message is None or getattr(message, "reply_markup", None) is None:
        return
    # Already closed, or too old to edit: nothing to do.
    with contextlib.suppress(BadRequest):
        await calls.edit_markup(query.get_bot(), message.chat.id, message.message_id)


def pressed_label(query: CallbackQuery) -> str | None:
    """The label of the button that was pressed, read from the message it was on."""
    markup = getattr(query.message, "reply_markup", None)
    for row in getattr(markup, "inline_keyboard", ()):
        for key in row:
            if key.callback_data == query.data:
                return str(key.text)
    return None


async def show_choice(query: CallbackQuery, choice: str | None) -> None:
    """The question keeps its text, the buttons go, and the choice shows under it."""
    message = query.message
    text = getattr(message, "text", None)
    if message is None or not text or not choice:
        await close_buttons(query)
        return
    room = MESSAGE_LIMIT - telegram_length(text) - 1
    if telegram_length(choice) > room:
        # Her own long words are right above in the chat: here, their beginning is enough.
        choice = choice[: prefix_within(choice, max(0, room - 1))] + "…"
    try:
        await calls.edit_text(
            query.get_bot(), message.chat.id, message.message_id, f"{text}\n{choice}"
        )
    except BadRequest:
        # Too old to edit, or too long with the choice: at least the buttons go.
        await close_buttons(query)
