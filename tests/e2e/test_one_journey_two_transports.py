"""One scripted journey, two transports: the three dialogues, a distress sentence kept as
an answer, /urgence and the /preparer preview, played in `equipage chat` from piped lines
and in Telegram with taps and messages. Both go through the same use cases, so both must
ask the same questions in the same order and leave the same answers and the same summary.

Texts come from the catalogue and the dialogue files, so rewording them breaks nothing."""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.console import Console
from bot.domain import Person
from bot.i18n import ui_text
from bot.services import Services, build_services
from bot.usecases.persons import console_account, telegram_account
from tests.e2e.helpers import App, again, asked, option, person_joins, services_of, title
from tests.fakegram import FakeTelegram, FakeUser

DISTRESS = "Je veux mourir, je n'en peux plus"
TOPICS = "Le loyer de janvier"


@dataclass(frozen=True)
class Step:
    """What the bot shows (None: the same message as the step before), then what the person
    does: tap a button by its label, or write words (a command is words too)."""

    shows: str | None
    answer: str
    tap: bool = False


def tap(shows: str | None, label: str) -> Step:
    return Step(shows, label, tap=True)


def say(shows: str | None, words: str) -> Step:
    return Step(shows, words)


def journey() -> list[Step]:
    skip, done = ui_text("engine.skip"), ui_text("engine.done")
    recap_yes, yes, no = ui_text("engine.recap_yes"), ui_text("engine.yes"), ui_text("engine.no")
    forces_domains = (
        "logement",
        "argent_papiers",
        "sante_moral",
        "famille",
        "entourage",
        "activites",
        "deplacements",
        "confiance",
    )
    return [
        say(None, "/menu"),
        tap(ui_text("bot.menu"), title("probleme")),
        say(asked("probleme", "difficulte"), "Je n'ai plus de logement"),
        say(asked("probleme", "titre"), "Logement"),
        tap(asked("probleme", "concernes"), option("probleme", "concernes", "moi")),
        tap(None, done),
        # Distress in an answer: the help first, then the words kept as that answer.
        say(asked("probleme", "mieux"), DISTRESS),
        tap(ui_text("safety.keep_question"), ui_text("safety.keep_yes")),
        tap(asked("probleme", "moments"), skip),
        tap(asked("probleme", "situation"), "3"),
        say(asked("probleme", "pas_plus_bas"), "Ma sœur"),
        tap(asked("probleme", "importance"), "8"),
        tap(asked("probleme", "domaine"), option("probleme", "domaine", "logement")),
        tap(asked("probleme", "recap"), recap_yes),
        say(ui_text("bot.menu"), "/urgence"),
        say(ui_text("bot.emergency").split("\n")[0], "/menu"),
        tap(ui_text("bot.menu"), title("idees")),
        say(asked("idees", "deja_essaye"), "J'ai appelé la CAF"),
        say(asked("idees", "idee"), "Demander un rendez-vous"),
        tap(asked("idees", "bloquer"), skip),
        say(asked("idees", "aide"), "Ma voisine"),
        tap(again("idees", "idees"), no),
        tap(asked("idees", "premier_pas"), "Demander un rendez-vous"),
        tap(asked("idees", "confiance"), "8"),
        say(asked("idees", "quand"), "Mardi matin"),
        tap(asked("idees", "recap"), recap_yes),
        tap(asked("idees", "rappel"), yes),
        say(None, "/menu"),
        tap(ui_text("bot.menu"), title("forces")),
        *(
            step
            for domain in forces_domains
            for step in (
                tap(asked("forces", domain), "6"),
                tap(asked("forces", f"{domain}_bien"), skip),
            )
        ),
        say(asked("forces", "savoir_faire"), "Cuisiner"),
        say(asked("forces", "surmonte"), "J'ai demandé de l'aide"),
        say(asked("forces", "soutiens"), "Mon frère"),
        tap(asked("forces", "recap"), recap_yes),
        say(None, "/preparer"),
        say(ui_text("summary.topics_question").split("\n")[0], TOPICS),
        tap(ui_text("summary.preview_header").split("\n")[0], ui_text("summary.later")),
        say(ui_text("summary.kept").split("\n")[0], "/menu"),
    ]


async def play_in_the_terminal(services: Services, name: str) -> str:
    """Every answer as a piped line; returns what the terminal printed."""
    lines = [step.answer for step in journey()] + ["/quitter"]
    out = io.StringIO()
    await Console(services, name, io.StringIO("\n".join(lines) + "\n"), out).run()
    return out.getvalue()


async def play_in_telegram(user: FakeUser) -> None:
    """Each step waits for what the bot shows, then taps or writes."""
    for step in journey():
        shown = None
        if step.shows is not None:
            shown = await user.next_message(timeout=20)
            while step.shows not in shown.text:
                shown = await user.next_message(timeout=20)
        if not step.tap:
            await user.send(step.answer)
            continue
        # A long text (a recap) comes in several messages, the buttons on the last one.
        while shown is not None and not any(step.answer in label for label in shown.button_labels):
            shown = await user.next_message(timeout=20)
        await user.click(step.answer, message=shown)


async def what_was_kept(services: Services, person: Person) -> dict[str, Any]:
    """The answers of each finished dialogue, and the summary's draft as previewed."""
    kept: dict[str, Any] = {}
    for dialogue_id in ("probleme", "idees", "forces"):
        (run,) = await services.storage.finished_runs(person.id, dialogue_id)
        kept[dialogue_id] = run.state["answers"]
    draft = await services.storage.draft_of(person.id)
    assert draft is not None
    kept["summary"] = {key: draft.content.get(key) for key in ("topics", "sections", "first_step")}
    return kept


async def test_the_terminal_and_telegram_ask_the_same_and_keep_the_same(
    fake_telegram: FakeTelegram, bot: App, settings: Settings, tmp_path: Path
) -> None:
    amina = await person_joins(fake_telegram, bot, "Amina")
    await play_in_telegram(amina)
    in_telegram = services_of(bot)
    person = await in_telegram.storage.person_by_account(telegram_account(amina.id))
    assert person is not None
    kept_in_telegram = await what_was_kept(in_telegram, person)

    # The terminal on a database of its own: the bot holds the test's data folder.
    terminal = build_services(replace(settings, database=tmp_path / "terminal" / "db.sqlite3"))
    await terminal.storage.open()
    try:
        printed = await play_in_the_terminal(terminal, "amina")
        found = await terminal.storage.person_by_account(console_account("amina"))
        assert found is not None
        kept_in_terminal = await what_was_kept(terminal, found)
    finally:
        await terminal.storage.close()

    # The terminal showed every step, in the journey's order.
    at = 0
    for step in journey():
        if step.shows is not None:
            at = printed.index(step.shows, at)
    assert ui_text("safety.kept") in printed and ui_text("engine.not_understood") not in printed
    assert kept_in_terminal == kept_in_telegram
    assert DISTRESS in str(kept_in_terminal["probleme"])
    assert kept_in_terminal["summary"]["topics"] == TOPICS
