"""Phase «http»: the turns of phase 1, production-shaped: over real HTTP on loopback.

Each bot (ours, and the bare PTB echo) runs in its own fresh process (http_child.py) and
long-polls its own fake Bot API server (`tests/fakegram`, aiohttp on 127.0.0.1, port 0) run
here, in the benchmark's process. The persons are scripted here too: one update at a time,
the next one pushed once the bot reported the previous one done. The echo is sent the very
same updates ours was sent (texts, button presses with ours' keyboard message in them).
Rounds alternate (ours, echo, ours…) so that a drift of the machine touches both alike.

What each figure is:
- CPU per update: the bot process's CPU (`time.process_time`, every thread: the event loop
  and aiosqlite's SQLite thread), read by the bot itself when the driver marks the start of a
  round and after each update; a round's CPU divided by its updates. It includes receiving
  the update (getUpdates over HTTP, JSON, `Update.de_json`), the handlers, every Bot API call
  over HTTP and the next getUpdates request. The fake server's CPU is not in it.
- Bot API calls per update: counted by the fake server, by method; getUpdates apart.
- Calls per journey: ours' calls by method during each dialogue, per person.
- Latency: from pushing the update into the fake server to the bot's "done" line, as seen
  here; it includes the fake server's own work, unlike phase 1's latency inside the bot.
- Census: statements, hand-offs, commits and a CPU profile, over a few more persons after the
  measured rounds (the counting wrappers are off during the rounds); then fsync and
  fdatasync calls per update, counted by strace over one more person (if strace may attach).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Self, TypeVar

from benchmarks import RESULTS, ROOT, census, journeys
from benchmarks.apps import PERSONS_PER_WORKER, new_key
from benchmarks.loopback import LoopbackTelegram
from benchmarks.stats import median, percentile
from tests.fakegram import FakeUser
from tests.fakegram.models import Json

T = TypeVar("T")

WARMUP_PERSONS = 2
CENSUS_PERSONS = 2
FSYNC_PERSONS = 1  # walked under strace, after the census (ptrace slows every system call)
PATIENCE = 60.0  # seconds for one line from a bot; a loaded machine is slow, not this slow
DIALOGUES = ("probleme", "idees", "forces")


class Child:
    """One bot process (http_child.py) and its line protocol."""

    def __init__(self, name: str, process: asyncio.subprocess.Process, log: IO[bytes]) -> None:
        self.name = name
        self._process = process
        self._log = log
        self.ready: Json = {}

    @classmethod
    async def start(
        cls, bot: str, server: LoopbackTelegram, workdir: Path, arguments: list[str]
    ) -> Self:
        """Start the bot and wait until it polls."""
        log = _stderr_file(workdir, bot)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks.http_child",
            f"--bot={bot}",
            f"--base-url={server.base_url}",
            f"--token={server.token}",
            f"--dir={workdir}",
            *arguments,
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=log,
        )
        child = cls(bot, process, log)
        child.ready = json.loads(await child.expect("ready", patience=600.0))
        return child

    @property
    def pid(self) -> int:
        return self._process.pid

    async def expect(self, word: str, patience: float = PATIENCE) -> str:
        """The rest of the next line, which must start with `word`."""
        assert self._process.stdout is not None
        try:
            raw = await asyncio.wait_for(self._process.stdout.readline(), patience)
        except TimeoutError:
            raise RuntimeError(f"{self.name}: no {word!r} within {patience} s") from None
        line = raw.decode("utf-8").strip()
        found, _, rest = line.partition(" ")
        if found != word:
            raise RuntimeError(f"{self.name}: expected {word!r}, got {line!r}\n{self.stderr()}")
        return rest

    def stderr(self) -> str:
        """The end of what the bot wrote on stderr (tracebacks, warnings)."""
        self._log.flush()
        return Path(self._log.name).read_text(encoding="utf-8", errors="replace")[-3000:]

    async def tell(self, command: str) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(f"{command}\n".encode())
        await self._process.stdin.drain()

    async def mark(self) -> tuple[int, int]:
        """The bot's process and main-thread CPU now (ns)."""
        await self.tell("mark")
        process, main = (await self.expect("mark")).split()
        return int(process), int(main)

    async def done(self, update_id: int) -> tuple[int, int]:
        """Wait for the bot to finish `update_id`; its process and main-thread CPU then."""
        found, process, main = (await self.expect("done")).split()
        if int(found) != update_id:
            raise RuntimeError(f"{self.name}: finished update {found}, expected {update_id}")
        return int(process), int(main)

    async def stop(self) -> Json:
        """Ask the bot to stop; its final report."""
        await self.tell("stop")
        report: Json = json.loads(await self.expect("report"))
        await asyncio.wait_for(self._process.wait(), PATIENCE)
        self._log.close()
        return report

    async def kill(self) -> None:
        """If still running (a failed run), end it."""
        if self._process.returncode is None:
            self._process.kill()
            await self._process.wait()
        self._log.close()


