"""Appointments as use cases: what the person is told, what replaces what, and the short
exchange after "Je ne peux pas", read from the typed outbox; no Telegram."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.domain import OutboxItem, VoiceNote
from bot.messages import AppointmentAnswered, AppointmentSet
from bot.services import Services
from bot.usecases.access import NotYours
from bot.usecases.appointments import CANNOT_DETAILS_WAIT
from tests.clock import ManualClock
from tests.unit.actors import a_person, a_worker, opened

# Tuesday 1 December 2026, 10:00 in Paris: inside everyone's allowed hours.
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
THURSDAY = datetime(2026, 12, 3, 13, 30, tzinfo=UTC)
FRIDAY = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=30)


async def queued(services: Services) -> list[OutboxItem]:
    """Every message still waiting, whenever it is due."""
    return await services.storage.due_outbox(LATER)


async def test_the_person_is_told_once_with_the_appointments_id(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, "telegram:201")

        scheduled = await services.appointments.set(sophie, amina.id, THURSDAY)

        to_her = [
            i.message.body
            for i in await queued(services)
            if i.message.recipient_kind == "person" and i.message.recipient_id == amina.id
        ]
        assert to_her == [AppointmentSet(THURSDAY, scheduled.appointment.id)], to_her
        assert scheduled.announced_at == NOW  # daytime: at once
        assert scheduled.reminders, "reminders are planned before the appointment"


async def test_a_new_date_replaces_the_news_still_waiting(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, "telegram:201")
        await services.appointments.set(sophie, amina.id, THURSDAY)

        second = await services.appointments.set(sophie, amina.id, FRIDAY)

        bodies = [i.message.body for i in await queued(services)]
        # The first news never went: only the new one goes, with nothing to replace.
        assert bodies.count(AppointmentSet(FRIDAY, second.appointment.id)) == 1
        assert not any(isinstance(b, AppointmentSet) and b.at == THURSDAY for b in bodies)


async def test_a_new_date_after_the_news_went_says_which_one_it_replaces(
    settings: Settings,
) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, "telegram:201")
        await services.appointments.set(sophie, amina.id, THURSDAY)
        for item in await queued(services):
            await services.storage.outbox_delivered(item.id, NOW)

        second = await services.appointments.set(sophie, amina.id, FRIDAY)

        told = [i.message.body for i in await queued(services)]
        assert told == [AppointmentSet(FRIDAY, second.appointment.id, replaces=THURSDAY)]


async def test_cannot_come_waits_for_why_and_when_then_carries_them(settings: Settings) -> None:
    clock = ManualClock(NOW)
    async with opened(settings, clock) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, "telegram:201")
        scheduled = await services.appointments.set(sophie, amina.id, THURSDAY)
        appointment_id = scheduled.appointment.id

        assert await services.appointments.answer(amina, appointment_id, "cannot")
        # The worker's notice waits a little for the reason: nothing due for them yet.
        due_now = await services.storage.due_outbox(NOW)
        assert not any(isinstance(i.message.body, AppointmentAnswered) for i in due_now)

        said = VoiceNote("voice-file-1", 7)
        await services.appointments.cannot_details(amina, appointment_id, said, FRIDAY)

        [notice] = [
            i.message.body
            for i in await services.storage.due_outbox(NOW + CANNOT_DETAILS_WAIT)
            if isinstance(i.message.body, AppointmentAnswered)
        ]
        assert notice == AppointmentAnswered(
            "cannot", THURSDAY, amina.id, appointment_id, "Amina", said, FRIDAY
        )
        assert not await services.appointments.answer(amina, appointment_id, "noted")


async def test_a_person_cannot_answer_someone_elses_appointment(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, "telegram:201")
        bilal = await a_person(services, sophie, "telegram:202", "Bilal")
        scheduled = await services.appointments.set(sophie, amina.id, THURSDAY)

        with pytest.raises(NotYours):
            await services.appointments.answer(bilal, scheduled.appointment.id, "noted")
        assert not await services.appointments.answer(amina, scheduled.appointment.id, "maybe")
