"""Check-ins on agreed steps: where is the person with it, how did it go, what was learned."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain import CheckIn, Person
from bot.storage.base import AgreementStore, CheckInStore, RunStore
from bot.usecases.access import NotYours, person_owns
from bot.usecases.clock import Clock
from bot.usecases.first_step import IDEAS, chosen_step


class CheckInsStorage(CheckInStore, AgreementStore, RunStore, Protocol):
    """What check-ins read and write."""


PROGRESS = ("done", "in_progress", "not_yet", "change")
# Goal attainment scaling (METHOD.md), in the order the buttons show.
ATTAINMENT: dict[str, int] = {
    "much_less": -2,
    "less": -1,
    "as_expected": 0,
    "better": 1,
    "much_better": 2,
}
LEARNED_MAX = 4096


def attainment_key(attainment: int) -> str:
    """The name of a GAS value (-2 … +2), e.g. "as_expected" for 0."""
    return next(name for name, value in ATTAINMENT.items() if value == attainment)


class CheckIns:
    """The step in force, and the person's word on it."""

    def __init__(self, storage: CheckInsStorage, clock: Clock) -> None:
        self._storage = storage
        self._clock = clock

    async def current_step(self, person: Person) -> str | None:
        """The person's step: from Mes idées, or an accepted agreement if more recent."""
        step, when = None, None
        runs = await self._storage.finished_runs(person.id, IDEAS)
        if runs and runs[0].finished_at is not None:
            chosen = chosen_step(runs[0].state)
            if chosen is not None:
                step, when = chosen.what, runs[0].finished_at
        for agreement in reversed(await self._storage.agreements_of(person.id)):
            if agreement.status == "accepted" and agreement.answered_at is not None:
                if (when is None or agreement.answered_at > when) and agreement.steps:
                    step = agreement.steps[0].what
                break
        return step

    async def open(self, person: Person) -> CheckIn | None:
        """A check-in about the current step (None when there is no step any more)."""
        step = await self.current_step(person)
        if step is None:
            return None
        return await self._storage.create_checkin(person.id, step, self._clock.now())

    async def _own(self, person: Person, checkin_id: int) -> CheckIn:
        found = await self._storage.get_checkin(checkin_id)
        if found is None:
            raise NotYours
        person_owns(person, found.person_id)
        return found

    async def progress(self, person: Person, checkin_id: int, progress: str) -> CheckIn:
        """Done, in progress, not yet, or "I want to change it"."""
        if progress not in PROGRESS:
            raise NotYours
        found = await self._own(person, checkin_id)
        await self._storage.answer_checkin(
            found.id, progress=progress, learned=None, now=self._clock.now()
        )
        return found

    async def attainment(self, person: Person, checkin_id: int, answer: str) -> CheckIn:
        """How it went compared with what the person expected (GAS, one of `ATTAINMENT`)."""
        if answer not in ATTAINMENT:
            raise NotYours
        found = await self._own(person, checkin_id)
        await self._storage.answer_checkin(
            found.id,
            progress=None,
            learned=None,
            now=self._clock.now(),
            attainment=ATTAINMENT[answer],
        )
        return found

    async def learned(self, person: Person, checkin_id: int, words: str) -> None:
        """What happened, what the person learned (their words, kept encrypted)."""
        found = await self._own(person, checkin_id)
        await self._storage.answer_checkin(
            found.id, progress=None, learned=words.strip()[:LEARNED_MAX], now=self._clock.now()
        )

    async def changes_since(self, person: Person, moment: datetime | None) -> list[CheckIn]:
        """The person's answered check-ins since a moment (the last summary), oldest first:
        what changed on their steps, for the next summary."""
        return await self._storage.checkins_since(person.id, moment)