def _stderr_file(workdir: Path, bot: str) -> IO[bytes]:
    workdir.mkdir(parents=True, exist_ok=True)
    return (workdir / f"{bot}.stderr").open("wb")


@dataclass
class Round:
    """One bot's figures over one round."""

    cpu_ns: int = 0
    main_ns: int = 0
    walls: list[float] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)

    @property
    def updates(self) -> int:
        return len(self.walls)

    @property
    def cpu_ms_per_update(self) -> float:
        return self.cpu_ns / 1e6 / max(1, self.updates)


def _dialogues(tag: str) -> list[tuple[str, list[journeys.Step]]]:
    return [
        ("probleme", journeys.probleme(tag)),
        ("idees", journeys.idees(tag)),
        ("forces", journeys.forces(tag)),
    ]


async def ours_round(
    server: LoopbackTelegram,
    child: Child,
    users: list[FakeUser],
    tag: str,
    per_dialogue: dict[str, Counter[str]],
) -> tuple[Round, list[tuple[str, Json]]]:
    """`users` walk the three dialogues with our bot, one update at a time; the round's
    figures, and the updates sent (to replay to the echo)."""
    first_push = len(server.world.pushed)
    calls_before = server.calls.copy()
    cpu0, main0 = cpu, main = await child.mark()
    found = Round()
    for user in users:
        for dialogue, steps in _dialogues(f"{tag}{user.id}"):
            dialogue_calls = server.calls.copy()
            for action, argument in steps:
                if action == "send":
                    clock = time.perf_counter()
                    await user.send(argument)
                else:
                    message, data = server.button(user, argument)
                    clock = time.perf_counter()
                    server.press(user, message, data)
                cpu, main = await child.done(len(server.world.pushed))
                found.walls.append(time.perf_counter() - clock)
            per_dialogue[dialogue] += server.calls - dialogue_calls
    found.cpu_ns, found.main_ns = cpu - cpu0, main - main0
    found.calls = server.calls - calls_before
    return found, server.world.pushed[first_push:]


async def echo_round(
    server: LoopbackTelegram, child: Child, updates: list[tuple[str, Json]]
) -> Round:
    """The same updates, to the echo bot."""
    calls_before = server.calls.copy()
    cpu0, main0 = cpu, main = await child.mark()
    found = Round()
    for kind, payload in updates:
        clock = time.perf_counter()
        server.replay(kind, payload)
        cpu, main = await child.done(len(server.world.pushed))
        found.walls.append(time.perf_counter() - clock)
    found.cpu_ns, found.main_ns = cpu - cpu0, main - main0
    found.calls = server.calls - calls_before
    return found


def _spread(values: list[float]) -> dict[str, float]:
    return {
        "min": min(values, default=0.0),
        "median": median(values),
        "max": max(values, default=0.0),
    }


def summary(rounds: list[Round]) -> dict[str, Any]:
    """A bot's figures over its rounds: CPU per update as min/median/max of the rounds."""
    updates = max(1, sum(r.updates for r in rounds))
    calls: Counter[str] = sum((r.calls for r in rounds), Counter())
    walls = [wall for r in rounds for wall in r.walls]
    outgoing = sum(count for method, count in calls.items() if method != "getUpdates")
    return {
        "updates": updates,
        "cpu_ms_per_update": _spread([r.cpu_ms_per_update for r in rounds]),
        "cpu_ms_per_update_by_round": [r.cpu_ms_per_update for r in rounds],
        "main_thread_cpu_ms_per_update": median(
            [r.main_ns / 1e6 / max(1, r.updates) for r in rounds]
        ),
        "other_threads_cpu_ms_per_update": median(
            [(r.cpu_ns - r.main_ns) / 1e6 / max(1, r.updates) for r in rounds]
        ),
        "calls_per_update": outgoing / updates,
        "get_updates_per_update": calls["getUpdates"] / updates,
        "calls_per_update_by_method": {m: n / updates for m, n in calls.most_common()},
        "latency_ms": {
            "p50": 1000 * percentile(walls, 50),
            "p99": 1000 * percentile(walls, 99),
            "max": 1000 * max(walls, default=0.0),
        },
    }


