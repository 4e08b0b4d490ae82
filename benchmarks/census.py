"""Counting what a turn does, in the bot's process, while the driver walks a few persons:
SQL statements, hand-offs to a SQLite thread (aiosqlite's, or the storage writer's),
wake-ups of the event loop from other threads, and a cProfile of the event loop's thread
timed in CPU time (`thread_time`: on a loaded machine the wall clock mostly measures waiting
for a core); see `breakdown` for how the profiler's own cost is taken off.

Nothing here runs during the measured rounds: wrappers and the profiler cost CPU.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import gc
import pstats
import sqlite3
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import aiosqlite

from bot.storage.writer import Writer

_WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE"})

_HTTP = "HTTP client: httpx, httpcore, h11, anyio"
_CALLS = "PTB calls: Bot methods and request layer, building a call and reading its result"
_OBJECTS = "PTB objects: de_json of updates and results, to_dict of keyboards"
_LIMITER = "rate limiters: bot.telegram.pacing, PTB's AIORateLimiter, aiolimiter"

# Where a function's own CPU is counted, first match on its file wins (ours before PTB's:
# "/telegram/" is in bot/telegram/ too). A function matching
# none (built-ins, the standard library: json, contextlib, urllib…) is counted with its
# callers, in proportion to the own time each caller caused (pstats keeps it per caller).
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("/httpx/", _HTTP),
    ("/httpcore/", _HTTP),
    ("/h11/", _HTTP),
    ("/anyio/", _HTTP),
    ("/sniffio/", _HTTP),
    ("/bot/telegram/pacing.py", _LIMITER),
    ("/telegram/ext/_aioratelimiter.py", _LIMITER),
    ("/aiolimiter/", _LIMITER),
    ("/bot/engine/", "bot.engine (dialogue engine)"),
    ("/bot/usecases/", "bot.usecases"),
    ("/bot/storage/", "bot.storage (Python side: rows, JSON, AES-GCM calls)"),
    ("/bot/telegram/", "bot.telegram (handlers, rendering, keyboards)"),
    ("/bot/", "bot (other: i18n, logs)"),
    ("/telegram/request/", _CALLS),
    ("/telegram/_bot.py", _CALLS),
    ("/telegram/ext/_extbot.py", _CALLS),
    ("/telegram/ext/", "PTB ext: updater, dispatch, handlers, filters"),
    ("/telegram/", _OBJECTS),
    ("/aiosqlite/", "aiosqlite hand-offs (main side: futures, queue, results)"),
    ("/asyncio/", "asyncio loop: scheduling and socket I/O"),
    ("/benchmarks/", "benchmarks (the probe's done line)"),
    ("/logging/", "logging"),
    ("/cryptography/", "cryptography"),
    ("/babel/", "babel"),
)

# Functions whose cumulative CPU answers "where does a turn go" beyond own time.
KEY_FUNCTIONS: tuple[tuple[str, str, str], ...] = (
    ("/telegram/ext/_updater.py", "polling_action_cb", "incoming: a getUpdates round"),
    ("/telegram/_update.py", "de_json", "  of which: Update.de_json"),
    ("/telegram/_bot.py", "_post", "Bot._post: every call, getUpdates included"),
    ("/telegram/_bot.py", "get_updates", "  of which: Bot.get_updates"),
    ("/telegram/request/_baserequest.py", "post", "BaseRequest.post: HTTP and JSON of calls"),
    ("/telegram/ext/_application.py", "process_update", "Application.process_update"),
    ("/aiosqlite/core.py", "_execute", "aiosqlite Connection._execute (main side)"),
)


class Census:
    """Counts between `start()` and `stop()`; see the module doc."""

    def __init__(self) -> None:
        self.statements: Counter[str] = Counter()
        self.commits = 0
        self.handoffs = 0
        self.wakeups = 0
        self._connections: list[aiosqlite.Connection] = []
        self._direct: list[sqlite3.Connection] = []
        self._patches: list[Any] = []
        self._profile = cProfile.Profile(time.thread_time)

    async def start(self) -> None:
        """Trace every open aiosqlite connection, wrap the hand-offs, start the profiler."""
        self._connections = [c for c in gc.get_objects() if isinstance(c, aiosqlite.Connection)]
        for connection in self._connections:
            await connection.set_trace_callback(self._tracer(connection))
        # The storage's own sqlite3 connections (reader, writer), not those inside aiosqlite.
        wrapped = {id(getattr(c, "_conn", None)) for c in self._connections}
        self._direct = [
            c
            for c in gc.get_objects()
            if isinstance(c, sqlite3.Connection) and id(c) not in wrapped
        ]
        for direct in self._direct:
            with contextlib.suppress(sqlite3.ProgrammingError):  # closed meanwhile
                direct.set_trace_callback(self._tracer(direct))
        original: Callable[..., Awaitable[Any]] = aiosqlite.Connection._execute
        hand_off: Callable[..., Any] = Writer._hand_off
        loop = asyncio.get_running_loop()
        threadsafe = loop.call_soon_threadsafe

        async def counted_execute(connection: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
            self.handoffs += 1
            return await original(connection, fn, *args, **kwargs)

        def counted_hand_off(writer: Any, work: Any) -> Any:
            self.handoffs += 1
            return hand_off(writer, work)

        def counted_wakeup(callback: Any, *args: Any, context: Any = None) -> Any:
            self.wakeups += 1
            return threadsafe(callback, *args, context=context)

        self._patches = [
            mock.patch.object(aiosqlite.Connection, "_execute", counted_execute),
            mock.patch.object(Writer, "_hand_off", counted_hand_off),
            mock.patch.object(loop, "call_soon_threadsafe", counted_wakeup),
        ]
        for patch in self._patches:
            patch.start()
        self._profile.enable()

    def _tracer(
        self, connection: aiosqlite.Connection | sqlite3.Connection
    ) -> Callable[[str], None]:
        def traced(sql: str) -> None:
            keyword = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
            self.statements[keyword] += 1
            if keyword == "COMMIT" or (keyword in _WRITES and not connection.in_transaction):
                self.commits += 1

        return traced

    async def stop(self, profile_file: Path) -> dict[str, Any]:
        """Stop counting; the profile goes to `profile_file` (.prof, and a .txt beside it)."""
        self._profile.disable()
        for patch in reversed(self._patches):
            patch.stop()
        for connection in self._connections:
            # A connection closed since has nothing left to untrace.
            with contextlib.suppress(ValueError, sqlite3.ProgrammingError):
                await connection.set_trace_callback(None)  # type: ignore[arg-type]
        for direct in self._direct:
            with contextlib.suppress(sqlite3.ProgrammingError):
                direct.set_trace_callback(None)
        profile_file.parent.mkdir(parents=True, exist_ok=True)
        self._profile.dump_stats(str(profile_file))
        with profile_file.with_suffix(".txt").open("w", encoding="utf-8") as out:
            text = pstats.Stats(self._profile, stream=out)
            out.write("cProfile of the event loop's thread, CPU time (thread_time), raw\n\n")
            text.sort_stats("tottime").print_stats(40)
            text.sort_stats("cumulative").print_stats(60)
        return {
            **await self._handoff_cost(),
            "statements": dict(self.statements.most_common()),
            "statements_total": sum(self.statements.values()),
            "commits": self.commits,
            "handoffs": self.handoffs,
            "loop_wakeups_from_threads": self.wakeups,
            "profile_file": str(profile_file),
        }

    async def _handoff_cost(self, rounds: int = 500) -> dict[str, float]:
        """CPU of one hand-off to aiosqlite's thread and back (both threads, then the event
        loop's alone): `SELECT 1` through the bot's first connection, less the same
        statement run directly on an in-memory sqlite3 connection."""
        if not self._connections:
            return {}
        connection = self._connections[0]
        cpu, main = time.process_time(), time.thread_time()
        for _ in range(rounds):
            await connection.execute_fetchall("SELECT 1")
        cpu, main = time.process_time() - cpu, time.thread_time() - main
        direct = sqlite3.connect(":memory:")
        alone = time.process_time()
        for _ in range(rounds):
            direct.execute("SELECT 1").fetchall()
        alone = time.process_time() - alone
        direct.close()
        return {
            "handoff_cpu_us": 1e6 * (cpu - alone) / rounds,
            "handoff_main_thread_cpu_us": 1e6 * (main - alone) / rounds,
        }


@dataclass(frozen=True)
class Breakdown:
    """A profile's own CPU by category, corrected for the profiler's cost per call."""

    seconds_by_category: dict[str, float]
    raw_share_by_category: dict[str, float]
    raw_share_of_key_functions: dict[str, float]
    overhead_per_call_us: float


def breakdown(profile_file: Path, unprofiled_seconds: float) -> Breakdown:
    """Categories of a profile whose code ran `unprofiled_seconds` of CPU without the
    profiler. cProfile costs about the same on every call, which inflates code made of many
    small calls (the HTTP client) far more than code doing much per call; so a fixed cost per
    call, chosen for the corrected total to equal the unprofiled CPU, is taken off each
    function's own time before the categories are summed (a category never below 0): the
    classic calibration of `profile`, solved from the measurement itself. It is a model:
    a built-in's call costs the profiler less than a Python function's, so code made of
    many built-in calls comes out a little low, and the raw shares are kept beside."""
    stats = pstats.Stats(str(profile_file))
    table = _table(stats)
    raw = sum(entry[2] for entry in table.values())
    calls = sum(entry[1] for entry in table.values())
    overhead = max(0.0, (raw - unprofiled_seconds) / max(1, calls))
    uncorrected = by_category(stats)
    return Breakdown(
        by_category(stats, overhead),
        {name: seconds / max(1e-12, raw) for name, seconds in uncorrected.items()},
        {name: seconds / max(1e-12, raw) for name, seconds in key_functions(stats).items()},
        overhead * 1e6,
    )


def _table(stats: pstats.Stats) -> dict[tuple[str, int, str], tuple[Any, ...]]:
    found: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    return found


def by_category(stats: pstats.Stats, overhead_per_call: float = 0.0) -> dict[str, float]:
    """Own CPU seconds by category (see CATEGORIES), less `overhead_per_call` per call."""
    table = _table(stats)
    shares: dict[tuple[str, int, str], dict[str, float]] = {}

    def share(function: tuple[str, int, str], depth: int = 0) -> dict[str, float]:
        where = function[0]
        direct = next((label for part, label in CATEGORIES if part in where), None)
        if direct is not None:
            return {direct: 1.0}
        if function in shares:
            return shares[function]
        shares[function] = {"other": 1.0}  # until known: cycles and deep chains end here
        callers: dict[tuple[str, int, str], tuple[Any, ...]] = (
            table[function][4] if function in table else {}
        )
        weights = {
            caller: max(0.0, entry[2] - overhead_per_call * entry[1])
            for caller, entry in callers.items()
        }
        total = sum(weights.values())
        if total <= 0 or depth > 40:
            return shares[function]
        mixed: dict[str, float] = {}
        for caller, weight in weights.items():
            for label, part in share(caller, depth + 1).items():
                mixed[label] = mixed.get(label, 0.0) + part * weight / total
        shares[function] = mixed
        return shares[function]

    totals: dict[str, float] = {}
    for function, (_, calls, own, _, _) in table.items():
        corrected = own - overhead_per_call * calls
        for label, part in share(function).items():
            totals[label] = totals.get(label, 0.0) + corrected * part
    kept = {label: max(0.0, seconds) for label, seconds in totals.items()}
    return dict(sorted(kept.items(), key=lambda item: -item[1]))


def key_functions(stats: pstats.Stats) -> dict[str, float]:
    """Cumulative CPU seconds of KEY_FUNCTIONS (0 for those never called)."""
    found = dict.fromkeys((label for _, _, label in KEY_FUNCTIONS), 0.0)
    for (filename, _, function), (_, _, _, cumulative, _) in _table(stats).items():
        for part, name, label in KEY_FUNCTIONS:
            if function == name and part in filename:
                found[label] += cumulative
    return found
