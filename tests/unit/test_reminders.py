"""Reminders and the person's rhythm as use cases, on both backends: when a step's reminder
and its check-in are due, what the scan sends, postpones or drops, what "Voir" opens, and
which settings a button may choose; asserted on returned values and stored rows."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.domain import AgreementStep, ReminderDraft
from bot.messages import ReminderDue
from bot.services import Services
from bot.usecases.reminders import CHECKIN_AFTER, OpenedReminder
from tests.clock import ManualClock
from tests.unit.actors import a_person, a_worker, opened

PARIS = ZoneInfo("Europe/Paris")


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    """A Paris wall-clock moment of December 2026, in UTC."""
    return datetime(2026, 12, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


TUESDAY_10H = paris(1, 10)
TUESDAY_22H = paris(1, 22)
WEDNESDAY_9H = paris(2, 9)
THURSDAY_10H = paris(3, 10)


async def sent_reminders(services: Services) -> list[int]:
    """The reminders queued in the outbox, by id."""
    due = await services.storage.due_outbox(TUESDAY_10H + timedelta(days=60))
    return [i.message.body.reminder_id for i in due if isinstance(i.message.body, ReminderDue)]


async def test_an_agreed_step_is_reminded_on_the_day_it_names_and_checked_in_on_later(
    any_settings: Settings,
) -> None:
    clock = ManualClock(TUESDAY_10H)
    async with opened(any_settings, clock) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, "telegram:201")
        bilal = await a_person(services, sophie, "telegram:202", "Bilal")
        agreement = await services.agreements.propose(
            sophie, amina.id, "Le loyer", [AgreementStep("Appeler la CAF", "Amina", "jeudi")]
        )
        await services.agreements.accept_as_person(amina, agreement.id)

        pending = {r.kind: r for r in await services.storage.pending_reminders(amina.id)}
        assert pending["step"].due_at == THURSDAY_10H  # "jeudi", at the usual hour
        # The check-in a few days after the agreement, on a weekday at the usual hour.
        assert pending["checkin_step"].due_at.astimezone(PARIS).date() == (
            (TUESDAY_10H + CHECKIN_AFTER).astimezone(PARIS).date()
        )

        # Nothing is due on Wednesday; on Thursday at 10h the step's reminder goes, once.
        clock.moment = WEDNESDAY_9H
        assert await services.reminders.scan() == 0
        clock.moment = THURSDAY_10H
        assert await services.reminders.scan() == 1
        assert await services.reminders.scan() == 0
        step = pending["step"]
        assert await sent_reminders(services) == [step.id]
        stored = await services.storage.get_reminder(step.id)
        assert stored is not None and stored.status == "sent"

        # "Voir" opens the step in her words; for anyone else, the reminder is gone.
        seen = await services.reminders.opened(amina, step.id)
        assert seen == OpenedReminder("step", step="Appeler la CAF")
        assert await services.reminders.opened(bilal, step.id) == OpenedReminder("gone")


async def test_quiet_hours_postpone_a_reminder_and_a_pause_drops_it(
    any_settings: Settings,
) -> None:
    clock = ManualClock(TUESDAY_22H)
    async with opened(any_settings, clock) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, "telegram:201")
        await services.reminders.strengths_rhythm(amina, 1)
        await services.storage.drop_reminders(amina.id, ["strengths"])
        draft = ReminderDraft("strengths", TUESDAY_22H, person_id=amina.id)
        await services.storage.add_reminders([draft], TUESDAY_22H)
        (late,) = await services.storage.pending_reminders(amina.id)

        # 22h is inside her quiet evening: the reminder moves to the end of her quiet morning.
        assert await services.reminders.scan() == 0
        moved = await services.storage.get_reminder(late.id)
        assert moved is not None and moved.due_at == WEDNESDAY_9H and moved.status == "pending"

        clock.moment = WEDNESDAY_9H
        assert await services.reminders.scan() == 1
        assert await sent_reminders(services) == [late.id]
        # Every week: the next one is planned as this one goes.
        (following,) = await services.storage.pending_reminders(amina.id)
        assert following.kind == "strengths"
        assert following.due_at == paris(9, 10)

        # Paused: a due reminder is dropped, not sent later.
        await services.rhythm.pause(amina)
        clock.moment = paris(9, 10)
        assert await services.reminders.scan() == 0
        dropped = await services.storage.get_reminder(following.id)
        assert dropped is not None and dropped.status == "dropped"
        assert await sent_reminders(services) == [late.id]


async def test_a_reminder_about_an_appointment_opens_on_the_appointment_while_it_holds(
    any_settings: Settings,
) -> None:
    clock = ManualClock(TUESDAY_10H)
    async with opened(any_settings, clock) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, "telegram:201")
        friday = paris(4, 14, 30)
        await services.appointments.set(sophie, amina.id, friday)
        kinds = {r.kind: r for r in await services.storage.pending_reminders(amina.id)}
        assert set(kinds) >= {"prepare", "appointment"}

        prepare = await services.reminders.opened(amina, kinds["prepare"].id)
        assert prepare == OpenedReminder("prepare", at=friday)
        assert await services.appointments.cancel(sophie, amina.id)
        # Cancelled: her reminders go with it, and an old "Voir" says it is over.
        assert await services.storage.pending_reminders(amina.id) == []
        over = await services.reminders.opened(amina, kinds["appointment"].id)
        assert over == OpenedReminder("over")


async def test_settings_buttons_choose_only_what_is_offered(any_settings: Settings) -> None:
    clock = ManualClock(TUESDAY_10H)
    async with opened(any_settings, clock) as services:
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, "telegram:201")
        rhythm = services.rhythm

        # Old or forged buttons change nothing.
        assert await rhythm.choose(amina, "evening", 19) == "refused"
        assert await rhythm.choose(amina, "strengths", 3) == "refused"
        assert await rhythm.choose(amina, "other", 2) == "refused"
        # "Another hour": the person will type it; nothing is stored yet.
        assert await rhythm.choose(amina, "other", 1) == "type_a_time"
        assert await services.storage.get_person(amina.id) == amina

        assert await rhythm.choose(amina, "evening", 18) == "changed"
        assert await rhythm.choose(amina, "sunday", 0) == "changed"
        await rhythm.quiet_bound(amina, morning=True, at=time(8, 45))
        assert await rhythm.choose(amina, "strengths", 2) == "changed"
        found = await services.storage.get_person(amina.id)
        assert found is not None
        assert (found.quiet_from, found.quiet_from_minute) == (18, 0)
        assert (found.quiet_until, found.quiet_until_minute) == (8, 45)
        assert not found.quiet_sunday and found.strengths_every_weeks == 2
        (strengths,) = await services.storage.pending_reminders(amina.id)
        assert strengths.kind == "strengths" and strengths.due_at == paris(15, 10)

        await rhythm.pause(amina)
        paused = await services.storage.get_person(amina.id)
        assert paused is not None and paused.paused
        await rhythm.resume(amina)
        resumed = await services.storage.get_person(amina.id)
        assert resumed is not None and not resumed.paused
