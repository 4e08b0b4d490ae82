"""The outbox messages' one codec: every kind round-trips, rows already stored still read,
and what this version cannot read becomes `Unrenderable`, never an exception."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain import VoiceNote
from bot.messages import (
    BODIES,
    AgreementAccepted,
    AgreementAcceptedByWorker,
    AgreementAmended,
    AgreementProposed,
    AppointmentAnswered,
    AppointmentCancelled,
    AppointmentSet,
    CallRequested,
    OutboxBody,
    PersonJoined,
    PersonLeft,
    ReminderDue,
    SafetyCallRaised,
    SafetyCallSeen,
    SafetyCallUnseen,
    SummaryAcknowledged,
    SummaryDelivered,
    SummaryFailed,
    SummaryToWorker,
    Unrenderable,
    WorkerChanged,
    decode,
    encode,
)

AT = datetime(2026, 12, 1, 13, 30, tzinfo=UTC)
LATER = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)

ONE_OF_EACH: list[OutboxBody] = [
    PersonJoined("Bilal"),
    PersonLeft("Bilal"),
    CallRequested("Bilal"),
    WorkerChanged("Séverine", "CCAS"),
    ReminderDue(7),
    AppointmentSet(AT, appointment_id=3, replaces=LATER),
    AppointmentCancelled(AT),
    AppointmentAnswered("cannot", AT, 2, 3, person="Bilal", why="malade", proposed_at=LATER),
    AppointmentAnswered("cannot", AT, 2, 3, why=VoiceNote("file-1", 12)),
    AppointmentAnswered("noted", AT, 2, 3),
    SafetyCallRaised(4, AT, "Bilal"),
    SafetyCallSeen(4, "called"),
    SafetyCallUnseen(4),
    SummaryToWorker(5),
    SummaryDelivered(5, "Séverine"),
    SummaryAcknowledged(5, "Séverine"),
    SummaryFailed(5),
    AgreementProposed("Séverine", 6),
    AgreementAmended("Bilal", 6),
    AgreementAccepted(6, "Bilal"),
    AgreementAcceptedByWorker(6, "Séverine"),
]


def test_every_kind_is_covered_here() -> None:
    assert {type(body) for body in ONE_OF_EACH} == set(BODIES)


@pytest.mark.parametrize("body", ONE_OF_EACH, ids=lambda body: type(body).__name__)
def test_every_kind_round_trips(body: OutboxBody) -> None:
    stored = encode(body)
    assert stored["kind"] == body.kind and stored["v"] == body.version
    assert decode(stored) == body


# Exactly what the bot stored before messages were typed (no "v"; dates as ISO strings).
LEGACY_ROWS: list[tuple[dict[str, object], OutboxBody]] = [
    ({"kind": "person_joined", "params": {"pseudonym": ""}}, PersonJoined("")),
    ({"kind": "reminder", "params": {"reminder_id": 7}}, ReminderDue(7)),
    (
        {
            "kind": "appointment",
            "params": {
                "at": AT.isoformat(),
                "appointment_id": 3,
                "replaces": LATER.isoformat(),
            },
        },
        AppointmentSet(AT, 3, LATER),
    ),
    (
        {
            "kind": "appointment_answer",
            "params": {
                "answer": "cannot",
                "at": AT.isoformat(),
                "person": "Bilal",
                "person_id": 2,
                "appointment_id": 3,
                "why": {"voice": "file-1", "duration": 12},
                "proposed_at": LATER.isoformat(),
            },
        },
        AppointmentAnswered("cannot", AT, 2, 3, "Bilal", VoiceNote("file-1", 12), LATER),
    ),
    (
        {
            "kind": "appointment_answer",
            "params": {
                "answer": "cannot",
                "at": AT.isoformat(),
                "person": "",
                "person_id": 2,
                "appointment_id": 3,
                "why": None,
            },
        },
        AppointmentAnswered("cannot", AT, 2, 3),
    ),
    (
        {"kind": "safety_call", "params": {"call_id": 4, "pseudonym": "", "at": AT.isoformat()}},
        SafetyCallRaised(4, AT),
    ),
    ({"kind": "summary_failed", "params": {"summary_id": 5}}, SummaryFailed(5)),
    (
        {"kind": "agreement_proposed", "params": {"worker": "Séverine", "agreement_id": 6}},
        AgreementProposed("Séverine", 6),
    ),
    (
        {"kind": "worker_changed", "params": {"name": "Séverine", "structure": ""}},
        WorkerChanged("Séverine", ""),
    ),
]


@pytest.mark.parametrize(("stored", "body"), LEGACY_ROWS, ids=lambda row: str(row)[:30])
def test_rows_stored_before_versions_still_read(
    stored: dict[str, object], body: OutboxBody
) -> None:
    assert decode(stored) == body


@pytest.mark.parametrize(
    ("stored", "reason"),
    [
        ({"kind": "telepathy", "params": {}}, "unknown kind"),
        ({"kind": "reminder", "v": 2, "params": {"reminder_id": 7}}, "unknown version"),
        ({"kind": "reminder", "params": {}}, "missing parameter"),
        ({"kind": "reminder", "params": {"reminder_id": "7"}}, "bad reminder_id"),
        ({"kind": "reminder", "params": {"reminder_id": True}}, "bad reminder_id"),
        ({"kind": "appointment_cancelled", "params": {"at": "mardi"}}, "bad at"),
        (
            {
                "kind": "appointment_answer",
                "params": {"answer": "maybe", "at": AT.isoformat(), "person_id": 1},
            },
            "bad answer",
        ),
        ({"kind": "reminder", "params": [7]}, "bad parameters"),
        ({"params": {}}, "no kind"),
        ("not even a dict", "no kind"),
    ],
)
def test_what_this_version_cannot_read_is_unrenderable(stored: object, reason: str) -> None:
    found = decode(stored)
    assert isinstance(found, Unrenderable)
    assert found.reason == reason