def census_per_update(counted: Json, updates: int, main_cpu_ms: float) -> Json:
    """The census over `updates` updates, per update. The profile's categories are its own
    CPU corrected for the profiler's cost (census.breakdown); their shares are applied to
    the measured, unprofiled main-thread CPU per update; `raw_share` is the uncorrected
    share (the truth for small categories lies between the two). Key functions: raw
    cProfile shares of cumulative time (nested: they overlap)."""
    n = max(1, updates)
    found = census.breakdown(Path(counted["profile_file"]), main_cpu_ms / 1000 * n)
    total = max(1e-12, sum(found.seconds_by_category.values()))
    return {
        "updates": updates,
        "statements": counted["statements_total"] / n,
        "statements_by_kind": {k: v / n for k, v in counted["statements"].items()},
        "commits": counted["commits"] / n,
        "handoffs": counted["handoffs"] / n,
        "handoff_cpu_us": counted.get("handoff_cpu_us"),
        "handoff_main_thread_cpu_us": counted.get("handoff_main_thread_cpu_us"),
        "handoffs_cpu_us_per_update": counted["handoffs"] / n * counted.get("handoff_cpu_us", 0.0),
        "loop_wakeups_from_threads": counted["loop_wakeups_from_threads"] / n,
        "main_thread_by_category": [
            {
                "category": name,
                "share": seconds / total,
                "us_per_update": 1000 * main_cpu_ms * seconds / total,
                "raw_share": found.raw_share_by_category.get(name, 0.0),
            }
            for name, seconds in found.seconds_by_category.items()
        ],
        "main_thread_key_functions_raw_share": found.raw_share_of_key_functions,
        "profiler_cost_per_call_us": found.overhead_per_call_us,
        "profile_file": str(Path(counted["profile_file"]).with_suffix(".txt")),
    }


async def _census(
    child: Child, walk: Callable[[], Awaitable[Round]], name: str, main_cpu_ms: float
) -> Json:
    """Count and profile one more round, `walk()`; figures per update (census_per_update)."""
    await child.tell("count")
    await child.expect("counting")
    walked = await walk()
    await child.tell(f"uncount {RESULTS / f'profile-http-{name}.prof'}")
    counted = json.loads(await child.expect("counted", patience=300.0))
    return census_per_update(counted, walked.updates, main_cpu_ms)


