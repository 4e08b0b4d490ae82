"""The safety step's reading and screening: every message, every time, nothing assumed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain import Person
from bot.i18n import ui_text
from bot.pending_states import SummaryTopics
from bot.storage.common import TableStorage
from bot.usecases.distress import LEVELS
from bot.usecases.distress_lists import DistressListError, load_reader
from bot.usecases.outbox import OutboxSignal
from bot.usecases.safety import (
    Safety,
    StaleHold,
    is_working_time,
    next_working_start,
    one_working_day_after,
)
from tests.clock import ManualClock

DIALOGS = Path(__file__).resolve().parents[2] / "dialogs"
READER = load_reader(DIALOGS)
PARIS = ZoneInfo("Europe/Paris")
# Tuesday 1 December 2026, 10:00 in Paris.
TUESDAY = datetime(2026, 12, 1, 10, 0, tzinfo=PARIS).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("jai envie de mourrir", "life"),
        ("envi de mourir", "life"),
        ("jveux mourir", "life"),
        ("je vais me suicidé", "life"),
        ("je veux en finir avec la vie", "life"),
        ("je veux me tuer, je vois pas d'issue", "life"),
        ("sometimes I want to die", "life"),
        ("Il me frappe quand il boit", "violence"),
        ("Je n'ai nulle part où dormir ce soir", "shelter"),
        ("je suis en danger", "general"),
    ],
)
def test_distress_is_read_as_people_write_it(text: str, level: str) -> None:
    assert READER.read(text).levels == (level,)


@pytest.mark.parametrize(
    "text",
    [
        "je me bats pour mes enfants",
        "je me bat tout les jours pour mes enfants",
        "ben je me bat quand meme, j'ai garder mon appart",
        "mort de rire",
        "ça me tue",
        "la CAF me tue",
        "je me tue à la tâche",
        "je ne veux pas mourir",
        "this job is killing me",
    ],
)
def test_idioms_and_negations_bring_nothing(text: str) -> None:
    assert not READER.read(text)


def test_119_comes_only_with_a_child_named_beside_violence() -> None:
    assert READER.read("il frappe mes enfants").child
    assert not READER.read("il me frappe").child
    assert not READER.read("je dors dans la voiture avec les enfants").child


def _phrase(file: Path, section: str, phrase: str) -> str:
    return ui_text("safety.list_where_phrase", file=file, section=section, phrase=phrase)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("levels: [oops", lambda f: ui_text("safety.list_bad_yaml", file=f, line=2)),
        (
            "levels:\n  life: [mourir]\n  peur: [x]\n",
            lambda f: ui_text(
                "safety.list_unknown_level", file=f, level="peur", known=", ".join(LEVELS)
            ),
        ),
        (
            "levels:\n  life: ['@RIEN mourir']\n",
            lambda f: ui_text(
                "safety.list_unknown_set", where=_phrase(f, "life", "@RIEN mourir"), name="@RIEN"
            ),
        ),
        (
            "levels:\n  life: [Mourir]\n",
            lambda f: ui_text(
                "safety.list_bad_word", where=_phrase(f, "life", "Mourir"), word="Mourir"
            ),
        ),
        (
            "sets:\n  QUI: [il, on]\n",
            lambda f: ui_text(
                "safety.list_quote",
                where=ui_text("safety.list_where_set", file=f, name="QUI"),
                item=True,
            ),
        ),
    ],
)
def test_a_bad_list_is_an_error_in_french_naming_file_and_entry(
    tmp_path: Path, content: str, expected: Callable[[Path], str]
) -> None:
    path = tmp_path / "safety" / "fr.yaml"
    path.parent.mkdir()
    path.write_text(content, "utf-8")
    with pytest.raises(DistressListError) as error:
        load_reader(tmp_path)
    assert str(error.value) == expected(path)


def test_working_days_in_paris() -> None:
    sunday_night = datetime(2026, 11, 29, 23, 24, tzinfo=PARIS)
    assert not is_working_time(sunday_night, PARIS)
    assert next_working_start(sunday_night, PARIS) == datetime(2026, 11, 30, 9, tzinfo=PARIS)
    assert one_working_day_after(sunday_night, PARIS) == datetime(2026, 11, 30, 18, tzinfo=PARIS)
    friday = datetime(2026, 12, 4, 11, 0, tzinfo=PARIS)
    assert one_working_day_after(friday, PARIS) == datetime(2026, 12, 7, 11, tzinfo=PARIS)


async def amina(storage: TableStorage, clock: ManualClock) -> Person:
    return await storage.get_or_create_person(
        "telegram:7", chat_id=7, language="fr", now=clock.now()
    )


async def test_a_strong_signal_is_never_silenced_by_an_earlier_one(storage: TableStorage) -> None:
    clock = ManualClock(TUESDAY)
    safety = Safety(storage, READER, clock, OutboxSignal(), PARIS, "01 02 03 04 05")
    person = await amina(storage, clock)
    first = await safety.screen(person.account, "je suis en danger", person=person)
    assert first is not None and first.full and first.levels == ("general",)
    assert first.duty_line == "01 02 03 04 05"
    clock.advance(minutes=2)
    strong = await safety.screen(person.account, "je veux me tuer", person=person)
    assert strong is not None and strong.full and strong.numbers == ("3114", "15", "112")
    clock.advance(minutes=2)
    again = await safety.screen(person.account, "jveux mourir", person=person)
    assert again is not None and not again.full and again.numbers == ("3114", "15", "112")
    clock.advance(hours=1)
    later = await safety.screen(person.account, "envie de mourir", person=person)
    assert later is not None and later.full
    assert await safety.screen(person.account, "je vais mieux", person=person) is None


async def test_words_are_held_only_when_they_would_answer_something(
    storage: TableStorage,
) -> None:
    clock = ManualClock(TUESDAY)
    safety = Safety(storage, READER, clock, OutboxSignal(), PARIS)
    person = await amina(storage, clock)
    outside = await safety.screen(person.account, "je veux mourir", person=person)
    assert outside is not None and outside.held_id is None
    await storage.set_pending(person.account, SummaryTopics(4), clock.now())
    held = await safety.screen(person.account, "je veux mourir", person=person)
    assert held is not None and held.held_id is not None
    with pytest.raises(StaleHold):
        await safety.release(person.account, person, held.held_id + 1, keep=True)
    again = await safety.screen(person.account, "je veux mourir", person=person)
    assert again is not None and again.held_id is not None
    words = await safety.release(person.account, person, again.held_id, keep=True)
    assert words == "je veux mourir"
    with pytest.raises(StaleHold):  # answered once: the button is spent
        await safety.release(person.account, person, again.held_id, keep=False)
    dropped = await safety.screen(person.account, "je veux mourir", person=person)
    assert dropped is not None and dropped.held_id is not None
    assert await safety.release(person.account, person, dropped.held_id, keep=False) is None


async def test_held_words_are_forgotten_when_the_person_writes_something_else(
    storage: TableStorage,
) -> None:
    clock = ManualClock(TUESDAY)
    safety = Safety(storage, READER, clock, OutboxSignal(), PARIS)
    person = await amina(storage, clock)
    await storage.set_pending(person.account, SummaryTopics(4), clock.now())
    held = await safety.screen(person.account, "il me frappe", person=person)
    assert held is not None and held.held_id is not None
    assert await safety.screen(person.account, "le loyer", person=person) is None
    assert await storage.take_held(person.account) is None


async def test_strangers_and_workers_get_the_numbers_without_any_question(
    storage: TableStorage,
) -> None:
    safety = Safety(storage, READER, ManualClock(TUESDAY), OutboxSignal(), PARIS)
    help = await safety.screen("telegram:99", "je veux mourir")
    assert help is not None and help.full and not help.offer_call and help.held_id is None
