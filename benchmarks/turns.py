"""Phase 1: the cost of one turn, ours against a bare PTB echo bot, side by side.

Persons walk the three dialogues through our real Application, one update at a time; every
update they sent is recorded and then replayed, identical, to the echo bot (and to the echo
bot that also writes each update once to SQLite, as a reference). Rounds alternate (ours,
echo, durable echo, ours…) so that a drift of the machine touches them alike.
"""

from __future__ import annotations

import cProfile
import gc
import importlib
import io
import pstats
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import journeys
from benchmarks.apps import (
    ERRORS,
    Fed,
    bench_settings,
    drain_outbox,
    feed,
    join_persons,
    new_key,
    services_of,
    start_echo,
    start_ours,
    stop_echo,
    stop_ours,
)
from benchmarks.fakebot import FakeBotApi, Json, SimUser
from benchmarks.stats import median, percentile
from bot.telegram.app import App

WARMUP_PERSONS = 2


@dataclass
class Tally:
    """Timings of a series of updates fed one by one."""

    walls: list[float] = field(default_factory=list)
    cpu: float = 0.0
    main_cpu: float = 0.0
    calls: int = 0
    by_step: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    def add(self, fed: Fed, step: str | None = None) -> None:
        self.walls.append(fed.wall)
        self.cpu += fed.cpu
        self.main_cpu += fed.main_cpu
        if step is not None:
            self.by_step.setdefault(step, []).append((fed.wall, fed.cpu))

    def slowest_steps(self, count: int = 6) -> list[dict[str, Any]]:
        """The journey steps with the highest median wall time."""
        found: list[dict[str, Any]] = [
            {
                "step": step,
                "wall_p50_ms": 1000 * median([wall for wall, _ in timings]),
                "wall_p99_ms": 1000 * percentile([wall for wall, _ in timings], 99),
                "cpu_mean_ms": 1000 * sum(cpu for _, cpu in timings) / len(timings),
            }
            for step, timings in self.by_step.items()
        ]
        return sorted(found, key=lambda entry: -entry["wall_p50_ms"])[:count]

    @property
    def count(self) -> int:
        return len(self.walls)

    @property
    def cpu_per_update(self) -> float:
        return self.cpu / max(1, self.count)

    def summary(self) -> dict[str, float]:
        n = max(1, self.count)
        return {
            "updates": self.count,
            "cpu_ms_per_update": 1000 * self.cpu / n,
            "main_thread_cpu_ms_per_update": 1000 * self.main_cpu / n,
            "other_threads_cpu_ms_per_update": 1000 * (self.cpu - self.main_cpu) / n,
            "wall_p50_ms": 1000 * percentile(self.walls, 50),
            "wall_p90_ms": 1000 * percentile(self.walls, 90),
            "wall_p99_ms": 1000 * percentile(self.walls, 99),
            "wall_max_ms": 1000 * max(self.walls, default=0.0),
            "api_calls_per_update": self.calls / n,
        }


async def walk(app: App, user: SimUser, steps: list[journeys.Step], sent: list[Json]) -> Tally:
    """One person through `steps`; the updates they sent are appended to `sent`."""
    tally = Tally()
    calls = user.api.total_calls()
    names = journeys.labels() if len(steps) == len(journeys.labels()) else None
    for index, (action, argument) in enumerate(steps):
        data = user.text(argument) if action == "send" else user.press(argument)
        sent.append(data)
        tally.add(await feed(app, data), None if names is None else names[index])
    tally.calls = user.api.total_calls() - calls
    return tally


async def replay(app: App, api: FakeBotApi, updates: list[Json]) -> Tally:
    """The same updates, to another bot."""
    tally = Tally()
    calls = api.total_calls()
    for data in updates:
        tally.add(await feed(app, data))
    tally.calls = api.total_calls() - calls
    return tally


def merge(tallies: list[Tally]) -> Tally:
    total = Tally()
    for tally in tallies:
        total.walls += tally.walls
        total.cpu += tally.cpu
        total.main_cpu += tally.main_cpu
        total.calls += tally.calls
        for step, timings in tally.by_step.items():
            total.by_step.setdefault(step, []).extend(timings)
    return total


