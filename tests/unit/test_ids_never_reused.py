"""An erased person's ids are never given again: a worker's old button (person, run,
appointment, agreement) must not reach someone new. SQLite gives a new row MAX(id) + 1, so
erasing the newest rows would hand their ids on; PostgreSQL's sequences never do."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.domain import AgreementStep
from bot.services import Services, build_services
from tests.clock import ManualClock
from tests.unit.actors import a_person, a_worker

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def services(any_settings: Settings) -> AsyncIterator[Services]:
    found = build_services(any_settings, ManualClock(NOW))
    await found.storage.open()
    yield found
    await found.storage.close()


async def test_the_newest_persons_ids_are_not_given_to_the_next_one(services: Services) -> None:
    sophie = await a_worker(services, "Sophie", "tg:900")
    amina = await a_person(services, sophie, "tg:101", "Amina")
    turn = await services.dialogues.open(amina, "probleme", services.catalogs.translator())
    meeting = await services.appointments.set(sophie, amina.id, NOW + timedelta(days=3))
    agreement = await services.agreements.propose(
        sophie, amina.id, "Se loger", [AgreementStep("Appeler la CAF")]
    )
    assert turn.run_id is not None

    await services.rights.erase(amina)

    lucie = await a_person(services, sophie, "tg:102", "Lucie")
    again = await services.dialogues.open(lucie, "probleme", services.catalogs.translator())
    her_meeting = await services.appointments.set(sophie, lucie.id, NOW + timedelta(days=4))
    hers = await services.agreements.propose(
        sophie, lucie.id, "Trouver un travail", [AgreementStep("Voir la mission locale")]
    )
    assert again.run_id is not None
    assert lucie.id > amina.id
    assert again.run_id > turn.run_id
    assert her_meeting.appointment.id > meeting.appointment.id
    assert hers.id > agreement.id


async def test_a_terminal_trial_after_an_erasure_gets_a_new_id(services: Services) -> None:
    first = await services.persons.identify("console:essai", chat_id=None, language_code=None)
    await services.rights.erase(first)
    second = await services.persons.identify("console:essai", chat_id=None, language_code=None)
    assert second.id > first.id
