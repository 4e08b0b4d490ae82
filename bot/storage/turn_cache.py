"""The person and their dialogue runs, kept in memory while one lane's batch of updates is
handled, so a turn does not read again what the turn before it just read or wrote.

Scope: `kept_for_turns()` is entered around one lane's batch (bot/telegram/inbox.py); the
cache dies with it. Never longer: with several replicas sharing lanes (PostgreSQL), a lane's
claim may pass to another replica after its batch, and a cache must not outlive the claim.
Outside a batch (jobs, start-up, tests calling storage) nothing is cached.

Invalidation, on every write transaction's end (committed or rolled back), for every batch
alive in this process (by stamps: a copy is valid while nothing written since touched it):
- by default a write forgets everything (any row of anyone may have changed);
- a write declared `touching_person(id)` changed only that person's row and runs, one
  declared `touching_run(id)` only that run: only those are forgotten; the writer then puts
  back what it knows it wrote (`save_turn`, `mark_shown`, `start_run`), in its own batch only;
- a write declared `touching_nothing_kept()` (the inbox, heartbeats) forgets nothing.
What another replica writes is not seen here: in the length of a batch (a few updates of one
chat, whose lane this replica holds) only an admin's or a worker's action elsewhere could
change this person's rows, the same race a single turn's read-then-write already has.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    asynccontextmanager,
    contextmanager,
)
from contextvars import ContextVar
from dataclasses import replace
from datetime import datetime
from typing import Any, Final, TypeVar, cast

from bot.domain import DialogueRun, Person, ScaleMode

_T = TypeVar("_T")

# Writes stamp what they may have changed; a kept copy is valid while its stamps are current:
# O(1) per write and per read, however many batches are alive (a write never walks them).
# Bumped by a write that may change anything:
_everything = 0
# Bumped by a write scoped to a person (their row and runs), or to one run:
_persons: dict[int, int] = {}
_runs: dict[int, int] = {}
# Past this many stamps kept, they are dropped and `_everything` bumped (all copies invalid).
_STAMPS_LIMIT = 100_000


def _person_stamp(person_id: int) -> tuple[int, int]:
    return (_everything, _persons.get(person_id, 0))


def _run_stamp(run: DialogueRun) -> tuple[int, int, int]:
    return (_everything, _persons.get(run.person_id, 0), _runs.get(run.id, 0))


class TurnCache:
    """One batch's copies, each with the stamps it was kept under: persons by account, runs
    by id."""

    def __init__(self) -> None:
        self.persons: dict[str, tuple[Person, tuple[int, int]]] = {}
        self.runs: dict[int, tuple[DialogueRun, tuple[int, int, int]]] = {}
        self.open = True
        self.hits = 0

    def clear(self) -> None:
        self.persons.clear()
        self.runs.clear()


_NOTHING_KEPT: Final = ("nothing", 0)
_current: ContextVar[TurnCache | None] = ContextVar("turn_cache", default=None)
# What the write transaction being run by this task changes: None (anything), ("person", id):
# a person's row and runs, ("run", id): one run's row, or _NOTHING_KEPT.
_writing: ContextVar[tuple[str, int] | None] = ContextVar("turn_cache_writing", default=None)
_alive: set[TurnCache] = set()


@contextmanager
def kept_for_turns() -> Iterator[TurnCache]:
    """Cache persons and runs for the updates handled inside (one lane's batch)."""
    cache = TurnCache()
    _alive.add(cache)
    token = _current.set(cache)
    try:
        yield cache
    finally:
        _current.reset(token)
        _alive.discard(cache)
        # A task started inside may outlive the batch: it then reads storage again.
        cache.open = False
        cache.clear()
        if not _alive:
            # No copy left anywhere: the stamps can start again from nothing.
            _persons.clear()
            _runs.clear()


def _cache() -> TurnCache | None:
    cache = _current.get()
    return cache if cache is not None and cache.open else None


def cached_person(account: str) -> Person | None:
    """The person read or written earlier in this batch, if still valid."""
    cache = _cache()
    kept = None if cache is None else cache.persons.get(account)
    if cache is None or kept is None or kept[1] != _person_stamp(kept[0].id):
        return None
    cache.hits += 1
    return kept[0]


def keep_person(person: Person) -> None:
    cache = _cache()
    if cache is not None:
        cache.persons[person.account] = (person, _person_stamp(person.id))


def cached_run(run_id: int) -> DialogueRun | None:
    """The run read or written earlier in this batch, if still valid."""
    cache = _cache()
    kept = None if cache is None else cache.runs.get(run_id)
    if cache is None or kept is None or kept[1] != _run_stamp(kept[0]):
        return None
    cache.hits += 1
    return kept[0]


def keep_run(run: DialogueRun) -> None:
    cache = _cache()
    if cache is not None:
        cache.runs[run.id] = (run, _run_stamp(run))


def kept_person_of(person_id: int) -> Person | None:
    """The batch's valid copy of this person's row, whatever account it was read by."""
    cache = _cache()
    for person, stamp in () if cache is None else cache.persons.values():
        if person.id == person_id and stamp == _person_stamp(person_id):
            return person
    return None


def kept_turn_saved(
    run: DialogueRun, person: Person | None, now: datetime, scale_mode: ScaleMode | None
) -> None:
    """`save_turn` wrote `run`, and the contact time, scale mode and current run of `person`
    (the batch's copy from before the write, if it had one)."""
    keep_run(run)
    if person is None:
        return
    current = person.current_run_id
    if run.status == "finished" and current == run.id:
        current = None
    keep_person(
        replace(
            person,
            last_seen_at=now,
            scale_mode=scale_mode or person.scale_mode,
            current_run_id=current,
        )
    )


def kept_shown(run: DialogueRun, turn: int) -> None:
    """`mark_shown` wrote the newest question seen of `run` (the batch's copy before it)."""
    seen = run.shown_turn is not None and run.shown_turn < turn
    keep_run(replace(run, shown_turn=turn) if seen else run)


@contextmanager
def touching_person(person_id: int) -> Iterator[None]:
    """The write transactions inside change only this person's row and dialogue runs."""
    token = _writing.set(("person", person_id))
    try:
        yield
    finally:
        _writing.reset(token)


@contextmanager
def touching_run(run_id: int) -> Iterator[None]:
    """The write transactions inside change only this run's row."""
    token = _writing.set(("run", run_id))
    try:
        yield
    finally:
        _writing.reset(token)


@contextmanager
def touching_nothing_kept() -> Iterator[None]:
    """The write transactions inside change nothing a batch keeps (the inbox, heartbeats)."""
    token = _writing.set(_NOTHING_KEPT)
    try:
        yield
    finally:
        _writing.reset(token)


def _written() -> None:
    global _everything
    scope = _writing.get()
    if scope == _NOTHING_KEPT or not _alive:
        return  # nothing kept anywhere could be stale
    if scope is None or len(_persons) + len(_runs) > _STAMPS_LIMIT:
        _everything += 1
        _persons.clear()
        _runs.clear()
        # Cleared stamps restart at 0: a copy kept under an older `_everything` stays stale.
    elif scope[0] == "run":
        _runs[scope[1]] = _runs.get(scope[1], 0) + 1
    else:
        _persons[scope[1]] = _persons.get(scope[1], 0) + 1


@asynccontextmanager
async def forgetting(transaction: AbstractAsyncContextManager[_T]) -> AsyncIterator[_T]:
    """A backend's write transaction, after which the batches forget what it may change."""
    try:
        async with transaction as db:
            yield db
    finally:
        _written()


# A storage method (its own signature kept, for the protocols that name it).
_Method = TypeVar("_Method", bound=Callable[..., Awaitable[Any]])


def writes_nothing_kept(method: _Method) -> _Method:
    """A storage method whose writes change nothing a batch keeps (the inbox, heartbeats)."""

    @functools.wraps(method)
    async def wrapped(self: object, *args: Any, **kwargs: Any) -> Any:
        with touching_nothing_kept():
            return await method(self, *args, **kwargs)

    return cast(_Method, wrapped)


def writes_person(method: _Method) -> _Method:
    """A storage method whose writes change only the row and runs of the person whose id is
    its first argument."""

    @functools.wraps(method)
    async def wrapped(self: object, person_id: int, *args: Any, **kwargs: Any) -> Any:
        with touching_person(person_id):
            return await method(self, person_id, *args, **kwargs)

    return cast(_Method, wrapped)
