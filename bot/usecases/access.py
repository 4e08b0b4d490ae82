"""Who may see or act on what: the one place every use case asks.

A worker reaches only the persons linked to them now (an admin transfer moves that link), and
only while their access is open; a person reaches only their own rows. Everything else is
`NotYours`, answered by the transports as a stale or foreign button.
"""

from __future__ import annotations

from typing import Protocol

from bot.domain import Person, Worker


class NotYours(Exception):
    """The caller may not see or act on this person, summary, agreement, check-in or appointment."""


class PersonLookup(Protocol):
    """The one storage call access needs."""

    async def get_person(self, person_id: int) -> Person | None:
        """A person by id."""


async def person_of_worker(storage: PersonLookup, worker: Worker, person_id: int) -> Person:
    """The person, if they are this (active) worker's now; NotYours otherwise."""
    if not worker.active:
        raise NotYours
    person = await storage.get_person(person_id)
    if person is None or person.worker_id != worker.id:
        raise NotYours
    return person


def worker_owns(worker: Worker, owner_id: int | None) -> None:
    """A row addressed to a worker (a summary, an agreement round) is theirs, or NotYours."""
    if not worker.active or owner_id is None or owner_id != worker.id:
        raise NotYours


def person_owns(person: Person, owner_id: int | None) -> None:
    """A row about a person (a check-in, an appointment, a round) is theirs, or NotYours."""
    if owner_id is None or owner_id != person.id:
        raise NotYours
