"""Who may see or act on a person: every worker-facing use case, across transfer and closure.

Real services on a real SQLite file; the rows are made by the same use cases the bot uses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.domain import AgreementStep, Worker
from bot.services import Services, build_services
from bot.usecases.access import NotYours, person_of_worker, person_owns, worker_owns
from tests.clock import ManualClock
from tests.unit.actors import a_person, a_worker

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

WorkerAction = Callable[[Services, Worker, int], Awaitable[object]]

# Every use case a worker calls about one person, by name.
WORKER_ACTIONS: dict[str, WorkerAction] = {
    "person_of": lambda s, w, p: s.workers.person_of(w, p),
    "summaries_received": lambda s, w, p: s.summaries.received.of_person(w, p),
    "strengths_history": lambda s, w, p: s.summaries.received.strengths_history(
        w, p, s.catalogs.translator()
    ),
    "agreement_propose": lambda s, w, p: s.agreements.propose(
        w, p, "Se loger", [AgreementStep("Appeler la CAF")]
    ),
    "agreement_rounds": lambda s, w, p: s.agreements.rounds_for_worker(w, p),
    "appointment_set": lambda s, w, p: s.appointments.set(w, p, NOW + timedelta(days=3)),
    "appointment_cancel": lambda s, w, p: s.appointments.cancel(w, p),
}


@pytest.fixture
async def services(any_settings: Settings) -> AsyncIterator[Services]:
    found = build_services(any_settings, ManualClock(NOW))
    await found.storage.open()
    yield found
    await found.storage.close()


@pytest.mark.parametrize("action", sorted(WORKER_ACTIONS))
async def test_only_the_linked_active_worker_reaches_a_person(
    services: Services, action: str
) -> None:
    sophie = await a_worker(services, "Sophie", "telegram:101")
    karim = await a_worker(services, "Karim", "telegram:102")
    amina = await a_person(services, sophie, "telegram:201")
    act = WORKER_ACTIONS[action]

    await act(services, sophie, amina.id)  # her own worker may
    with pytest.raises(NotYours):
        await act(services, karim, amina.id)  # another worker may not
    with pytest.raises(NotYours):
        await act(services, sophie, amina.id + 1000)  # nor anyone about a missing person

    await services.workers.transfer(amina.id, karim.id)
    with pytest.raises(NotYours):
        await act(services, sophie, amina.id)  # after a transfer, the old worker may not
    await act(services, karim, amina.id)  # and the new one may

    closed = await services.workers.deactivate(karim.id)
    with pytest.raises(NotYours):
        await act(services, closed, amina.id)  # a closed access reaches nobody


async def test_rows_belong_to_their_owner_only(services: Services) -> None:
    sophie = await a_worker(services, "Sophie", "telegram:101")
    amina = await a_person(services, sophie, "telegram:201")
    bilal = await a_person(services, sophie, "telegram:202")

    worker_owns(sophie, sophie.id)
    person_owns(amina, amina.id)
    for owner in (None, sophie.id + 1):
        with pytest.raises(NotYours):
            worker_owns(sophie, owner)
    for owner in (None, bilal.id):
        with pytest.raises(NotYours):
            person_owns(amina, owner)
    with pytest.raises(NotYours):
        worker_owns(replace(sophie, active=False), sophie.id)
    assert (await person_of_worker(services.storage, sophie, amina.id)).id == amina.id
