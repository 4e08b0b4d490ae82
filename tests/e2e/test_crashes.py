"""kill -9 at the worst moments: no answer under an unseen question, no update lost."""

from __future__ import annotations

from bot.config import Settings
from bot.i18n import Catalogs
from bot.services import build_services
from tests.conftest import ROOT
from tests.e2e.helpers import expect, invite, open_dialogue
from tests.e2e.test_invitations import admin
from tests.e2e.test_sigterm import start_bot, stop_bot
from tests.fakegram import FakeTelegram


def ui(key: str) -> str:
    return Catalogs.load(ROOT / "dialogs", ROOT / "locales").translator("fr").message(key)


async def test_kill_between_storing_an_answer_and_sending_the_next_question(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    printed = await admin(settings, "invite-worker", "--name", "Séverine D.")
    code = printed.split("?start=")[1].split()[0]
    process = await start_bot(fake_telegram, settings)
    severine = fake_telegram.user(first_name="Séverine")
    await severine.send(f"/start {code}")
    await expect(severine, "votre accès intervenant·e est ouvert")
    await severine.next_message()
    amina = fake_telegram.user(first_name="Amina")
    await amina.send(f"/start {await invite(severine, 'Amina')}")
    for _ in range(3):
        await amina.next_message()
    await amina.click("J'accepte")
    for _ in range(3):
        await amina.next_message()
    await open_dialogue(amina, "Mon problème")
    await amina.next_message()
    await expect(amina, "Qu'est-ce qui est difficile")

    # The answer is stored; the next question hangs on its way; the process dies right then.
    fake_telegram.fail_next("sendMessage", timeout=60, chat_id=amina.chat_id, count=3)
    sent_before = len(fake_telegram.requests_for("sendMessage"))
    await amina.send("Les factures")
    await fake_telegram.wait_for(
        lambda: any(
            str(request.get("chat_id")) == str(amina.chat_id)
            for request in fake_telegram.requests_for("sendMessage")[sent_before:]
        )
    )
    process.kill()
    await process.wait()
    fake_telegram.clear_failures()
    assert not any("Donnez un titre court" in m.text for m in amina.messages)

    # Restarted: the question the person never saw is shown before any text is filed under it.
    process = await start_bot(fake_telegram, settings)
    await fake_telegram.wait_for(
        lambda: any("Donnez un titre court" in m.text for m in amina.messages), timeout=60
    )
    assert any(m.text == ui("bot.resume") for m in amina.messages)
    await amina.send("Factures")
    await fake_telegram.wait_for(
        lambda: any("C'est un problème pour qui ?" in m.text for m in amina.messages), timeout=60
    )
    await stop_bot(process)

    services = build_services(settings)
    await services.storage.open()
    try:
        person = await services.storage.person_by_account(f"telegram:{amina.id}")
        assert person is not None
        (run,) = await services.storage.active_runs(person.id)
    finally:
        await services.storage.close()
    answers = run.state["answers"]
    assert answers["difficulte"] == "Les factures"
    assert answers["titre"] == "Factures"
