"""Reading the bot's replies, and the journeys most tests start from."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from bot.domain import Worker
from bot.i18n import ui_text
from bot.services import Services
from tests.fakegram import BotMessage, FakeTelegram, FakeUser

App = Application[Any, Any, Any, Any, Any, Any]


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


def services_of(app: App) -> Services:
    """The use cases behind a running bot."""
    found: Services = app.bot_data["services"]
    return found


def start_code(message: BotMessage) -> str:
    """The invitation code inside a link the bot sent."""
    return message.text.split("?start=")[1].split()[0]


async def worker_joins(
    fake: FakeTelegram, app: App, first_name: str = "Séverine", structure: str | None = None
) -> tuple[FakeUser, Worker]:
    """An admin registers a worker (as `equipage admin invite-worker` does); they open the link."""
    new_worker, issued = await services_of(app).invitations.invite_worker(
        f"{first_name} D.", structure
    )
    user = fake.user(first_name=first_name)
    await user.send(f"/start {issued.code}")
    await expect(user, "Bienvenue")
    await expect(user, "Vos commandes")
    return user, new_worker


async def invite(worker_user: FakeUser, pseudonym: str) -> str:
    """The worker types /inviter and gets a QR code whose caption holds the link."""
    await worker_user.send(f"/inviter {pseudonym}")
    # Notices about earlier persons joining may still be unread: skip to the picture.
    while True:
        picture = await worker_user.next_message()
        if picture.photo is not None and "?start=" in picture.text:
            return start_code(picture)


async def person_joins(
    fake: FakeTelegram,
    app: App,
    first_name: str,
    *,
    language_code: str = "fr",
    worker_user: FakeUser | None = None,
) -> FakeUser:
    """A worker invites a person, who opens the link and accepts; the menu is then shown."""
    if worker_user is None:
        worker_user, _ = await worker_joins(fake, app)
    code = await invite(worker_user, first_name)
    person = fake.user(first_name=first_name, language_code=language_code)
    await person.send(f"/start {code}")
    await person.next_message()  # who proposes Équipage
    await person.next_message()  # what is stored, who sees what
    await person.next_message()  # the question, with its buttons
    await person.click("J'accepte" if language_code == "fr" else "I agree")
    await person.next_message()  # welcome
    await person.next_message()  # greeting
    await person.next_message()  # menu
    await fake.wait_for(lambda: any(first_name in m.text for m in worker_user.messages))
    return person


async def finish_probleme(user: FakeUser, difficulty: str | bytes) -> None:
    """The person walks Mon problème to the end with short answers (bytes: a voice note)."""
    await open_dialogue(user, "Mon problème")
    await expect(user, "Prenez votre temps")
    await expect(user, "Qu'est-ce qui est difficile")
    if isinstance(difficulty, bytes):
        await user.send_voice(25, data=difficulty)
    else:
        await user.send(difficulty)
    await expect(user, "comment l'appelleriez-vous")
    await user.send("Logement")
    await expect(user, "C'est un problème pour qui ?")
    await user.click("Moi")
    await user.click("Valider")
    await expect(user, "Imaginez que ça va mieux")
    await user.send("J'aurais un endroit à moi")
    await expect(user, "moments où c'est un peu moins difficile")
    await user.click("Passer")
    await expect(user, "vous en êtes où ?")
    await user.click("3")
    await expect(user, "et pas plus bas")
    await user.send("Ma sœur m'aide")
    await expect(user, "important pour vous de changer")
    await user.click("9")
    await expect(user, "quel domaine")
    await user.click("Logement")
    recap = await expect(user, "Voici ce que j'ai compris")
    while not recap.button_labels:  # a long recap comes in several messages
        recap = await user.next_message()
    await user.click("Oui, c'est ça", message=recap)
    await user.next_message()
    await expect(user, "Que voulez-vous faire ?")


async def confirm_recap(user: FakeUser) -> None:
    """A recap has come (maybe in several messages): the person says it is right."""
    recap = await expect(user, "Voici ce que j'ai compris")
    while not recap.button_labels:  # a long recap comes in several messages
        recap = await user.next_message()
    await user.click("Oui, c'est ça", message=recap)


async def finish_forces(user: FakeUser, score: int) -> None:
    """The person walks Mes forces, the same score in every domain."""
    title = (
        "Mes forces ✔"
        if any("Mes forces ✔" in label for m in user.messages for label in m.button_labels)
        else "Mes forces"
    )
    await open_dialogue(user, title)
    if title.endswith("✔"):
        await expect(user, "Ce que vous avez dit le")
        await user.click("Refaire")
    await user.next_message()
    for _ in range(8):
        await user.next_message()
        await user.click(str(score))
        await expect(user, "va bien")
        await user.click("Passer")
    await expect(user, "Encore trois questions")
    for answer in ("Cuisiner", "J'ai demandé de l'aide", "Mon frère"):
        await user.next_message()
        await user.send(answer)
    recap = await expect(user, "Voici ce que j'ai compris")
    while not recap.button_labels:  # a long recap comes in several messages
        recap = await user.next_message()
    await user.click("Oui, c'est ça", message=recap)
    await user.next_message()
    await expect(user, "Que voulez-vous faire ?")


async def eventually(fake: FakeTelegram, user: FakeUser, fragment: str) -> BotMessage:
    """The newest message containing `fragment`, once it has arrived (unread ones skipped)."""

    def newest() -> BotMessage | None:
        return next((m for m in reversed(user.messages) if fragment in m.text), None)

    found = await fake.wait_for(newest, message=f"{fragment!r} never came")
    assert found is not None
    return found


async def choose_a_first_step(user: FakeUser, when: str) -> None:
    """Mes idées up to "Quand ?", answered with `when`, the recap confirmed, and "Je vous le
    rappelle ?" Oui (what the bot says next is left to the test)."""
    await open_dialogue(user, "Mes idées")
    await user.next_message()
    await expect(user, "Qu'avez-vous déjà essayé")
    await user.send("Rien encore")
    await expect(user, "vos idées, même petites")
    await expect(user, "Écrivez une idée")
    await user.send("Appeler la CAF")
    await expect(user, "pourrait bloquer")
    await user.click("Passer")
    await expect(user, "Qui ou quoi peut vous aider")
    await user.click("Passer")
    await expect(user, "une autre idée")
    await user.click("Non")
    await expect(user, "Laquelle pouvez-vous essayer")
    await user.click("Appeler la CAF")
    await expect(user, "sûr·e d'y arriver")
    await user.click("8")
    await expect(user, "Quand allez-vous essayer ?")
    await user.send(when)
    await confirm_recap(user)
    await expect(user, "Je vous le rappelle ?")
    await user.click("Oui")


async def shows_choice(fake: FakeTelegram, user: FakeUser, message: BotMessage, label: str) -> None:
    """The answered message now ends with "✅ label" and has no buttons left."""
    chosen = ui_text("bot.chosen", answer=label)
    await fake.wait_for(
        lambda: any(
            m.message_id == message.message_id and m.text.endswith(chosen) and not m.buttons
            for m in user.messages
        ),
        message=f"{chosen!r} never shown on message #{message.message_id}",
    )
