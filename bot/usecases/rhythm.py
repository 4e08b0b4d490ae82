"""The person's rhythm: when a reminder may reach them."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.storage.base import Person

SUNDAY = 6


def _quiet_at(local: datetime, person: Person) -> bool:
    if person.quiet_sunday and local.weekday() == SUNDAY:
        return True
    start, end = person.quiet_from, person.quiet_until
    if start == end:
        return False
    if start > end:  # across midnight, e.g. 20h → 9h
        return local.hour >= start or local.hour < end
    return start <= local.hour < end


def allowed(moment: datetime, person: Person, timezone: ZoneInfo) -> bool:
    """Whether a reminder may reach the person at this moment."""
    return not _quiet_at(moment.astimezone(timezone), person)


def next_allowed(moment: datetime, person: Person, timezone: ZoneInfo) -> datetime:
    """The first moment at or after `moment` outside quiet hours and quiet Sundays (UTC)."""
    local = moment.astimezone(timezone)
    for _ in range(8):
        if not _quiet_at(local, person):
            return local.astimezone(moment.tzinfo)
        if person.quiet_sunday and local.weekday() == SUNDAY:
            next_day = local.date() + timedelta(days=1)
            local = datetime.combine(next_day, time(person.quiet_until % 24), timezone)
            continue
        day = local.date() if local.hour < person.quiet_until else local.date() + timedelta(days=1)
        local = datetime.combine(day, time(person.quiet_until % 24), timezone)
    return local.astimezone(moment.tzinfo)


def at_local(day: datetime, hour: int, timezone: ZoneInfo) -> datetime:
    """That day (in local time) at `hour`:00 local, as an aware datetime."""
    local_day = day.astimezone(timezone).date()
    return datetime.combine(local_day, time(hour), timezone)