async def run(workdir: Path, persons: int, rounds: int, profile_to: Path | None) -> dict[str, Any]:
    """Walk `persons` persons through the three dialogues, in `rounds` alternating rounds."""
    settings = bench_settings(workdir, new_key())
    api = FakeBotApi(keep=8)
    ours = await start_ours(settings, api)
    echo_api = FakeBotApi(keep=2)
    echo = await start_echo(echo_api)
    durable_api = FakeBotApi(keep=2)
    durable = await start_echo(durable_api, workdir / "echo.sqlite3")
    errors_before = ERRORS.count
    try:
        services = services_of(ours)
        profile_persons = 20 if profile_to is not None else 0
        users = await join_persons(
            services, api, WARMUP_PERSONS + persons + profile_persons, first_uid=100_000_000
        )
        await drain_outbox(services)

        # Warm-up: first calls fill caches (regexes, fonts, catalogues, SQLite's page cache).
        warm: list[Json] = []
        for user in users[:WARMUP_PERSONS]:
            await walk(ours, user, journeys.full(f"w{user.id}"), warm)
        await replay(echo, echo_api, warm)
        await replay(durable, durable_api, warm)

        measured = users[WARMUP_PERSONS : WARMUP_PERSONS + persons]
        ours_rounds: list[Tally] = []
        echo_rounds: list[Tally] = []
        durable_rounds: list[Tally] = []
        for index in range(rounds):
            group = measured[index::rounds]
            sent: list[Json] = []
            gc.collect()
            walked = [await walk(ours, u, journeys.full(f"p{u.id}"), sent) for u in group]
            ours_rounds.append(merge(walked))
            gc.collect()
            echo_rounds.append(await replay(echo, echo_api, sent))
            gc.collect()
            durable_rounds.append(await replay(durable, durable_api, sent))

        finished = 0
        for user in measured:
            person = await services.storage.person_by_account(user.account)
            assert person is not None
            done = [await services.storage.finished_runs(person.id, d) for d in DIALOGUES]
            finished += all(done)

        profile_text = None
        if profile_to is not None:
            profile_text = await _profile(ours, users[-profile_persons:], profile_to)
    finally:
        await stop_echo(durable)
        await stop_echo(echo)
        await stop_ours(ours)

    ours_total, echo_total = merge(ours_rounds), merge(echo_rounds)
    durable_total = merge(durable_rounds)
    ratios = _ratios(ours_rounds, echo_rounds)
    durable_ratios = _ratios(ours_rounds, durable_rounds)
    return {
        "persons": persons,
        "rounds": rounds,
        "updates_per_person": len(journeys.full("x")),
        "ours": ours_total.summary(),
        "echo": echo_total.summary(),
        "echo_durable": durable_total.summary(),
        # Medians of the rounds' ratios: a burst of load elsewhere on the machine moves one
        # round, not the figure.
        "cpu_ratio": median(ratios),
        "cpu_ratio_of_totals": ours_total.cpu_per_update / max(1e-12, echo_total.cpu_per_update),
        "cpu_ratio_by_round": ratios,
        "cpu_ratio_to_durable_echo": median(durable_ratios),
        "slowest_steps_ours": ours_total.slowest_steps(),
        "cpu_ratio_spread": (min(ratios), max(ratios)) if ratios else None,
        "persons_with_all_dialogues_finished": finished,
        "errors_logged": ERRORS.count - errors_before,
        "first_error": ERRORS.first,
        "api_calls_by_method_ours": dict(api.calls.most_common()),
        "profile": profile_text,
        "median_update_wall_ms_by_round": [
            1000 * statistics.median(t.walls) for t in ours_rounds if t.walls
        ],
    }


DIALOGUES = ("probleme", "idees", "forces")


def _ratios(ours: list[Tally], other: list[Tally]) -> list[float]:
    return [
        o.cpu_per_update / t.cpu_per_update
        for o, t in zip(ours, other, strict=True)
        if t.cpu_per_update > 0
    ]


# Where a function's file lives -> the package its own time is counted under.
_PACKAGES = (
    ("/bot/engine/", "bot.engine (dialogue engine)"),
    ("/bot/storage/", "bot.storage (rows, JSON, AES-GCM)"),
    ("/bot/usecases/", "bot.usecases"),
    ("/bot/telegram/", "bot.telegram (handlers, rendering, pacing)"),
    ("/bot/", "bot (other: i18n, logs…)"),
    ("/benchmarks/", "benchmarks (driver, fake Bot API)"),
    ("/telegram/ext/", "PTB telegram.ext (dispatch, filters, limiter)"),
    ("/telegram/", "PTB telegram (objects, (de)serialisation, Bot)"),
    ("/aiosqlite/", "aiosqlite (thread hand-off)"),
    ("/aiolimiter/", "aiolimiter"),
    ("/asyncio/", "asyncio (event loop, futures)"),
    ("/json/", "json"),
    ("/logging/", "logging"),
    ("/cryptography/", "cryptography"),
    ("/babel/", "babel"),
)


def _by_package(stats: pstats.Stats) -> list[tuple[str, float]]:
    totals: dict[str, float] = {}
    table: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    for (filename, _, function), (_, _, own, _, _) in table.items():
        if filename == "~":
            name = f"built-in {function}" if "poll" in function else "built-ins (other)"
        else:
            name = next((label for part, label in _PACKAGES if part in filename), "other Python")
        totals[name] = totals.get(name, 0.0) + own
    return sorted(totals.items(), key=lambda item: -item[1])


async def _profile(app: App, users: list[SimUser], target: Path) -> str:
    """cProfile over more journeys (main thread only: SQLite runs in aiosqlite's thread);
    pyinstrument too, when it is importable (it is not a dependency)."""
    half = len(users) // 2
    profiler = cProfile.Profile()
    sent: list[Json] = []
    profiler.enable()
    for user in users[:half]:
        await walk(app, user, journeys.full(f"q{user.id}"), sent)
    profiler.disable()
    target.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(str(target))
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    out.write(f"{len(sent)} updates profiled (main thread only)\n\n")
    out.write("== own time by package, µs per update (cProfile inflates many small calls) ==\n")
    for name, seconds in _by_package(stats):
        out.write(f"{1e6 * seconds / len(sent):9.1f}  {name}\n")
    out.write("\n== by own time ==\n")
    stats.sort_stats("tottime").print_stats(30)
    out.write("\n== bot/ functions by cumulative time ==\n")
    stats.sort_stats("cumulative").print_stats(r"/bot/", 40)
    try:
        pyinstrument: Any = importlib.import_module("pyinstrument")
    except ImportError:
        out.write("\n(pyinstrument is not installed: no sampling profile)\n")
    else:
        sampler = pyinstrument.Profiler(interval=0.001, async_mode="disabled")
        sent = []
        sampler.start()
        for user in users[half:]:
            await walk(app, user, journeys.full(f"r{user.id}"), sent)
        sampler.stop()
        out.write(f"\n== pyinstrument, {len(sent)} updates ==\n")
        out.write(sampler.output_text(unicode=True, color=False))
    text = out.getvalue()
    target.with_suffix(".txt").write_text(text, encoding="utf-8")
    return str(target.with_suffix(".txt"))
