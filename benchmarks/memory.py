"""Phase 3: resident memory of one process with many persons in the middle of a dialogue.

The database is seeded first (each person consented, Mon problème in progress after its
first answer); then a fresh interpreter starts the bot on it and every person answers the
next question, in waves put on the update queue at once. Reading VmRSS in a fresh process
keeps the other phases (and the seeding) out of the figure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks import seed
from benchmarks.apps import bench_settings, new_key
from benchmarks.children import run_child
from bot.storage.crypto import key_path, write_key_file

FIRST_UID = 400_000_000


def run(workdir: Path, persons: int, wave: int) -> dict[str, Any]:
    """Seed `persons` persons with a dialogue in progress, then measure in a child process."""
    directory = workdir / "memory"
    key = new_key()
    settings = bench_settings(directory, key)
    directory.mkdir(parents=True, exist_ok=True)
    # Beside the database, as the bot keeps it: a database kept with --keep stays readable.
    write_key_file(key_path(settings.database), [seed.decode_key(key)])
    shapes = seed.templates(settings, workdir / "memory-scratch")
    seeded = seed.seed(
        settings.database, key, seed.Plan(persons, FIRST_UID, in_progress=True), shapes
    )
    measured = run_child(
        "benchmarks.memory_child",
        [
            "--dir", str(directory),
            f"--key={key}",
            "--persons", str(persons),
            "--first-uid", str(FIRST_UID),
            "--wave", str(wave),
        ],
        patience=900.0,
    )  # fmt: skip
    return {"seeding": seeded, **measured}
