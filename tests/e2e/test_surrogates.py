"""Text with lone surrogates (a broken emoji from some clients) is kept, never lost."""

from __future__ import annotations

from bot.domain import DialogueRun
from tests.e2e.helpers import (
    App,
    asked,
    expect,
    intro,
    open_dialogue,
    person_joins,
    services_of,
    title,
)
from tests.fakegram import FakeTelegram

BROKEN = "Mon loyer \ud83d est trop cher \udc00 vraiment"


async def test_an_answer_with_lone_surrogates_is_stored_and_the_dialogue_goes_on(
    fake_telegram: FakeTelegram, bot: App
) -> None:
    """The audit: lone surrogates raised UnicodeEncodeError and the answer was lost."""
    storage = services_of(bot).storage
    amina = await person_joins(fake_telegram, bot, "Amina")
    await open_dialogue(amina, title("probleme"))
    await expect(amina, intro("probleme"))
    await expect(amina, asked("probleme", "difficulte"))
    await amina.send(BROKEN)
    await expect(amina, asked("probleme", "titre"))
    person = await storage.person_by_account(f"telegram:{amina.id}")
    assert person is not None
    runs: list[DialogueRun] = await storage.active_runs(person.id)
    stored = " ".join(str(value) for value in runs[0].state["answers"].values())
    assert "Mon loyer" in stored and "vraiment" in stored
    assert "\ufffd" in stored  # each lone half replaced, the rest of the words kept
