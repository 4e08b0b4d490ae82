"""Équipage's benchmark: turn cost against a bare echo bot, concurrency, memory, scale, pictures.

Run with `make bench` (or `python -m benchmarks --quick` for a smaller run). Everything is
in-process: the Bot API is answered by a fake request object, so no network is measured.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
