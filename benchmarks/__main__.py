"""`python -m benchmarks [--quick] [--only turns,memory] [--profile]`: run, print, save."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks import (
    RESULTS,
    concurrency,
    first_poll,
    http_turns,
    memory,
    pictures,
    report,
    scale,
    turns,
)
from benchmarks.apps import setup_logging

PHASES = ("turns", "http", "startup", "concurrency", "memory", "scale", "pictures")


@dataclass(frozen=True)
class Sizes:
    """How big each phase is."""

    turn_persons: int
    turn_rounds: int
    http_persons: int
    http_rounds: int
    startup_rounds: int
    crowd: int
    crowd_answers: int
    memory_persons: int
    memory_wave: int
    scale_persons: int
    summary_samples: int
    picture_samples: int


FULL = Sizes(120, 6, 36, 6, 7, 1000, 8, 10_000, 1000, 100_000, 30, 30)
# The crowd is 1,000 persons in both: the throughput target is for 1,000 at once.
QUICK = Sizes(12, 3, 6, 3, 3, 1000, 4, 1000, 500, 10_000, 10, 10)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller run, for development")
    parser.add_argument("--only", default=",".join(PHASES), help=f"phases among {PHASES}")
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile the turn loop (turns phase)"
    )
    parser.add_argument(
        "--workdir", type=Path, default=RESULTS, help="where the temporary databases go"
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen phases, print the table, save the JSON."""
    args = _arguments(argv)
    chosen = [phase.strip() for phase in args.only.split(",") if phase.strip()]
    unknown = sorted(set(chosen) - set(PHASES))
    if unknown:
        print(f"unknown phase(s): {', '.join(unknown)}; choose among {', '.join(PHASES)}")
        return 2
    sizes = QUICK if args.quick else FULL
    setup_logging()
    args.workdir.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="work-", dir=args.workdir))
    profile = RESULTS / "profile-turns.prof" if args.profile else None

    runs: dict[str, Callable[[], dict[str, Any]]] = {
        "turns": lambda: asyncio.run(
            turns.run(workdir / "turns", sizes.turn_persons, sizes.turn_rounds, profile)
        ),
        "http": lambda: asyncio.run(
            http_turns.run(workdir / "http", sizes.http_persons, sizes.http_rounds)
        ),
        "startup": lambda: asyncio.run(first_poll.run(workdir / "startup", sizes.startup_rounds)),
        "concurrency": lambda: asyncio.run(
            concurrency.run(workdir / "concurrency", sizes.crowd, sizes.crowd_answers)
        ),
        "memory": lambda: memory.run(workdir, sizes.memory_persons, sizes.memory_wave),
        "scale": lambda: scale.run(workdir, sizes.scale_persons, sizes.summary_samples),
        "pictures": lambda: pictures.run(sizes.picture_samples),
    }
    results: dict[str, Any] = {}
    durations: dict[str, float] = {}
    failures: dict[str, str] = {}
    try:
        for phase in PHASES:
            if phase not in chosen:
                continue
            print(f"… {phase}", file=sys.stderr, flush=True)
            started = time.perf_counter()
            try:
                results[phase] = runs[phase]()
            except Exception:  # one broken phase must not hide the others' figures
                traceback.print_exc()
                failures[phase] = traceback.format_exc(limit=3).strip().splitlines()[-1]
            durations[phase] = round(time.perf_counter() - started, 1)
    finally:
        if args.keep:
            print(f"databases kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    lines = report.rows(results) + [
        report.Row(f"Phase {phase}", f"FAILED: {why}") for phase, why in failures.items()
    ]
    print()
    print(report.table(lines))
    options = {
        "quick": args.quick,
        "phases": chosen,
        "sizes": asdict(sizes),
        "seconds": durations,
        "failures": failures,
    }
    path = report.save(RESULTS, results, lines, options)
    print(f"\nResults: {path}")
    if "turns" in results and results["turns"].get("profile"):
        print(f"Profile of the turn loop: {results['turns']['profile']}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