async def count_fsyncs(pid: int, walk: Callable[[], Awaitable[T]]) -> tuple[int | None, T]:
    """fsync and fdatasync calls of process `pid` (every thread) during `walk()`, counted by
    strace attached to it; None when strace is missing or may not attach."""
    if shutil.which("strace") is None:
        return None, await walk()
    tracer = await asyncio.create_subprocess_exec(
        "strace", "-f", "-c", "-e", "trace=fsync,fdatasync", "-p", str(pid),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert tracer.stderr is not None
    # strace says "Process N attached with T threads", or one "attached" line per thread.
    threads, attached = len(os.listdir(f"/proc/{pid}/task")), 0
    with contextlib.suppress(TimeoutError):
        while attached < threads:
            line = await asyncio.wait_for(tracer.stderr.readline(), 10.0)
            if b"attached" not in line:
                break
            attached = threads if b" threads" in line else attached + 1
    if attached < threads:
        if tracer.returncode is None:
            tracer.kill()
        await tracer.wait()
        return None, await walk()
    walked = await walk()
    tracer.send_signal(signal.SIGINT)
    summary = (await asyncio.wait_for(tracer.stderr.read(), 30.0)).decode(errors="replace")
    await tracer.wait()
    calls = [line.split() for line in summary.splitlines()]
    return sum(
        int(parts[3]) for parts in calls if len(parts) >= 5 and parts[-1] in ("fsync", "fdatasync")
    ), walked


async def run(workdir: Path, persons: int, rounds: int) -> dict[str, Any]:
    """`persons` persons through the three dialogues over HTTP, in `rounds` rounds per bot."""
    total = WARMUP_PERSONS + persons + CENSUS_PERSONS + FSYNC_PERSONS
    async with LoopbackTelegram() as ours_server, LoopbackTelegram() as echo_server:
        users = [ours_server.person(f"P{index}") for index in range(total)]
        workers = [ours_server.person(f"W{i}") for i in range(0, total, PERSONS_PER_WORKER)]
        # Same order, same ids: the echo's chats are the persons' chats.
        echo_users = [echo_server.person(f"P{index}") for index in range(total)]
        assert [u.id for u in users] == [u.id for u in echo_users]
        children: list[Child] = []
        try:
            ours = await Child.start(
                "ours",
                ours_server,
                workdir / "http-ours",
                [
                    f"--key={new_key()}",
                    f"--persons={json.dumps([u.id for u in users])}",
                    f"--workers={json.dumps([w.id for w in workers])}",
                ],
            )
            children.append(ours)
            echo = await Child.start("echo", echo_server, workdir / "http-echo", [])
            children.append(echo)

            scratch: dict[str, Counter[str]] = {d: Counter() for d in DIALOGUES}
            _, warm = await ours_round(ours_server, ours, users[:WARMUP_PERSONS], "w", scratch)
            await echo_round(echo_server, echo, warm)

            measured = users[WARMUP_PERSONS : WARMUP_PERSONS + persons]
            per_dialogue: dict[str, Counter[str]] = {d: Counter() for d in DIALOGUES}
            ours_rounds: list[Round] = []
            echo_rounds: list[Round] = []
            for index in range(rounds):
                found, sent = await ours_round(
                    ours_server, ours, measured[index::rounds], "p", per_dialogue
                )
                ours_rounds.append(found)
                echo_rounds.append(await echo_round(echo_server, echo, sent))

            ours_figures, echo_figures = summary(ours_rounds), summary(echo_rounds)
            counted_users = users[WARMUP_PERSONS + persons : -FSYNC_PERSONS]
            counted_updates: list[tuple[str, Json]] = []

            async def counted_walk() -> Round:
                found, sent = await ours_round(ours_server, ours, counted_users, "c", scratch)
                counted_updates.extend(sent)
                return found

            ours_census = await _census(
                ours, counted_walk, "ours", ours_figures["main_thread_cpu_ms_per_update"]
            )
            echo_census = await _census(
                echo,
                lambda: echo_round(echo_server, echo, counted_updates),
                "echo",
                echo_figures["main_thread_cpu_ms_per_update"],
            )
            fsyncs, (synced, _) = await count_fsyncs(
                ours.pid,
                lambda: ours_round(ours_server, ours, users[-FSYNC_PERSONS:], "f", scratch),
            )
            ours_census["fsyncs"] = None if fsyncs is None else fsyncs / max(1, synced.updates)
            ours_report = await ours.stop()
            echo_report = await echo.stop()
        finally:
            for child in children:
                await child.kill()

    ratios = [
        o.cpu_ms_per_update / e.cpu_ms_per_update
        for o, e in zip(ours_rounds, echo_rounds, strict=True)
        if e.cpu_ms_per_update > 0
    ]
    return {
        "persons": persons,
        "rounds": rounds,
        "updates_per_person": len(journeys.full("x")),
        "transport": "HTTP/1.1 on 127.0.0.1 to tests/fakegram (aiohttp), long polling",
        "sniffio_installed": {"ours": ours.ready["sniffio"], "echo": echo.ready["sniffio"]},
        "ours": ours_figures,
        "echo": echo_figures,
        "cpu_ratio": _spread(ratios),
        "cpu_ratio_by_round": ratios,
        "calls_per_person_by_dialogue_ours": {
            dialogue: {m: n / max(1, persons) for m, n in counter.most_common()}
            for dialogue, counter in per_dialogue.items()
        },
        "census": {"ours": ours_census, "echo": echo_census},
        "peak_rss_kib": {"ours": ours_report["peak_rss_kib"], "echo": echo_report["peak_rss_kib"]},
        "persons_with_all_dialogues_finished": ours_report["persons_with_all_dialogues_finished"],
        "persons_walked": total,
        "errors_logged": ours_report["errors_logged"] + echo_report["errors_logged"],
        "first_error": ours_report["first_error"] or echo_report["first_error"],
        "latency_note": "push into the fake server -> the bot's done line, seen by the driver",
    }
