"""Running a measurement in a fresh interpreter and reading the JSON line it prints."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from benchmarks import ROOT


def run_child(module: str, arguments: list[str], patience: float) -> dict[str, Any]:
    """`python -m module arguments…` from the project root; its last stdout line as JSON."""
    done = subprocess.run(
        [sys.executable, "-m", module, *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=patience,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{module} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    found: dict[str, Any] = json.loads(lines[-1])
    return found
