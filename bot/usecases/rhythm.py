"""The rhythm of a person or a worker: when a message they did not just ask for may reach them.

Quiet hours are wall-clock bounds in the service's zone, to the minute (20:30 → 8:45), so
they follow daylight saving: "not after 20h" stays 20h local in winter and in summer.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class QuietHours(Protocol):
    """Whoever has quiet hours: a person, or a worker (same bounds, other defaults)."""

    @property
    def quiet_from(self) -> int: ...
    @property
    def quiet_from_minute(self) -> int: ...
    @property
    def quiet_until(self) -> int: ...
    @property
    def quiet_until_minute(self) -> int: ...
    @property
    def quiet_sunday(self) -> bool: ...


SUNDAY = 6
# The hour of every daily reminder (a step, a check-in, the day before an appointment),
# unless the person's quiet morning ends later.
USUAL_HOUR = 10


def quiet_from(who: QuietHours) -> time:
    """When the person's quiet evening starts (local wall time)."""
    return time(who.quiet_from % 24, who.quiet_from_minute % 60)


def quiet_until(who: QuietHours) -> time:
    """When the person's quiet morning ends (local wall time)."""
    return time(who.quiet_until % 24, who.quiet_until_minute % 60)


def _quiet_at(local: datetime, who: QuietHours) -> bool:
    if who.quiet_sunday and local.weekday() == SUNDAY:
        return True
    start, end = quiet_from(who), quiet_until(who)
    now = local.time().replace(second=0, microsecond=0, tzinfo=None)
    if start == end:
        return False
    if start > end:  # across midnight, e.g. 20h → 9h
        return now >= start or now < end
    return start <= now < end


def allowed(moment: datetime, who: QuietHours, timezone: ZoneInfo) -> bool:
    """Whether a non-urgent message may reach the person at this moment."""
    return not _quiet_at(moment.astimezone(timezone), who)


def wall_clock(day: date, at: time, timezone: ZoneInfo) -> datetime:
    """That local day at that local time, as an aware datetime.

    A wall time skipped in spring (02:30 on the last Sunday of March) comes out an hour
    later in summer time; a repeated one in autumn takes its first occurrence.
    """
    return datetime.combine(day, at, timezone)


def next_allowed(moment: datetime, who: QuietHours, timezone: ZoneInfo) -> datetime:
    """The first moment at or after `moment` outside quiet hours and quiet Sundays."""
    if allowed(moment, who, timezone):
        return moment
    local_day = moment.astimezone(timezone).date()
    end = quiet_until(who)
    # Quiet time only ever ends at the morning bound (or at midnight after a quiet Sunday,
    # when there are no quiet hours at all): try each of those in turn.
    for offset in range(9):
        day = local_day + timedelta(days=offset)
        for at in sorted({time(0), end}):
            candidate = wall_clock(day, at, timezone)
            if candidate > moment and allowed(candidate, who, timezone):
                return candidate.astimezone(moment.tzinfo)
    return moment


def at_local(day: datetime, hour: int, timezone: ZoneInfo) -> datetime:
    """That day (in local time) at `hour`:00 local, as an aware datetime."""
    local_day = day.astimezone(timezone).date()
    return datetime.combine(local_day, time(hour), timezone)


def usual_moment(day: date, who: QuietHours, timezone: ZoneInfo) -> datetime:
    """The person's usual hour on that local day: 10h, or when their quiet morning ends."""
    moment = wall_clock(day, time(USUAL_HOUR), timezone)
    return next_allowed(moment, who, timezone)
