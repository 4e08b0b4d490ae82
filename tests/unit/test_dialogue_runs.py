"""Dialogues as a use case: each shipped dialogue can be answered to its end through the use
case alone, the menu follows, and an answer is never filed under a question not yet shown."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.config import Settings
from bot.engine import TextAnswer
from bot.i18n import ui_text
from tests.clock import ManualClock
from tests.unit.actors import a_person, a_worker, finishes, opened

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("dialogue_id", ["probleme", "idees", "forces"])
async def test_each_dialogue_ends_and_the_menu_says_so(
    settings: Settings, dialogue_id: str
) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, "telegram:201")
        tr = services.catalogs.translator()

        await finishes(services, amina, dialogue_id)

        menu = {
            entry.dialogue_id: entry.status for entry in await services.dialogues.menu(amina, tr)
        }
        assert menu[dialogue_id] == "done"
        assert {status for key, status in menu.items() if key != dialogue_id} == {"new"}


async def test_text_before_the_question_was_shown_shows_it_again(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, "telegram:201")
        tr = services.catalogs.translator()
        opened_turn = await services.dialogues.open(amina, "probleme", tr)
        found = await services.storage.get_person(amina.id)
        assert found is not None and opened_turn.prompt is not None

        # The bot stopped before sending the question: the words are not filed under it.
        turn = await services.dialogues.answer(found, TextAnswer("Le loyer"), tr)

        assert turn.messages == (ui_text("bot.resume"),)
        assert turn.prompt == opened_turn.prompt
