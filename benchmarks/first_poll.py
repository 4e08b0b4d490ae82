"""Phase «startup»: a whole bot process, from its start to its first getUpdates.

Ours starts as in production, `python -m bot run` (the `equipage run` command: imports,
settings, data lock, `build_services`, `build_application`, `run_polling`: initialize with
getMe, post_init with storage and setMyCommands, then polling); the bare PTB echo starts as
`python -m benchmarks.echo_bot`, PTB's defaults and `run_polling`. Both talk over HTTP to a
fresh fake Bot API server (`tests/fakegram`) in this process.

What each figure is:
- Start to first getUpdates: from just before the process is spawned to the moment the fake
  server received the bot's first getUpdates, in seconds of wall time. Rounds alternate
  (ours, echo, ours…); each round is a new process.
- CPU to first getUpdates: the process's user + system CPU (every thread) read from /proc
  at that moment, in clock ticks (10 ms): less moved by a loaded machine than wall time.
- Peak RSS: the process's VmHWM (peak resident memory) read from /proc at that moment.
- First start: ours' first round opens an empty database (migrations run); it is reported
  apart and left out of the ratios, as is the echo's first round (a cold file cache).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import IO, Any

from benchmarks import ROOT
from benchmarks.apps import new_key
from benchmarks.loopback import LoopbackTelegram
from benchmarks.stats import median
from bot.telegram.startup import ALLOWED_UPDATES

PATIENCE = 120.0


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of every thread of `pid` so far (/proc/PID/stat, in clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stderr_file(directory: Path, name: str) -> IO[bytes]:
    directory.mkdir(parents=True, exist_ok=True)
    return (directory / f"{name}.stderr").open("wb")


def command(bot: str, server: LoopbackTelegram) -> list[str]:
    if bot == "ours":
        return [sys.executable, "-m", "bot", "run"]
    return [
        sys.executable,
        "-m",
        "benchmarks.echo_bot",
        f"--token={server.token}",
        f"--base-url={server.base_url}",
        f"--allowed-updates={json.dumps(ALLOWED_UPDATES)}",
    ]


def environment(server: LoopbackTelegram, directory: Path, key: str) -> dict[str, str]:
    """Ours' configuration, as an operator's .env would give it (the echo ignores it)."""
    kept = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return kept | {
        "TELEGRAM_BOT_TOKEN": server.token,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "EQUIPAGE_DATABASE": str(directory / "equipage.sqlite3"),
        "EQUIPAGE_DATA_KEY": key,
        "EQUIPAGE_DIALOGS": str(ROOT / "dialogs"),
        "EQUIPAGE_TIMEZONE": "Europe/Paris",
    }


async def start_once(bot: str, directory: Path, key: str) -> dict[str, Any]:
    """One fresh process of `bot` ("ours" or "echo") until its first getUpdates."""
    async with LoopbackTelegram() as server:
        log = _stderr_file(directory, bot)
        try:
            started = time.perf_counter()
            process = await asyncio.create_subprocess_exec(
                *command(bot, server),
                cwd=ROOT,
                env=environment(server, directory, key),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
            try:
                polled = await server.wait_for(
                    lambda: server.first_get_updates, timeout=PATIENCE, message=f"{bot} polls"
                )
                assert polled is not None  # wait_for fails otherwise
                figures = {
                    "seconds": polled - started,
                    "cpu_seconds": _cpu_seconds(process.pid),
                    "peak_rss_kib": _status_kib(process.pid, "VmHWM"),
                    "rss_kib": _status_kib(process.pid, "VmRSS"),
                    "calls_before_polling": dict(server.calls.most_common()),
                }
                process.send_signal(signal.SIGTERM)  # run_polling stops cleanly on it
                await asyncio.wait_for(process.wait(), PATIENCE)
            finally:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
        finally:
            log.close()
    figures["exit_code"] = process.returncode
    return figures


def _spread(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": median(values), "max": max(values)}


async def run(directory: Path, rounds: int) -> dict[str, Any]:
    """`rounds` measured starts of each bot, alternating, after one first start of each."""
    key = new_key()
    first = {
        "ours": await start_once("ours", directory, key),
        "echo": await start_once("echo", directory, key),
    }
    ours: list[dict[str, Any]] = []
    echo: list[dict[str, Any]] = []
    for _ in range(rounds):
        ours.append(await start_once("ours", directory, key))
        echo.append(await start_once("echo", directory, key))

    def seconds(found: list[dict[str, Any]]) -> list[float]:
        return [entry["seconds"] for entry in found]

    def cpu(found: list[dict[str, Any]]) -> list[float]:
        return [entry["cpu_seconds"] for entry in found]

    def peak_mb(found: list[dict[str, Any]]) -> list[float]:
        return [entry["peak_rss_kib"] * 1024 / 1e6 for entry in found]

    return {
        "rounds": rounds,
        "ours_seconds": _spread(seconds(ours)),
        "echo_seconds": _spread(seconds(echo)),
        "seconds_ratio": _spread(
            [o / e for o, e in zip(seconds(ours), seconds(echo), strict=True)]
        ),
        "ours_cpu_seconds": _spread(cpu(ours)),
        "echo_cpu_seconds": _spread(cpu(echo)),
        "cpu_seconds_ratio": _spread(
            [o / e for o, e in zip(cpu(ours), cpu(echo), strict=True) if e > 0] or [0.0]
        ),
        "ours_peak_rss_mb": _spread(peak_mb(ours)),
        "echo_peak_rss_mb": _spread(peak_mb(echo)),
        "peak_rss_ratio": _spread(
            [o / e for o, e in zip(peak_mb(ours), peak_mb(echo), strict=True)]
        ),
        "first_start": first,
        "calls_before_polling": {
            "ours": ours[-1]["calls_before_polling"],
            "echo": echo[-1]["calls_before_polling"],
        },
        "exit_codes": sorted({entry["exit_code"] for entry in ours + echo}),
        "by_round": {"ours": ours, "echo": echo},
    }
