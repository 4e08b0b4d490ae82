"""Reading the bot's replies in end-to-end tests."""

from __future__ import annotations

from tests.fakegram import BotMessage, FakeUser


async def expect(user: FakeUser, fragment: str) -> BotMessage:
    """The next bot message, which must contain `fragment`."""
    message = await user.next_message()
    assert fragment in message.text, f"expected {fragment!r}\n\n{user.transcript()}"
    return message


async def open_dialogue(user: FakeUser, title: str) -> None:
    """From nothing to the dialogue's first question: /menu, then its button."""
    await user.send("/menu")
    await expect(user, "Que voulez-vous faire ?")
    await user.click(title)
