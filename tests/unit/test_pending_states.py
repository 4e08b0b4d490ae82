"""Pending inputs as typed states, through the use case on real storage (SQLite file and
PostgreSQL): set, peek, replace, clear; rows stored in the old {kind, ref, data} shape still
read back; an unknown or misshapen row is nothing pending, logged by kind only."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.domain import AgreementStep, VoiceNote
from bot.pending_states import (
    AgreementProblem,
    AgreementSteps,
    AppointmentWhen,
    CannotWhen,
    CannotWhy,
    ChangeDraft,
    Forwarded,
    LearnedWords,
    PendingState,
    QuietBound,
    SummaryTopics,
)
from bot.storage.common import TableStorage
from bot.storage.database import to_db
from bot.storage.tables.pending import DATA
from bot.usecases.inputs import PendingInputs
from tests.clock import ManualClock

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ACCOUNT = "telegram:201"

EVERY_STATE: list[PendingState] = [
    LearnedWords(3),
    QuietBound(22),
    CannotWhy(5),
    CannotWhen(5),
    CannotWhen(5, "Je travaille"),
    CannotWhen(5, VoiceNote("voice-file-1", 7)),
    AppointmentWhen(8),
    AppointmentWhen(8, day="mardi"),
    AppointmentWhen(8, at=datetime(2026, 12, 8, 13, 30, tzinfo=UTC)),
    AgreementProblem(8),
    AgreementSteps(8, "Le loyer"),
    AgreementSteps(8, "Le loyer", (AgreementStep("Appeler", "Amina", "lundi"),)),
    AgreementSteps(8, "Le loyer", ()),
    ChangeDraft(12),
    ChangeDraft(12, "remove", 1),
    ChangeDraft(12, "change", 0, "who", "Sophie"),
    ChangeDraft(12, "add", after="Poster le dossier"),
    SummaryTopics(4),
    Forwarded("Un courrier de la CAF"),
]


def inputs_on(storage: TableStorage) -> PendingInputs:
    return PendingInputs(storage, ManualClock(NOW))


async def store_row(
    storage: TableStorage, kind: str, ref: int, data: dict[str, Any] | None
) -> None:
    """A row as older code (or a corrupted write) left it: storage only writes typed states."""
    sealed = None if data is None else storage._seal_json(data, DATA, (ACCOUNT, ACCOUNT))
    async with storage._transaction() as db:
        await db.execute(
            "INSERT INTO pending_inputs (account, kind, ref, data, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (ACCOUNT, kind, ref, sealed, to_db(NOW)),
        )


@pytest.mark.parametrize("state", EVERY_STATE, ids=repr)
async def test_every_state_reads_back_as_it_was_set(
    storage: TableStorage, state: PendingState
) -> None:
    inputs = inputs_on(storage)
    await inputs.expect(ACCOUNT, state)
    assert await inputs.peek(ACCOUNT) == state


async def test_nothing_pending_then_replaced_then_cleared(storage: TableStorage) -> None:
    inputs = inputs_on(storage)
    assert await inputs.peek(ACCOUNT) is None

    await inputs.expect(ACCOUNT, AgreementProblem(8))
    await inputs.expect(ACCOUNT, AgreementSteps(8, "Le loyer"))
    assert await inputs.peek(ACCOUNT) == AgreementSteps(8, "Le loyer")
    assert await inputs.peek("telegram:202") is None  # another account expects nothing

    await inputs.clear(ACCOUNT)
    assert await inputs.peek(ACCOUNT) is None
    await inputs.clear(ACCOUNT)  # clearing twice is harmless
    assert await inputs.peek(ACCOUNT) is None


# Exactly what the transport stored before states were typed: (kind, ref, data).
OLD_ROWS: list[tuple[str, int, dict[str, Any] | None, PendingState]] = [
    ("checkin_learned", 3, None, LearnedWords(3)),
    ("settings_quiet_bound", 22, None, QuietBound(22)),
    ("appointment_cannot_why", 5, None, CannotWhy(5)),
    ("appointment_cannot_when", 5, {"why": "Je travaille"}, CannotWhen(5, "Je travaille")),
    ("appointment_cannot_when", 5, {"why": None}, CannotWhen(5)),
    (
        "appointment_cannot_when",
        5,
        {"why": VoiceNote("voice-file-1", 7).to_json()},
        CannotWhen(5, VoiceNote("voice-file-1", 7)),
    ),
    ("appointment_when", 8, None, AppointmentWhen(8)),
    ("appointment_when", 8, {"day": "mardi"}, AppointmentWhen(8, day="mardi")),
    (
        "appointment_when",
        8,
        {"at": "2026-12-08T13:30:00+00:00"},
        AppointmentWhen(8, at=datetime(2026, 12, 8, 13, 30, tzinfo=UTC)),
    ),
    ("agreement_problem", 8, None, AgreementProblem(8)),
    ("agreement_steps", 8, {"problem": "Le loyer"}, AgreementSteps(8, "Le loyer")),
    (
        "agreement_steps",
        8,
        {"problem": "Le loyer", "steps": [{"what": "Appeler", "who": "Amina", "when": "lundi"}]},
        AgreementSteps(8, "Le loyer", (AgreementStep("Appeler", "Amina", "lundi"),)),
    ),
    ("agreement_amend", 12, None, ChangeDraft(12)),
    ("agreement_amend", 12, {}, ChangeDraft(12)),
    ("agreement_amend", 12, {"operation": "remove", "index": 1}, ChangeDraft(12, "remove", 1)),
    (
        "agreement_amend",
        12,
        {"operation": "change", "index": 0, "aspect": "who", "after": "Sophie"},
        ChangeDraft(12, "change", 0, "who", "Sophie"),
    ),
    ("agreement_amend", 12, {"after": "Poster"}, ChangeDraft(12, after="Poster")),
    ("summary_topics", 4, None, SummaryTopics(4)),
    ("forwarded", 0, {"text": "Un courrier"}, Forwarded("Un courrier")),
]


@pytest.mark.parametrize(("kind", "ref", "data", "state"), OLD_ROWS, ids=repr)
async def test_rows_in_the_old_shape_still_decode(
    storage: TableStorage,
    kind: str,
    ref: int,
    data: dict[str, Any] | None,
    state: PendingState,
) -> None:
    await store_row(storage, kind, ref, data)
    assert await inputs_on(storage).peek(ACCOUNT) == state


UNREADABLE: list[tuple[str, int, dict[str, Any] | None]] = [
    ("a_kind_from_the_future", 1, {"text": "secret words"}),
    ("summary_topics", 4, {"v": 99}),  # a version this code does not know
    ("agreement_amend", 12, {"operation": "explode", "after": "secret words"}),
    ("agreement_amend", 12, {"index": "one"}),
    ("agreement_steps", 8, {"problem": "secret words", "steps": "not a list"}),
    ("appointment_when", 8, {"at": "not a date"}),
    ("forwarded", 0, {"text": 42}),
]


@pytest.mark.parametrize(("kind", "ref", "data"), UNREADABLE, ids=repr)
async def test_an_unreadable_row_is_nothing_pending_and_logs_no_content(
    storage: TableStorage,
    caplog: pytest.LogCaptureFixture,
    kind: str,
    ref: int,
    data: dict[str, Any] | None,
) -> None:
    await store_row(storage, kind, ref, data)
    with caplog.at_level(logging.DEBUG):
        assert await inputs_on(storage).peek(ACCOUNT) is None
    logged = [r.getMessage() for r in caplog.records if r.name == "bot.pending_states"]
    assert len(logged) == 1 and logged[0].startswith("pending_input_")
    if kind != "a_kind_from_the_future":
        assert logged[0].endswith(f"kind={kind}")  # our own kinds are named
    assert not any("secret" in line for line in logged)
