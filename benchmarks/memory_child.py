"""Runs in a fresh interpreter (see memory.py): our bot with many persons each in the middle
of a dialogue, every one of them answering once; prints the process's resident memory.

Only the standard library is imported at module level, so the first reading is a bare
interpreter's.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
from pathlib import Path
from typing import Any


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--persons", type=int, required=True)
    parser.add_argument("--first-uid", type=int, required=True)
    parser.add_argument("--wave", type=int, default=1000)
    return parser.parse_args()


def _kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def main() -> None:
    """Measure and print."""
    args = _arguments()
    bare = _kib("VmRSS")
    print(json.dumps(asyncio.run(_measure(args, bare))))


def _answer(uid: int) -> str:
    return f"Titre choisi par {uid}"


async def _measure(args: argparse.Namespace, bare: int) -> dict[str, Any]:
    from benchmarks.apps import (
        ERRORS,
        Probe,
        bench_settings,
        services_of,
        setup_logging,
        start_ours,
        stop_ours,
        submit_all,
    )
    from benchmarks.fakebot import FakeBotApi, SimUser

    setup_logging()
    imported = _kib("VmRSS")
    settings = bench_settings(args.dir, args.key, production_pacing=True)
    # Nothing is kept of what the bot sends: the fake Bot API must not weigh on the reading.
    api = FakeBotApi(keep=0)
    probe = Probe()
    app = await start_ours(settings, api, probe=probe)
    await app.start()
    gc.collect()
    idle = _kib("VmRSS")

    completed = 0
    for start in range(0, args.persons, args.wave):
        uids = range(
            args.first_uid + start + 1, args.first_uid + min(start + args.wave, args.persons) + 1
        )
        updates = [SimUser(api, uid).text(_answer(uid)) for uid in uids]
        await submit_all(app, probe, updates, 300.0)
        completed += len(probe.done)
        probe.done.clear()
        del updates
    after = _kib("VmRSS")
    peak = _kib("VmHWM")
    gc.collect()
    after_gc = _kib("VmRSS")

    services = services_of(app)
    answered = 0
    sample = random.Random(3).sample(range(1, args.persons + 1), min(50, args.persons))
    for pid in sample:
        uid = args.first_uid + pid
        person = await services.storage.person_by_account(f"telegram:{uid}")
        run = None if person is None else await services.storage.active_run(person.id, "probleme")
        answered += run is not None and run.state["answers"].get("titre") == _answer(uid)
    await stop_ours(app)
    return {
        "persons": args.persons,
        "updates_completed": completed,
        "sample_checked": len(sample),
        "sample_answer_stored": answered,
        "errors_logged": ERRORS.count,
        "first_error": ERRORS.first,
        "rss_kib": {
            "bare_interpreter": bare,
            "after_imports": imported,
            "idle_after_start": idle,
            "after_all_answered": after,
            "after_all_answered_gc": after_gc,
            "peak": peak,
        },
    }


if __name__ == "__main__":
    main()
