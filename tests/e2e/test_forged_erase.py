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
    for forged in ("v1|r|erase", "v1|r|erase|29000000.0123456789ab"):
        await amina.click_data(forged)
        await eventually(fake_telegram, amina, question)
        assert await storage.person_by_account(account) is not None, forged

    # The real confirmation still works.
    await amina.send("/effacer")
    await expect(amina, question)
    await amina.click(ui_text("rights.erase_yes"))
    await eventually(fake_telegram, amina, ui_text("rights.erased"))
    assert await storage.person_by_account(account) is None
