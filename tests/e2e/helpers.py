"""Reading the bot's replies, and the journeys most tests start from."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bot.domain import Worker
from bot.engine import load_dialogues, load_ui_texts
from bot.i18n import Catalogs, ui_text
from bot.services import Services
from tests.fakegram import BotMessage, FakeTelegram, FakeUser

App = Application[Any, Any, Any, Any, Any, Any]

# The journeys read what they expect from the files a service edits, never from words typed
# here: rewording a question in dialogs/ must not break them.
DIALOGS = Path(__file__).resolve().parents[2] / "dialogs"
DIALOGUES = load_dialogues(DIALOGS)
UI_TEXTS = load_ui_texts(DIALOGS)
FRENCH = Catalogs.load(DIALOGS, DIALOGS.parent / "locales").translator("fr")
PARIS = ZoneInfo("Europe/Paris")


def ui_piece(key: str) -> str:
    """The longest fixed piece of a UI text (between placeholders and line breaks): a
    fragment of the message whatever fills it in, even when the text starts with one."""
    pieces = [
        piece.strip()
        for line in UI_TEXTS[key].split("\n")
        for chunk in line.split("{")
        for piece in chunk.split("}")[-1:]
    ]
    return max(pieces, key=len)


def spoken(moment: datetime) -> str:
    """A moment as the bot says it ("vendredi 11 décembre à 14h30"), in Paris."""
    return FRENCH.spoken(moment, PARIS)


def spoken_about(moment: datetime) -> str:
    """A moment the bot assumed ("mercredi 2 décembre vers 9h"), in Paris."""
    return FRENCH.spoken(moment, PARIS, about=True)


def day(moment: datetime) -> str:
    """A day as the bot writes it ("jeudi 3 décembre"), in Paris."""
    return FRENCH.day(moment, PARIS)


def ui_line(key: str, **params: object) -> str:
    """The first line of a UI text, filled in as the bot fills it."""
    return ui_text(key, **params).split("\n")[0]


def ui_start(key: str) -> str:
    """The start of a UI text of dialogs/ui/ (up to a placeholder or a line break): a
    fragment of the message the bot sends with it, whatever fills it in."""
    return UI_TEXTS[key].split("{")[0].split("\n")[0].strip()


def asked(dialogue_id: str, step_id: str) -> str:
    """The start of a question as its dialogue file words it (up to a placeholder or a line
    break): a fragment of what the bot sends for it."""
    text = DIALOGUES[dialogue_id].step(step_id).text
    return text.split("{")[0].split("\n")[0].strip()


def intro(dialogue_id: str) -> str:
    """The first line of a dialogue's introduction."""
    return DIALOGUES[dialogue_id].intro.split("\n")[0].strip()


def outro(dialogue_id: str) -> str:
    """The first line of what a dialogue says once finished."""
    return DIALOGUES[dialogue_id].outro.split("\n")[0].strip()


def title(dialogue_id: str) -> str:
    """A dialogue's title, as its menu button shows it."""
    return DIALOGUES[dialogue_id].title


def option(dialogue_id: str, step_id: str, value: str) -> str:
    """The label of one of a choice's options, by its value."""
    (label,) = [o.label for o in DIALOGUES[dialogue_id].step(step_id).options if o.value == value]
    return label


def again(dialogue_id: str, group_id: str) -> str:
    """A repeat group's "another one?" question."""
    return DIALOGUES[dialogue_id].step(group_id).again


async def expect(user: FakeUser, fragment: str) -> BotMessage:
    """The next bot message, which must contain `fragment`."""
    message = await user.next_message()
    assert fragment in message.text, f"expected {fragment!r}\n\n{user.transcript()}"
    return message


async def finished(user: FakeUser, dialogue_id: str) -> BotMessage:
    """A dialogue's last words and the menu, in one message (the menu's buttons under it)."""
    message = await expect(user, DIALOGUES[dialogue_id].outro.split("\n")[0])
    assert ui_text("bot.menu") in message.text, user.transcript()
    return message


