"""Runs in a fresh interpreter (see scale.py): start-up on a big database, then one person's
summary assembly, the retention scan and the due-reminder scan. Prints one JSON line.

Only the standard library is imported at module level, so the import of the bot is timed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--persons", type=int, required=True)
    parser.add_argument("--first-uid", type=int, required=True)
    parser.add_argument("--samples", type=int, default=30)
    return parser.parse_args()


def main() -> None:
    """Measure and print."""
    args = _arguments()
    started = time.perf_counter()
    import telegram.ext  # noqa: F401 - timed on purpose

    import bot.services
    import bot.telegram.app  # noqa: F401

    imports = time.perf_counter() - started
    print(json.dumps(asyncio.run(_measure(args, imports))))


async def _measure(args: argparse.Namespace, imports: float) -> dict[str, Any]:
    from benchmarks.apps import (
        UncappedPacedRateLimiter,
        bench_settings,
        feed,
        setup_logging,
        stop_ours,
    )
    from benchmarks.fakebot import FakeBotApi, FakeRequest, SimUser
    from benchmarks.stats import median, percentile
    from bot.services import build_services
    from bot.telegram.app import build_application

    setup_logging()
    settings = bench_settings(args.dir, args.key, production_pacing=True)
    api = FakeBotApi(keep=4)
    out: dict[str, Any] = {"imports_s": imports}

    clock = time.perf_counter()
    services = build_services(settings)
    out["build_services_s"] = time.perf_counter() - clock

    clock = time.perf_counter()
    application = build_application(
        services,
        request=FakeRequest(api),
        get_updates_request=FakeRequest(api),
        rate_limiter=UncappedPacedRateLimiter(chat_burst=settings.chat_burst),
    )
    out["build_application_s"] = time.perf_counter() - clock

    clock = time.perf_counter()
    await application.initialize()
    out["initialize_s"] = time.perf_counter() - clock

    clock = time.perf_counter()
    assert application.post_init is not None
    await application.post_init(application)  # storage.open (migrations), jobs
    out["post_init_s"] = time.perf_counter() - clock
    out["startup_s"] = sum(
        out[key]
        for key in ("build_services_s", "build_application_s", "initialize_s", "post_init_s")
    )

    user = SimUser(api, args.first_uid + 1)
    out["first_update_ms"] = 1000 * (await feed(application, user.text("/menu"))).wall
    out["second_update_ms"] = 1000 * (await feed(application, user.text("/menu"))).wall
    await asyncio.sleep(0.5)  # let the start-up purge and scans finish

    storage = services.storage
    retention = []
    for _ in range(5):
        clock = time.perf_counter()
        await services.rights.expired(settings.retention_days)
        retention.append(time.perf_counter() - clock)
    out["retention_scan_ms"] = 1000 * median(retention)

    rng = random.Random(7)
    tr = services.catalogs.translator("fr")
    timings = []
    for person_id in rng.sample(range(1, args.persons + 1), min(args.samples, args.persons)):
        person = await storage.get_person(person_id)
        assert person is not None
        clock = time.perf_counter()
        await services.summaries.prepare(person, tr)
        timings.append(time.perf_counter() - clock)
    out["summary_prepare_ms"] = {
        "samples": len(timings),
        "median": 1000 * median(timings),
        "p95": 1000 * percentile(timings, 95),
        "max": 1000 * max(timings),
    }

    out["reminder_scan"] = await _reminder_scan(storage, settings.database)

    clock = time.perf_counter()
    await stop_ours(application)
    out["shutdown_s"] = time.perf_counter() - clock
    return out


async def _reminder_scan(storage: Any, database: Path) -> dict[str, Any]:
    """The due-reminder scan, three days ahead so that well over 100 reminders are due."""
    with sqlite3.connect(database) as db:
        has_table = bool(
            db.execute("SELECT 1 FROM sqlite_master WHERE name = 'reminders'").fetchone()
        )
        pending = (
            db.execute("SELECT COUNT(*) FROM reminders WHERE status = 'pending'").fetchone()[0]
            if has_table
            else 0
        )
        total = db.execute("SELECT COUNT(*) FROM reminders").fetchone()[0] if has_table else 0
    if not has_table or not hasattr(storage, "due_reminders"):
        return {"measured": False, "why": "no reminders table or no due_reminders() yet"}
    from benchmarks.stats import median, percentile

    when = datetime.now(UTC) + timedelta(days=3)
    timings = []
    rows = 0
    for _ in range(21):
        clock = time.perf_counter()
        found = await storage.due_reminders(when, limit=100)
        timings.append(time.perf_counter() - clock)
        rows = len(found)
    return {
        "measured": True,
        "query": "storage.due_reminders(now + 3 days, limit=100)",
        "rows_returned": rows,
        "reminders_in_table": total,
        "pending_in_table": pending,
        "median_ms": 1000 * median(timings[1:]),
        "p95_ms": 1000 * percentile(timings[1:], 95),
        "first_ms": 1000 * timings[0],
    }


if __name__ == "__main__":
    main()
