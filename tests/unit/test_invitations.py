"""Invitations, consent and worker use cases: authorisation lives here, not only in handlers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.storage.common import TableStorage
from bot.usecases.consent import Consent, InvitationGone, RoleTaken
from bot.usecases.invitations import (
    MAX_OPEN_PER_WORKER,
    Invitations,
    NotAllowed,
    TooManyOpenInvitations,
)
from bot.usecases.outbox import OutboxSignal
from bot.usecases.workers import Workers
from tests.stored import everything_stored


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def test_codes_are_random_urlsafe_hashed_and_expire_after_seven_days(
    storage: TableStorage, clock: FakeClock
) -> None:
    invitations = Invitations(storage, clock)
    _, issued = await invitations.invite_worker("Séverine D.", None)
    assert len(issued.code) == 32 and issued.code.replace("-", "").replace("_", "").isalnum()
    raw = await everything_stored(storage)
    assert issued.code.encode() not in raw
    assert await invitations.check("telegram:1", issued.code) is not None
    clock.moment += timedelta(days=7, seconds=1)
    assert await invitations.check("telegram:1", issued.code) is None


async def test_a_worker_has_a_cap_on_open_invitations_and_a_closed_worker_none(
    storage: TableStorage, clock: FakeClock
) -> None:
    invitations = Invitations(storage, clock)
    workers = Workers(storage, clock, OutboxSignal())
    worker, _ = await invitations.invite_worker("Karim B.", None)
    for _ in range(MAX_OPEN_PER_WORKER):
        await invitations.invite_person(worker, "x")
    with pytest.raises(TooManyOpenInvitations):
        await invitations.invite_person(worker, "x")
    await workers.deactivate(worker.id)
    with pytest.raises(NotAllowed):
        await invitations.invite_person(worker, "x")


async def test_bad_codes_slow_an_account_down_then_it_recovers(
    storage: TableStorage, clock: FakeClock
) -> None:
    invitations = Invitations(storage, clock)
    _, issued = await invitations.invite_worker("Séverine D.", None)
    for _ in range(5):
        assert await invitations.check("telegram:9", "nope-" + "x" * 20) is None
    assert await invitations.check("telegram:9", issued.code) is None
    assert await invitations.check("telegram:8", issued.code) is not None
    clock.moment += timedelta(minutes=11)
    assert await invitations.check("telegram:9", issued.code) is not None


async def test_consent_needs_the_token_of_this_account_and_a_free_role(
    storage: TableStorage, clock: FakeClock
) -> None:
    signal = OutboxSignal()
    invitations = Invitations(storage, clock)
    consent = Consent(storage, clock, b"k" * 32, signal)
    workers = Workers(storage, clock, signal)
    worker, worker_invite = await invitations.invite_worker("Séverine D.", None)
    await workers.join(worker_invite.invitation, "telegram:1", chat_id=1, language="fr")
    issued = await invitations.invite_person(worker, "Amina")
    invitation_id = issued.invitation.id

    with pytest.raises(InvitationGone):
        await consent.accept(invitation_id, "0" * 16, "telegram:2", chat_id=2, language="fr")
    stolen = consent.token(invitation_id, "telegram:3")
    with pytest.raises(InvitationGone):
        await consent.accept(invitation_id, stolen, "telegram:2", chat_id=2, language="fr")
    own = consent.token(invitation_id, "telegram:1")
    with pytest.raises(RoleTaken):
        await consent.accept(invitation_id, own, "telegram:1", chat_id=1, language="fr")
    assert await storage.all_persons() == []

    token = consent.token(invitation_id, "telegram:2")
    person, _ = await consent.accept(invitation_id, token, "telegram:2", chat_id=2, language="fr")
    assert person.worker_id == worker.id and person.pseudonym == "Amina"
    with pytest.raises(RoleTaken):
        await consent.accept(invitation_id, token, "telegram:2", chat_id=2, language="fr")
    due = await storage.due_outbox(clock.now())
    assert [item.message.kind for item in due] == ["person_joined"]


async def test_a_worker_lists_only_their_own_persons(
    storage: TableStorage, clock: FakeClock
) -> None:
    signal = OutboxSignal()
    invitations = Invitations(storage, clock)
    consent = Consent(storage, clock, b"k" * 32, signal)
    workers = Workers(storage, clock, signal)
    alice, _ = await invitations.invite_worker("Alice", None)
    bruno, _ = await invitations.invite_worker("Bruno", None)
    for number, (worker, name) in enumerate([(alice, "P1"), (bruno, "P2"), (alice, "P3")]):
        issued = await invitations.invite_person(worker, name)
        account = f"telegram:{100 + number}"
        token = consent.token(issued.invitation.id, account)
        await consent.accept(issued.invitation.id, token, account, chat_id=1, language="fr")
    assert [p.pseudonym for p in await workers.persons(alice)] == ["P1", "P3"]
    assert [p.pseudonym for p in await workers.persons(bruno)] == ["P2"]