async def open_dialogue(user: FakeUser, title: str) -> None:
    """From nothing to the dialogue's first question: /menu, then its button."""
    await user.send("/menu")
    await expect(user, ui_text("bot.menu"))
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
    await expect(user, ui_text("join.worker_welcome", name=new_worker.name).split("\n")[0])
    await expect(user, ui_text("worker.help").split("\n")[0])
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
    await person.click(ui_text("consent.accept") if language_code == "fr" else "I agree")
    await person.next_message()  # welcome
    await person.next_message()  # greeting
    await person.next_message()  # menu
    await fake.wait_for(lambda: any(first_name in m.text for m in worker_user.messages))
    return person


async def finish_probleme(user: FakeUser, difficulty: str | bytes) -> None:
    """The person walks Mon problème to the end with short answers (bytes: a voice note)."""
    await open_dialogue(user, title("probleme"))
    await expect(user, intro("probleme"))
    await expect(user, asked("probleme", "difficulte"))
    if isinstance(difficulty, bytes):
        await user.send_voice(25, data=difficulty)
    else:
        await user.send(difficulty)
    await expect(user, asked("probleme", "titre"))
    await user.send("Logement")
    await expect(user, asked("probleme", "concernes"))
    await user.click(option("probleme", "concernes", "moi"))
    await user.click(ui_text("engine.done"))
    await expect(user, asked("probleme", "mieux"))
    await user.send("J'aurais un endroit à moi")
    await expect(user, asked("probleme", "moments"))
    await user.click(ui_text("engine.skip"))
    await expect(user, asked("probleme", "situation"))
    await user.click("3")
    await expect(user, asked("probleme", "pas_plus_bas"))
    await user.send("Ma sœur m'aide")
    await expect(user, asked("probleme", "importance"))
    await user.click("9")
    await expect(user, asked("probleme", "domaine"))
    await user.click(option("probleme", "domaine", "logement"))
    recap = await expect(user, asked("probleme", "recap"))
    while not recap.button_labels:  # a long recap comes in several messages
        recap = await user.next_message()
    await user.click(ui_text("engine.recap_yes"), message=recap)
    await finished(user, "probleme")


async def confirm_recap(user: FakeUser, dialogue_id: str = "idees") -> None:
    """A recap has come (maybe in several messages): the person says it is right."""
    recap = await expect(user, asked(dialogue_id, "recap"))
    while not recap.button_labels:  # a long recap comes in several messages
        recap = await user.next_message()
    await user.click(ui_text("engine.recap_yes"), message=recap)


async def finish_forces(user: FakeUser, score: int) -> None:
    """The person walks Mes forces, the same score in every domain."""
    done = ui_text("bot.menu_done", title=title("forces"))
    again_ = any(done in label for m in user.messages for label in m.button_labels)
    await open_dialogue(user, done if again_ else title("forces"))
    if again_:
        await expect(user, title("forces"))  # the last version, under its title
        await user.click(ui_text("bot.redo"))
    await user.next_message()
    domains = [s for s in DIALOGUES["forces"].steps if s.kind.value == "scale"]
    for domain in domains:
        await user.next_message()
        await user.click(str(score))
        await expect(user, asked("forces", f"{domain.id}_bien"))
        await user.click(ui_text("engine.skip"))
    await expect(user, asked("forces", "encore"))
    for answer in ("Cuisiner", "J'ai demandé de l'aide", "Mon frère"):
        await user.next_message()
        await user.send(answer)
    recap = await expect(user, asked("forces", "recap"))
    while not recap.button_labels:  # a long recap comes in several messages
        recap = await user.next_message()
    await user.click(ui_text("engine.recap_yes"), message=recap)
    await finished(user, "forces")


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
    await open_dialogue(user, title("idees"))
    await user.next_message()
    await expect(user, asked("idees", "deja_essaye"))
    await user.send("Rien encore")
    await expect(user, asked("idees", "annonce_idees"))
    await expect(user, asked("idees", "idee"))
    await user.send("Appeler la CAF")
    await expect(user, asked("idees", "bloquer"))
    await user.click(ui_text("engine.skip"))
    await expect(user, asked("idees", "aide"))
    await user.click(ui_text("engine.skip"))
    await expect(user, again("idees", "idees"))
    await user.click(ui_text("engine.no"))
    await expect(user, asked("idees", "premier_pas"))
    await user.click("Appeler la CAF")
    await expect(user, asked("idees", "confiance"))
    await user.click("8")
    await expect(user, asked("idees", "quand"))
    await user.send(when)
    await confirm_recap(user)
    await expect(user, asked("idees", "rappel"))
    await user.click(ui_text("engine.yes"))


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
