"""Quiet hours as a use case: every non-urgent message waits for its recipient's allowed
hours (person: 20h-9h and Sunday; worker: 20h-8h and Sunday); a call request never waits."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.config import Settings
from bot.domain import OutboxMessage
from bot.messages import PersonJoined, ReminderDue, SafetyCallRaised
from tests.clock import ManualClock
from tests.unit.actors import a_person, a_worker, opened

TUESDAY_NOON = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
TUESDAY_22H = datetime(2026, 12, 1, 21, 0, tzinfo=UTC)  # 22:00 in Paris
WEDNESDAY_8H = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
WEDNESDAY_9H = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
SUNDAY_NOON = datetime(2026, 12, 6, 11, 0, tzinfo=UTC)
MONDAY_9H = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


async def test_quiet_hours_hold_every_message_but_a_call_request(settings: Settings) -> None:
    clock = ManualClock(TUESDAY_NOON)
    async with opened(settings, clock) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, "telegram:201")
        to_her = OutboxMessage("r", "person", amina.id, ReminderDue(1))
        to_sophie = OutboxMessage("j", "worker", sophie.id, PersonJoined("Amina"))
        call = OutboxMessage("c", "worker", sophie.id, SafetyCallRaised(1, TUESDAY_22H))
        held = services.reminders.held_until

        assert [await held(m) for m in (to_her, to_sophie, call)] == [None, None, None]

        clock.moment = TUESDAY_22H
        assert await held(to_her) == WEDNESDAY_9H
        assert await held(to_sophie) == WEDNESDAY_8H
        assert await held(call) is None

        clock.moment = SUNDAY_NOON
        assert await held(to_her) == MONDAY_9H
        assert await held(call) is None
