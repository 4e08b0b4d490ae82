"""Full turns over loopback HTTP with 1 and with 3 webhook replicas on one PostgreSQL server.

`.venv/bin/python -m benchmarks.replicas [--persons 100] [--turns 10]`. A PostgreSQL server
is started here with fsync on (as in production); the fake Telegram pushes webhooks through a
round-robin proxy (tests/e2e/round_robin.py) to `equipage run` processes, 40 connections at
once as Telegram does. Each person opens Mon problème, then, `--turns` times, goes back one
question (/retour) and answers it again: every update is a dialogue turn that writes.
Reported per replica count: updates a second with every person at once, p50/p99 from an
update's push to the bot's reply, PostgreSQL transactions per update (pg_stat_database:
a read outside a write transaction counts as one, so this is also the round trips' floor;
statements per storage turn: benchmarks/backends.py), the replicas' CPU per update, and how
many write transactions waited for the global write lock (sampled every 50 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import signal
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg

from benchmarks.stats import median, percentile
from bot.config import Settings, load_settings
from bot.services import build_services
from tests.e2e.helpers import asked, ui_start
from tests.e2e.round_robin import RoundRobin
from tests.e2e.test_webhook_replicas import (
    OPEN,
    SECRET,
    free_port,
    launch,
    seed_persons,
    webhooks_set,
)
from tests.fakegram import FakeTelegram, FakeUser
from tests.postgres import ThrowawayServer

ROOT = Path(__file__).resolve().parents[1]


async def _commits(url: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        value = await connection.fetchval(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        )
    finally:
        await connection.close()
    return int(value)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_jiffies() -> tuple[int, int]:
    """(idle, total) CPU time of the whole machine so far (Linux /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return values[3] + values[4], sum(values)


async def _sample_waiters(url: str, samples: list[int], stop: asyncio.Event) -> None:
    """Every 50 ms: write transactions waiting for the global write lock (advisory locks
    not granted), to see whether that lock is what bounds throughput."""
    connection = await asyncpg.connect(url)
    try:
        while not stop.is_set():
            samples.append(
                int(
                    await connection.fetchval(
                        "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    )
                )
            )
            await asyncio.sleep(0.05)
    finally:
        await connection.close()


async def _reply(user: FakeUser, wanted: str) -> None:
    while wanted not in (await user.next_message(timeout=120)).text:
        pass


async def _person(user: FakeUser, turns: int, latencies: list[float]) -> None:
    """Open the dialogue, answer the first question, then go back and answer again."""
    await user.send("/menu")
    menu = await user.next_message(timeout=120)
    while ui_start("bot.menu") not in menu.text:
        menu = await user.next_message(timeout=120)
    (data,) = [d for row in menu.buttons for _, d in row if d and d.endswith(OPEN)]
    await user.click_data(data, message=menu, timeout=120)
    await _reply(user, asked("probleme", "difficulte"))
    await user.send("Les factures s'accumulent")
    await _reply(user, asked("probleme", "titre"))
    for turn in range(turns):
        for text, wanted in (
            ("/retour", asked("probleme", "difficulte")),
            (f"Les factures, encore ({turn})", asked("probleme", "titre")),
        ):
            began = time.perf_counter()
            await user.send(text)
            await _reply(user, wanted)
            latencies.append(time.perf_counter() - began)


async def measure(server: ThrowawayServer, replicas: int, persons: int, turns: int) -> Any:
    """One round: a fresh database, `replicas` processes, every person at once."""
    admin = await asyncpg.connect(server.url())
    name = f"replicas_{replicas}"
    await admin.execute(f"CREATE DATABASE {name}")
    await admin.close()
    url = server.url(name)
    workdir = Path(tempfile.mkdtemp(prefix=f"equipage-replicas-{replicas}-"))
    proxy = RoundRobin()
    await proxy.start()
    async with FakeTelegram() as fake:
        await fake.webhook.stop()
        fake.webhook.connections = 40
        fake.webhook.start()
        settings: Settings = load_settings(
            {
                "TELEGRAM_BOT_TOKEN": fake.token,
                "TELEGRAM_API_BASE_URL": fake.base_url,
                "EQUIPAGE_DATABASE": url,
                "EQUIPAGE_DATA_DIR": str(workdir),
                "EQUIPAGE_DATA_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
                "EQUIPAGE_DIALOGS": str(ROOT / "dialogs"),
                "EQUIPAGE_RATE_BURST": "100000",
                "EQUIPAGE_CHAT_BURST": "100000",
            }
        )
        settings = replace(settings, webhook_url=proxy.url, webhook_secret=SECRET)
        seeding = build_services(replace(settings, webhook_url=None))
        await seeding.storage.open()
        worker, issued = await seeding.invitations.invite_worker("Séverine D.", None)
        await seeding.storage.close()
        ports = [free_port() for _ in range(replicas)]
        proxy.ports = ports
        processes = [
            await launch(fake, settings, port, workdir / f"replica-{n}.log")
            for n, port in enumerate(ports)
        ]
        try:
            await fake.wait_for(lambda: webhooks_set(fake) >= replicas, timeout=120)
            severine = fake.user(first_name="Séverine")
            await severine.send(f"/start {issued.code}")
            await severine.next_message(timeout=120)
            users = [fake.user(first_name=f"Personne{n}") for n in range(persons)]
            await seeding.storage.open()
            try:
                await seed_persons(seeding, worker, users)
            finally:
                await seeding.storage.close()
            latencies: list[float] = []
            commits = await _commits(url)
            updates = fake.webhook.responses.count(200)
            bots_cpu = sum(_cpu_seconds(process.pid) for process in processes)
            own_cpu = time.process_time()
            idle_before, total_before = _machine_jiffies()
            waiters: list[int] = []
            stop = asyncio.Event()
            sampler = asyncio.create_task(_sample_waiters(url, waiters, stop))
            began = time.perf_counter()
            await asyncio.gather(*(_person(user, turns, latencies) for user in users))
            elapsed = time.perf_counter() - began
            stop.set()
            await sampler
            own_cpu = time.process_time() - own_cpu
            idle_after, total_after = _machine_jiffies()
            idle = (idle_after - idle_before) / max(total_after - total_before, 1)
            bots_cpu = sum(_cpu_seconds(process.pid) for process in processes) - bots_cpu
            updates = fake.webhook.responses.count(200) - updates
            commits = await _commits(url) - commits
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                await process.wait()
            await proxy.stop()
    return {
        "replicas": replicas,
        "persons": persons,
        "updates": updates,
        "updates_per_second": round(updates / elapsed, 1),
        "reply_p50_ms": round(median(latencies) * 1000, 1),
        "reply_p99_ms": round(percentile(latencies, 99) * 1000, 1),
        # Every statement outside a write transaction is a transaction of its own here.
        "transactions_per_update": round(commits / max(updates, 1), 2),
        "bots_cpu_ms_per_update": round(bots_cpu * 1000 / max(updates, 1), 2),
        "bots_cpu_share_of_wall": round(bots_cpu / elapsed, 2),
        "telegram_and_persons_cpu_share_of_wall": round(own_cpu / elapsed, 2),
        "machine_cores": os.cpu_count(),
        "machine_idle_share": round(idle, 2),
        "waiting_for_write_lock_mean": round(sum(waiters) / max(len(waiters), 1), 2),
        "waiting_for_write_lock_max": max(waiters, default=0),
    }


async def run(persons: int, turns: int, counts: list[int], durable: bool = True) -> list[Any]:
    server = ThrowawayServer(durable=durable)
    server.start()
    try:
        return [await measure(server, replicas, persons, turns) for replicas in counts]
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=100)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 3])
    parser.add_argument(
        "--no-fsync",
        action="store_true",
        help="PostgreSQL without fsync (not for production): shows what durable commits cost",
    )
    args = parser.parse_args()
    for result in asyncio.run(
        run(args.persons, args.turns, args.replicas, durable=not args.no_fsync)
    ):
        print(json.dumps(result))


if __name__ == "__main__":
    main()
