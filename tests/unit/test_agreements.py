"""Agreements as steps: the worker's lines, one change at a time, rounds from before steps."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot.domain import AgreementStep
from bot.storage.common import TableStorage
from bot.storage.crypto import Cipher
from bot.storage.database import bound
from bot.usecases.agreements import BadChange, apply_change, draft_change, steps_from_lines

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
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
