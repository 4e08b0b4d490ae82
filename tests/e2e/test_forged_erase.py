"""A crafted "erase" button press never skips /effacer's confirmation."""

from __future__ import annotations

from bot.i18n import ui_text
from tests.e2e.helpers import App, eventually, expect, person_joins, services_of
from tests.fakegram import FakeTelegram


async def test_a_forged_erase_press_asks_the_question_and_erases_nothing(
    fake_telegram: FakeTelegram, bot: App
) -> None:
    """The audit: a forged `v1|r|erase` button skipped the confirmation."""
    storage = services_of(bot).storage
    amina = await person_joins(fake_telegram, bot, "Amina")
    account = f"telegram:{amina.id}"
    question = ui_text("rights.erase_question")
    # Any message of the bot with buttons will do for a crafted press: the menu.
    menu = await eventually(fake_telegram, amina, ui_text("bot.menu"))
    for asked, forged in enumerate(("v1|r|erase", "v1|r|erase|29000000.0123456789ab"), 1):
        await amina.click_data(forged, message=menu)

        def asked_again(times: int = asked) -> bool:
            return sum(question in m.text for m in amina.messages) == times

        await fake_telegram.wait_for(asked_again)
        assert await storage.person_by_account(account) is not None, forged

    # The real confirmation still works.
    await amina.send("/effacer")
    await expect(amina, question)
    await amina.click(ui_text("rights.erase_yes"))
    await eventually(fake_telegram, amina, ui_text("rights.erased"))
    assert await storage.person_by_account(account) is None
