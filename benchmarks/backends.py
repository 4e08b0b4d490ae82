"""The storage cost of a dialogue turn on SQLite and on PostgreSQL, side by side.

`python -m benchmarks.backends [--persons 60] [--turns 20]`. A turn, as the bot does it for
an answer: read the person and their run, then one write transaction saving the new state
(encrypted) and the person's contact time. Measured alone (latency: p50, p99) and with every
person answering at once (throughput), on SQLite (WAL, synchronous=FULL, group commit) and on
a PostgreSQL server started here with fsync on (local socket-less TCP, 127.0.0.1), plus the
statements and round trips PostgreSQL needed per turn. Several replicas: see
benchmarks/replicas.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import asyncpg

from benchmarks.stats import median, percentile
from bot.storage.common import TableStorage
from bot.storage.crypto import Cipher
from bot.storage.postgresql import PostgresStorage
from bot.storage.sqlite import SqliteStorage
from tests.postgres import ThrowawayServer

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ANSWER = "Je cherche un logement depuis six mois, " * 4


async def _turn(storage: TableStorage, account: str, run_id: int, number: int) -> None:
    person = await storage.person_by_account(account)
    run = await storage.get_run(run_id)
    assert person is not None and run is not None
    state = dict(run.state, answers={**run.state.get("answers", {}), f"q{number}": ANSWER})
    await storage.save_turn(run, state, finished=False, scale_mode=None, now=NOW)


async def _measure(storage: TableStorage, persons: int, turns: int) -> dict[str, Any]:
    await storage.open()
    try:
        runs = []
        for index in range(persons):
            account = f"telegram:{index + 1}"
            person = await storage.get_or_create_person(
                account, chat_id=index + 1, language="fr", now=NOW
            )
            run = await storage.start_run(person.id, "probleme", 1, {"answers": {}}, NOW)
            runs.append((account, run.id))
        # Alone: one turn at a time.
        walls = []
        for number in range(turns):
            for account, run_id in runs[:10]:
                started = time.perf_counter()
                await _turn(storage, account, run_id, number)
                walls.append(time.perf_counter() - started)
        # Together: every person answers `turns` times, all at once.

        async def answering(account: str, run_id: int) -> None:
            for number in range(turns):
                await _turn(storage, account, run_id, 1000 + number)

        started = time.perf_counter()
        await asyncio.gather(*(answering(account, run_id) for account, run_id in runs))
        elapsed = time.perf_counter() - started
    finally:
        await storage.close()
    return {
        "turn_p50_ms": round(1000 * median(walls), 2),
        "turn_p99_ms": round(1000 * percentile(walls, 99), 2),
        "concurrent_turns_per_second": round(persons * turns / elapsed, 1),
        "concurrent_persons": persons,
    }


async def _count_round_trips(url: str, folder: Path) -> dict[str, float]:
    """Statements and round trips of one turn on PostgreSQL (BEGIN/COMMIT included)."""
    counted: dict[str, int] = {"round_trips": 0}
    storage = PostgresStorage(url, Cipher(os.urandom(32)), folder / "postgresql")
    await storage.open()
    person = await storage.get_or_create_person("telegram:x", chat_id=9, language="fr", now=NOW)
    run = await storage.start_run(person.id, "probleme", 1, {"answers": {}}, NOW)
    originals = {
        name: getattr(asyncpg.connection.Connection, name)
        for name in ("fetch", "execute", "fetchval", "fetchrow")
    }

    def counting(name: str) -> Any:
        async def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            counted["round_trips"] += 1
            return await originals[name](self, *args, **kwargs)

        return call

    patches = [
        mock.patch.object(asyncpg.connection.Connection, name, counting(name)) for name in originals
    ]
    for patch in patches:
        patch.start()
    try:
        turns = 20
        for number in range(turns):
            await _turn(storage, "telegram:x", run.id, number)
    finally:
        for patch in patches:
            patch.stop()
        await storage.close()
    # Each transaction adds BEGIN and COMMIT (asyncpg's transaction()), not counted above.
    per_turn = counted["round_trips"] / turns + 2
    return {"postgresql_round_trips_per_turn": per_turn}


async def run(persons: int, turns: int) -> dict[str, Any]:
    """Both backends, same work."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="equipage-bench-") as scratch:
        folder = Path(scratch)
        results["sqlite"] = await _measure(
            SqliteStorage(folder / "bench.sqlite3", Cipher(os.urandom(32))), persons, turns
        )
        server = ThrowawayServer(durable=True)
        server.start()
        try:
            admin = await asyncpg.connect(server.url())
            await admin.execute("CREATE DATABASE bench")
            await admin.execute("CREATE DATABASE trips")
            await admin.close()
            results["postgresql"] = await _measure(
                PostgresStorage(server.url("bench"), Cipher(os.urandom(32)), folder / "pg"),
                persons,
                turns,
            )
            results["postgresql"].update(await _count_round_trips(server.url("trips"), folder))
        finally:
            server.stop()
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.backends", description=__doc__)
    parser.add_argument("--persons", type=int, default=60)
    parser.add_argument("--turns", type=int, default=20)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(run(args.persons, args.turns)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
