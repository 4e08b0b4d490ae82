"""/reglages, /pause, /reprendre: which rhythms a person may choose, and choosing them."""

from __future__ import annotations

import logging
from datetime import time
from typing import Literal

# The settings a person may choose are named once, with the buttons that choose them.
from bot.actions import Setting as Setting
from bot.domain import Person
from bot.storage.base import PersonStore
from bot.usecases.reminders import Reminders

log = logging.getLogger(__name__)

# What a settings button may choose; anything else is an old or forged button.
EVENINGS = (18, 20, 22)
MORNINGS = (8, 9, 10)
# Every how many weeks the strengths check-in comes (0: never).
STRENGTHS_WEEKS = (0, 1, 2, 4)
CHOICES: dict[Setting, tuple[int, ...]] = {
    "evening": EVENINGS,
    "morning": MORNINGS,
    "sunday": (0, 1),
    "strengths": STRENGTHS_WEEKS,
    # Another bound, typed to the minute: 0 the evening one, 1 the morning one.
    "other": (0, 1),
}

Choice = Literal["changed", "type_a_time", "refused"]


class RhythmSettings:
    """The person owns the rhythm of what reaches them: quiet hours, Sundays, check-ins."""

    def __init__(self, storage: PersonStore, reminders: Reminders) -> None:
        self._storage = storage
        self._reminders = reminders

    async def choose(self, person: Person, setting: Setting, value: int) -> Choice:
        """Apply one button's choice; "type_a_time" when the person will type a bound."""
        if value not in CHOICES.get(setting, ()):
            return "refused"
        if setting == "other":
            return "type_a_time"
        if setting == "strengths":
            await self._reminders.strengths_rhythm(person, value)
        elif setting == "evening":
            await self._storage.set_rhythm(person.id, quiet_from=value, quiet_from_minute=0)
        elif setting == "morning":
            await self._storage.set_rhythm(person.id, quiet_until=value, quiet_until_minute=0)
        else:
            await self._storage.set_rhythm(person.id, quiet_sunday=value)
        return "changed"

    async def quiet_bound(self, person: Person, morning: bool, at: time) -> None:
        """A typed bound of the quiet hours, to the minute."""
        if morning:
            await self._storage.set_rhythm(
                person.id, quiet_until=at.hour, quiet_until_minute=at.minute
            )
        else:
            await self._storage.set_rhythm(
                person.id, quiet_from=at.hour, quiet_from_minute=at.minute
            )

    async def as_stored(self, person: Person) -> Person:
        """The person with the rhythm just chosen (the one in hand predates the change)."""
        return await self._storage.get_person(person.id) or person

    async def pause(self, person: Person) -> None:
        """No reminder at all until the person resumes."""
        await self._storage.set_rhythm(person.id, paused=1)

    async def resume(self, person: Person) -> None:
        """Reminders again."""
        await self._storage.set_rhythm(person.id, paused=0)
