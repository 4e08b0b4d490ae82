"""Instructions per update, ours against the bare PTB echo: a figure a busy machine does not move.

`python -m benchmarks.instructions [--persons 2]` runs the in-process turns of phase 1 (the
same journeys, the same fake Bot API) under `valgrind --tool=callgrind`, counting only the
measured turns: instrumentation starts off and is switched on and off around them with
`callgrind_control`, and each part is dumped apart (ours, then the echo replaying exactly the
updates ours received). Every thread is counted (the storage writer's too).

What each figure is:
- instructions per update: user-space instructions executed by the process (CPython, PTB,
  SQLite's C code, OpenSSL…) during the measured updates, divided by their number;
- ratio: ours / echo on the same updates.

`--startup` counts instead a whole process from its start to its first getUpdates, ours
(`python -m bot run`) and the echo, each started under callgrind exactly as the start-up phase
starts them (benchmarks/first_poll.py), against the fake Bot API over HTTP: what the wall
time of that phase shows, without the machine's load in it. The dump is taken when the fake
server has received the first getUpdates; ours' very first start (migrations) is left out.

What it leaves out, by construction: the kernel's work (fsync, futex wake-ups, sockets) and
how fast the instructions run (cache misses, a thread switching cores). CPU time per update
(phase 1, `python -m benchmarks --only turns`) includes both; the gap between the two ratios
is what thread hand-offs and durable commits cost beyond their instructions.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import ROOT, first_poll, journeys
from benchmarks.apps import (
    bench_settings,
    drain_outbox,
    join_persons,
    new_key,
    services_of,
    setup_logging,
    start_echo,
    start_ours,
    stop_echo,
    stop_ours,
)
from benchmarks.fakebot import FakeBotApi, Json
from benchmarks.loopback import LoopbackTelegram
from benchmarks.turns import replay, walk


def _control(*arguments: str, pid: int | None = None) -> None:
    """Ask callgrind (this very process, or `pid`) to zero, dump or switch instrumentation."""
    subprocess.run(
        ["callgrind_control", *arguments, str(pid or os.getpid())],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _measured(persons: int) -> int:
    """Inside valgrind: warm up, then the measured turns; the number of updates."""
    setup_logging()
    workdir = Path(tempfile.mkdtemp(prefix="instructions-"))
    try:
        api, echo_api = FakeBotApi(keep=8), FakeBotApi(keep=2)
        ours = await start_ours(bench_settings(workdir, new_key()), api)
        echo = await start_echo(echo_api)
        services = services_of(ours)
        users = await join_persons(services, api, 1 + persons, first_uid=100_000_000)
        await drain_outbox(services)
        warm: list[Json] = []
        await walk(ours, users[0], journeys.full("w"), warm)
        await replay(echo, echo_api, warm)
        sent: list[Json] = []
        gc.collect()
        _control("--zero")
        _control("--instr=on")
        for user in users[1:]:
            await walk(ours, user, journeys.full(f"p{user.id}"), sent)
        _control("--dump=ours")
        _control("--instr=off")
        gc.collect()
        _control("--zero")
        _control("--instr=on")
        await replay(echo, echo_api, sent)
        _control("--dump=echo")
        _control("--instr=off")
        await stop_echo(echo)
        await stop_ours(ours)
        return len(sent)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


async def _first_poll(bot: str, directory: Path, key: str, folder: Path) -> None:
    """Start `bot` under callgrind; dump its count at its first getUpdates, then kill it."""
    async with LoopbackTelegram() as server:
        process = await asyncio.create_subprocess_exec(
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={folder}/callgrind.out.%p",
            *first_poll.command(bot, server),
            cwd=ROOT,
            env=first_poll.environment(server, directory, key),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            await server.wait_for(
                lambda: server.first_get_updates, timeout=600, message=f"{bot} polls"
            )
            _control(f"--dump={bot}", pid=process.pid)
        finally:
            process.kill()
            await process.wait()


def _startup() -> dict[str, int]:
    """Instructions from start to first getUpdates, ours and the echo."""
    key = new_key()
    with tempfile.TemporaryDirectory(prefix="callgrind-") as folder:
        work = Path(folder)
        first, measured = work / "first", work / "measured"
        first.mkdir()
        measured.mkdir()
        asyncio.run(_first_poll("ours", work / "data", key, first))  # migrations: left out
        asyncio.run(_first_poll("ours", work / "data", key, measured))
        asyncio.run(_first_poll("echo", work / "data", key, measured))
        return _totals(measured)


def _totals(folder: Path) -> dict[str, int]:
    """Each dump's trigger name and instruction total."""
    found: dict[str, int] = {}
    for dump in folder.glob("callgrind.out.*.*"):
        text = dump.read_text(encoding="utf-8", errors="replace")
        trigger = re.search(r"^desc: Trigger: dump (\w+)", text, re.MULTILINE)
        total = re.search(r"^totals: (\d+)", text, re.MULTILINE)
        if trigger and total:
            found[trigger.group(1)] = int(total.group(1))
    return found


def main() -> int:
    """Run this module again under callgrind, then print the figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instructions", description=__doc__)
    parser.add_argument("--persons", type=int, default=2, help="persons walked (45 updates each)")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--startup", action="store_true", help="count from start to first getUpdates instead"
    )
    args = parser.parse_args()
    if args.inside:
        print(f"updates {asyncio.run(_measured(args.persons))}")
        return 0
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        print("valgrind (callgrind) is not installed")
        return 2
    if args.startup:
        found = _startup()
        if set(found) != {"ours", "echo"}:
            print(f"missing dumps: {found}")
            return 1
        started, echoed = found["ours"], found["echo"]
        print(
            f"Start to first getUpdates, instructions: ours {started / 1e6:.0f} M,"
            f" bare PTB echo {echoed / 1e6:.0f} M; ratio {started / echoed:.2f}×"
        )
        return 0
    with tempfile.TemporaryDirectory(prefix="callgrind-") as folder:
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={folder}/callgrind.out.%p",
                sys.executable,
                "-m",
                "benchmarks.instructions",
                "--inside",
                f"--persons={args.persons}",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        counted = re.search(r"^updates (\d+)", done.stdout, re.MULTILINE)
        totals = _totals(Path(folder))
    if done.returncode != 0 or counted is None or set(totals) != {"ours", "echo"}:
        print(done.stdout[-2000:], done.stderr[-2000:])
        return 1
    updates = int(counted.group(1))
    ours, echo = totals["ours"] / updates, totals["echo"] / updates
    print(f"In-process, instructions per update ({updates} updates): ours {ours / 1e6:.2f} M,")
    print(f"bare PTB echo {echo / 1e6:.2f} M; ratio ours / echo {ours / echo:.2f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
