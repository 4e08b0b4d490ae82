"""The worker's daily digest as a use case: tomorrow's appointments, only the worker's own
persons, and whether each person sent a summary for it (within 14 days before)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.domain import OutboxMessage, Person, Worker
from bot.messages import SummaryToWorker
from bot.services import Services
from tests.clock import ManualClock
from tests.unit.actors import a_person, a_worker, opened

# Tuesday 1 December 2026, 10:00 in Paris.
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# Wednesday 2 December, 14:30 and 9:00 in Paris.
TOMORROW_AFTERNOON = datetime(2026, 12, 2, 13, 30, tzinfo=UTC)
TOMORROW_MORNING = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


async def sent_summary(services: Services, person: Person, worker: Worker, on: datetime) -> None:
    """A summary the person sent this worker on that day."""
    draft = await services.storage.save_draft(
        person.id, worker.id, {"sections": [], "sources": {}}, on
    )
    deliver = OutboxMessage(f"summary:{draft.id}", "worker", worker.id, SummaryToWorker(draft.id))
    assert await services.storage.send_summary(draft.id, draft.revision, on, deliver)


async def test_tomorrow_lists_the_workers_appointments_by_time(settings: Settings) -> None:
    clock = ManualClock(NOW)
    async with opened(settings, clock) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, "telegram:201", "Amina")
        bilal = await a_person(services, sophie, "telegram:202", "Bilal")
        await services.appointments.set(sophie, amina.id, TOMORROW_AFTERNOON)
        await services.appointments.set(sophie, bilal.id, TOMORROW_MORNING)
        # The day after tomorrow is not in tomorrow's digest.
        karim = await a_worker(services, "Karim", "telegram:102")
        chloe = await a_person(services, karim, "telegram:203", "Chloé")
        await services.appointments.set(karim, chloe.id, TOMORROW_MORNING + timedelta(days=1))

        entries = await services.digests.tomorrow(sophie)

        assert [(e.at, e.person.id) for e in entries] == [
            (TOMORROW_MORNING, bilal.id),
            (TOMORROW_AFTERNOON, amina.id),
        ]
        assert await services.digests.tomorrow(karim) == []


async def test_a_summary_counts_when_sent_within_fourteen_days_before(settings: Settings) -> None:
    clock = ManualClock(NOW)
    async with opened(settings, clock) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, "telegram:201", "Amina")
        bilal = await a_person(services, sophie, "telegram:202", "Bilal")
        await services.appointments.set(sophie, amina.id, TOMORROW_AFTERNOON)
        await services.appointments.set(sophie, bilal.id, TOMORROW_MORNING)
        await sent_summary(services, amina, sophie, TOMORROW_AFTERNOON - timedelta(days=13))
        await sent_summary(services, bilal, sophie, TOMORROW_MORNING - timedelta(days=15))

        found = {e.person.id: e.summary_sent for e in await services.digests.tomorrow(sophie)}

        assert found == {amina.id: True, bilal.id: False}


async def test_after_a_transfer_the_appointment_is_in_the_new_workers_digest_only(
    settings: Settings,
) -> None:
    clock = ManualClock(NOW)
    async with opened(settings, clock) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        karim = await a_worker(services, "Karim", "telegram:102")
        amina = await a_person(services, sophie, "telegram:201", "Amina")
        await services.appointments.set(sophie, amina.id, TOMORROW_AFTERNOON)
        # A summary sent to her former worker is not one her new worker received.
        await sent_summary(services, amina, sophie, NOW)

        await services.workers.transfer(amina.id, karim.id)

        assert await services.digests.tomorrow(sophie) == []
        [entry] = await services.digests.tomorrow(karim)
        assert entry.person.id == amina.id and entry.summary_sent is False
