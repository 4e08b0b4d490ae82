"""Phase 5: pictures. Render time of the strengths chart and of an invitation's QR code, and
what importing them adds to the bot's start-up (`python -X importtime` in fresh interpreters).
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from typing import Any

from benchmarks import ROOT
from benchmarks.stats import median
from bot.engine import StepKind, load_dialogues
from bot.pictures.chart import ChartLabels, DomainScore, strengths_chart
from bot.pictures.qr import qr_png

IMPORT_RUNS = 3


def _timed(samples: int, render: Any) -> dict[str, float]:
    clock = time.perf_counter()
    png: bytes = render()
    cold = time.perf_counter() - clock
    timings = []
    for _ in range(samples):
        clock = time.perf_counter()
        render()
        timings.append(time.perf_counter() - clock)
    return {
        "cold_ms": 1000 * cold,
        "median_ms": 1000 * median(timings),
        "max_ms": 1000 * max(timings),
        "samples": samples,
        "png_bytes": len(png),
    }


def import_times(statement: str) -> dict[str, int]:
    """Cumulative import time in µs of each module a fresh `python -c statement` imports."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, int] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        found[name.strip()] = int(cumulative)
    return found


def _import_costs() -> dict[str, float]:
    def runs(statement: str, module: str) -> float:
        return median([import_times(statement).get(module, 0) for _ in range(IMPORT_RUNS)]) / 1000

    app: list[dict[str, int]] = [
        import_times("import bot.telegram.app") for _ in range(IMPORT_RUNS)
    ]
    chart_in_app = median([t.get("bot.pictures.chart", 0) for t in app]) / 1000
    qr_in_app = median([t.get("bot.pictures.qr", 0) for t in app]) / 1000
    return {
        "chart_alone_ms": runs("import bot.pictures.chart", "bot.pictures.chart"),
        "qr_alone_ms": runs("import bot.pictures.qr", "bot.pictures.qr"),
        "chart_within_app_import_ms": chart_in_app,
        "qr_within_app_import_ms": qr_in_app,
        "app_import_ms": median([t.get("bot.telegram.app", 0) for t in app]) / 1000,
        "pictures_share_of_app_import": (chart_in_app + qr_in_app)
        / max(1e-9, median([t.get("bot.telegram.app", 0) for t in app]) / 1000),
    }


def run(samples: int) -> dict[str, Any]:
    """Median render times over `samples` renders each (after one cold render)."""
    forces = load_dialogues(ROOT / "dialogs")["forces"]
    domains = [step.label for step in forces.steps if step.kind is StepKind.SCALE]
    scores = [
        DomainScore(str(label), float(3 + i % 7), float(2 + (i * 3) % 8) if i % 4 else None)
        for i, label in enumerate(domains)
    ]
    labels = ChartLabels(
        title="Forces : Personne 12",
        now="Cette fois (jeudi 26 novembre)",
        before="La fois d'avant (lundi 12 octobre)",
        decimal_separator=",",
    )
    link = f"https://t.me/equipage_bench_bot?start={secrets.token_urlsafe(24)}"
    return {
        "chart": {
            "domains": len(scores),
            **_timed(samples, lambda: strengths_chart(scores, labels)),
        },
        "qr": _timed(samples, lambda: qr_png(link)),
        "imports": _import_costs(),
    }
