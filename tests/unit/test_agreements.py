"""Agreements as steps: the worker's lines, one change at a time, rounds from before steps,
the rounds between both sides through the use case, and how each difference reads."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.domain import AgreementStep, StepChange
from bot.i18n import Catalogs, ui_text
from bot.messages import AgreementAccepted, AgreementAmended
from bot.storage.common import TableStorage
from bot.storage.crypto import Cipher
from bot.storage.database import bound
from bot.usecases.access import NotYours
from bot.usecases.agreement_layout import change_text
from bot.usecases.agreements import (
    AgreementClosed,
    BadChange,
    apply_change,
    draft_change,
    steps_from_lines,
)
from tests.clock import ManualClock
from tests.conftest import ROOT
from tests.unit.actors import a_person, a_worker, opened

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=60)
STEPS = (
    AgreementStep("Prendre rendez-vous à la CAF", "Amina", "mercredi"),
    AgreementStep("Appeler le bailleur", "Sophie", "vendredi"),
    AgreementStep("Remplir le dossier FSL", "ensemble", ""),
)


def test_the_workers_lines_become_steps_with_who_and_when() -> None:
    typed = (
        "1. Prendre rendez-vous à la CAF ; Amina ; mercredi\n\n- Appeler le bailleur;Sophie\n• X"
    )
    assert steps_from_lines(typed) == [
        AgreementStep("Prendre rendez-vous à la CAF", "Amina", "mercredi"),
        AgreementStep("Appeler le bailleur", "Sophie", ""),
        AgreementStep("X", "", ""),
    ]
    assert steps_from_lines(" ; Amina ; lundi\n\n") == []


def test_one_change_moves_one_part_of_one_step_and_nothing_else() -> None:
    change = draft_change(STEPS, "change", 0, "when", "  jeudi   matin ")
    assert (change.before, change.after) == ("mercredi", "jeudi matin")
    after = apply_change(STEPS, change)
    assert after[0] == AgreementStep("Prendre rendez-vous à la CAF", "Amina", "jeudi matin")
    assert after[1:] == STEPS[1:]


def test_removing_and_adding_a_step() -> None:
    removal = draft_change(STEPS, "remove", 1)
    assert removal.before == "Appeler le bailleur — Sophie — vendredi"
    assert apply_change(STEPS, removal) == (STEPS[0], STEPS[2])
    addition = draft_change(STEPS, "add", 0, None, "Demander à ma sœur")
    assert addition.index == 3
    assert apply_change(STEPS, addition)[-1] == AgreementStep("Demander à ma sœur")


@pytest.mark.parametrize(
    ("operation", "index", "aspect", "words"),
    [
        ("change", 3, "when", "jeudi"),  # no such step
        ("change", -1, "when", "jeudi"),
        ("change", 0, None, "jeudi"),  # which part?
        ("change", 0, "what", "   "),  # no words
        ("add", 0, None, ""),
        ("remove", 5, None, ""),
    ],
)
def test_a_change_that_does_not_fit_is_refused(
    operation: str, index: int, aspect: str | None, words: str
) -> None:
    with pytest.raises(BadChange):
        draft_change(STEPS, operation, index, aspect, words)  # type: ignore[arg-type]


def test_the_last_step_cannot_be_removed() -> None:
    with pytest.raises(BadChange):
        draft_change(STEPS[:1], "remove", 0)


async def test_a_round_written_before_steps_reads_as_one_step(
    make_storage: Callable[[Cipher], TableStorage],
) -> None:
    cipher = Cipher(os.urandom(32))
    storage = make_storage(cipher)
    await storage.open()
    try:
        person = await storage.get_or_create_person("telegram:1", chat_id=1, language="fr", now=NOW)
        # As migration 0003 wrote it (then bound to its row by 0009): one encrypted text,
        # steps_format left at its default.
        owner = (1, person.id)
        async with storage._transaction() as db:
            await db.execute(
                "INSERT INTO agreements (id, person_id, thread_id, round, author, problem, steps,"
                " status, created_at) VALUES (1, ?, 1, 1, 'worker', ?, ?, 'accepted', ?)",
                (
                    person.id,
                    cipher.encrypt(b"Se loger", bound(b"agreements.problem", owner)),
                    cipher.encrypt(
                        b"Remplir la demande avant vendredi", bound(b"agreements.steps", owner)
                    ),
                    NOW.isoformat(),
                ),
            )
        (legacy,) = await storage.agreements_of(person.id)
        assert legacy.steps == (AgreementStep("Remplir la demande avant vendredi"),)
        assert legacy.change is None
    finally:
        await storage.close()


THREE = [
    AgreementStep("Prendre rendez-vous à la CAF", "Amina", "mercredi"),
    AgreementStep("Appeler le bailleur", "Sophie", "vendredi"),
    AgreementStep("Remplir le dossier FSL", "ensemble", ""),
]


async def test_rounds_go_back_and_forth_one_change_each_until_one_side_agrees(
    any_settings: Settings,
) -> None:
    """The use case alone, on both backends: each round changes one step and supersedes the
    one before; only the other side may answer a round, and only the latest."""
    async with opened(any_settings, ManualClock(NOW)) as services:
        agreements = services.agreements
        sophie = await a_worker(services, "Sophie", "telegram:101")
        karim = await a_worker(services, "Karim", "telegram:102")
        amina = await a_person(services, sophie, "telegram:201")
        first = await agreements.propose(sophie, amina.id, "  Trouver un logement ", THREE)
        assert (first.round, first.author, first.problem) == (1, "worker", "Trouver un logement")
        with pytest.raises(AgreementClosed):  # her own side cannot answer its own round
            await agreements.counter(sophie, first.id, StepChange("remove", 1))
        with pytest.raises(NotYours):
            await agreements.open_round(karim, first.id)

        # Amina moves step 1 to Thursday: round 2 holds exactly that difference.
        moved = StepChange("change", 0, "when", after="jeudi matin")
        second = await agreements.counter(amina, first.id, moved)
        assert second.round == 2 and second.author == "person"
        assert second.change == StepChange("change", 0, "when", "mercredi", "jeudi matin")
        assert second.steps[0].when == "jeudi matin" and second.steps[1:] == tuple(THREE[1:])
        with pytest.raises(AgreementClosed):  # the first round is superseded
            await agreements.accept_as_person(amina, first.id)

        # Sophie counters: her own step 2 goes; Amina agrees.
        third = await agreements.counter(sophie, second.id, StepChange("remove", 1))
        assert third.change == StepChange("remove", 1, before=" — ".join(vars(THREE[1]).values()))
        await agreements.accept_as_person(amina, third.id)
        with pytest.raises(AgreementClosed):  # answered once
            await agreements.accept_as_person(amina, third.id)

        rounds = await agreements.rounds(amina.id)
        assert [(r.round, r.author, r.status) for r in rounds] == [
            (1, "worker", "superseded"),
            (2, "person", "superseded"),
            (3, "worker", "accepted"),
        ]
        agreed = await agreements.first_steps(amina.id)
        assert agreed is not None and [s.what for s in agreed.steps] == [
            "Prendre rendez-vous à la CAF",
            "Remplir le dossier FSL",
        ]
        # Each side is told of the other's move; her first step gets its check-in.
        bodies = [i.message.body for i in await services.storage.due_outbox(LATER)]
        assert AgreementAmended("Amina", second.id) in bodies
        assert AgreementAccepted(third.id, "Amina") in bodies
        kinds = {r.kind for r in await services.storage.pending_reminders(amina.id)}
        assert "checkin_step" in kinds


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (StepChange("change", 0, "when", "mercredi", "jeudi"), "agreement.diff_change"),
        (StepChange("change", 1, "who", "", "Sophie"), "agreement.diff_set"),
        (StepChange("remove", 2, before="Appeler"), "agreement.diff_remove"),
        (StepChange("add", 3, after="Poster"), "agreement.diff_add"),
    ],
    ids=["change", "set", "remove", "add"],
)
def test_each_kind_of_difference_reads_with_its_own_catalogue_text(
    change: StepChange, key: str
) -> None:
    tr = Catalogs.load(ROOT / "dialogs", ROOT / "locales").translator("fr")
    expected = ui_text(key, number=change.index + 1, before=change.before, after=change.after)
    assert change_text(change, tr) == expected
