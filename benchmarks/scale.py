"""Phase 4: a database the size of a big service, seeded fast, then start-up and queries.

Each person: consented through an invitation, one finished run of each dialogue, two sent
summaries (one acknowledged), five delivered outbox rows, two audit rows, and, once the
schema has them, an appointment with its reminders. The measurements run in a fresh
interpreter (startup_child.py), as a restart of the bot would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks import seed
from benchmarks.apps import bench_settings, new_key
from benchmarks.children import run_child
from bot.storage.crypto import key_path, write_key_file

FIRST_UID = 300_000_000


def _size(database: Path) -> int:
    return sum(
        path.stat().st_size
        for path in (database, database.with_name(database.name + "-wal"))
        if path.exists()
    )


def run(workdir: Path, persons: int, samples: int) -> dict[str, Any]:
    """Seed `persons` persons with their history; measure start-up and queries on it."""
    directory = workdir / "scale"
    key = new_key()
    settings = bench_settings(directory, key)
    directory.mkdir(parents=True, exist_ok=True)
    # Beside the database, as the bot keeps it: a database kept with --keep stays readable.
    write_key_file(key_path(settings.database), [seed.decode_key(key)])
    shapes = seed.templates(settings, workdir / "scale-scratch")
    plan = seed.Plan(persons, FIRST_UID, finished=True, reminders=True)
    seeded = seed.seed(settings.database, key, plan, shapes)
    size = _size(settings.database)
    measured = run_child(
        "benchmarks.startup_child",
        [
            "--dir", str(directory),
            f"--key={key}",
            "--persons", str(persons),
            "--first-uid", str(FIRST_UID),
            "--samples", str(samples),
        ],
        patience=900.0,
    )  # fmt: skip
    return {
        "persons": persons,
        "seeding": seeded,
        "database_bytes": size,
        "bytes_per_person": size / persons,
        **measured,
    }
