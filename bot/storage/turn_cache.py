"""The person and their dialogue runs, kept in memory while one lane's batch of updates is
handled, so a turn does not read again what the turn before it just read or wrote.

Scope: `kept_for_turns()` is entered around one lane's batch (bot/telegram/inbox.py); the
cache dies with it. Never longer: with several replicas sharing lanes (PostgreSQL), a lane's
claim may pass to another replica after its batch, and a cache must not outlive the claim.
Outside a batch (jobs, start-up, tests calling storage) nothing is cached.

Invalidation, on every write transaction's end (committed or rolled back), in every batch
alive in this process:
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


class TurnCache:
    """One batch's copies: persons by account, runs by id."""

    def __init__(self) -> None:
        self.persons: dict[str, Person] = {}
        self.runs: dict[int, DialogueRun] = {}
        self.open = True
        self.hits = 0

    def forget_person(self, person_id: int) -> None:
        """Drop the person's row and runs (they were written)."""
        self.persons = {k: p for k, p in self.persons.items() if p.id != person_id}
        self.runs = {k: r for k, r in self.runs.items() if r.person_id != person_id}

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


def _cache() -> TurnCache | None:
    cache = _current.get()
    return cache if cache is not None and cache.open else None


def cached_person(account: str) -> Person | None:
    """The person read or written earlier in this batch, if still valid."""
    cache = _cache()
    if cache is None:
        return None
    found = cache.persons.get(account)
    if found is not None:
        cache.hits += 1
    return found


def keep_person(person: Person) -> None:
    cache = _cache()
    if cache is not None:
        cache.persons[person.account] = person


def cached_run(run_id: int) -> DialogueRun | None:
    """The run read or written earlier in this batch, if still valid."""
    cache = _cache()
    if cache is None:
        return None
    found = cache.runs.get(run_id)
    if found is not None:
        cache.hits += 1
    return found


def keep_run(run: DialogueRun) -> None:
    cache = _cache()
    if cache is not None:
        cache.runs[run.id] = run


def kept_person_of(person_id: int) -> Person | None:
    """The batch's copy of this person's row, whatever account it was read by."""
    cache = _cache()
    persons = () if cache is None else cache.persons.values()
    return next((person for person in persons if person.id == person_id), None)


def kept_turn_saved(
    run: DialogueRun, person: Person | None, now: datetime, scale_mode: ScaleMode | None
) -> None:
    """`save_turn` wrote `run`, and the contact time, scale mode and current run of `person`
    (the batch's copy from before the write, if it had one)."""
    cache = _cache()
    if cache is None:
        return
    cache.runs[run.id] = run
    if person is None:
        return
    current = person.current_run_id
    if run.status == "finished" and current == run.id:
        current = None
    cache.persons[person.account] = replace(
        person,
        last_seen_at=now,
        scale_mode=scale_mode or person.scale_mode,
        current_run_id=current,
    )


def kept_shown(run: DialogueRun, turn: int) -> None:
    """`mark_shown` wrote the newest question seen of `run` (the batch's copy before it)."""
    cache = _cache()
    if cache is None:
        return
    seen = run.shown_turn is not None and run.shown_turn < turn
    cache.runs[run.id] = replace(run, shown_turn=turn) if seen else run


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
    scope = _writing.get()
    if scope == _NOTHING_KEPT or not _alive:
        return
    for cache in _alive:
        if scope is None:
            cache.clear()
        elif scope[0] == "run":
            cache.runs.pop(scope[1], None)
        else:
            cache.forget_person(scope[1])


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
