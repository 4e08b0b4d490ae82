"""The printed table (figures next to their targets) and the JSON file of a run."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Row:
    """One line of the table; `met` is None when there is no target."""

    measure: str
    value: str
    target: str = ""
    met: bool | None = None

    @property
    def verdict(self) -> str:
        return "" if self.met is None else ("met" if self.met else "MISSED")


def _ms(value: float) -> str:
    return f"{value:.2f} ms" if value < 100 else f"{value:,.0f} ms"


def _turn_rows(turns: dict[str, Any]) -> list[Row]:
    ours, echo = turns["ours"], turns["echo"]
    low, high = turns["cpu_ratio_spread"] or (0.0, 0.0)
    return [
        Row(
            f"Turn CPU per update, ours ({ours['updates']} updates, {turns['persons']} persons)",
            f"{ours['cpu_ms_per_update']:.3f} ms"
            f" (main thread {ours['main_thread_cpu_ms_per_update']:.3f},"
            f" SQLite thread {ours['other_threads_cpu_ms_per_update']:.3f})",
        ),
        Row("Turn CPU per update, bare PTB echo bot", f"{echo['cpu_ms_per_update']:.3f} ms"),
        Row(
            "Turn CPU ratio ours / echo",
            f"{turns['cpu_ratio']:.2f}× (median of {turns['rounds']} rounds, {low:.2f}–{high:.2f})",
            "≤ 1.5×",
            turns["cpu_ratio"] <= 1.5,
        ),
        Row(
            "  reference: echo + one durable SQLite write per update",
            f"{turns['echo_durable']['cpu_ms_per_update']:.3f} ms"
            f" (ours / it: {turns['cpu_ratio_to_durable_echo']:.2f}×)",
        ),
        Row(
            "Bot API calls per update, ours / echo",
            f"{ours['api_calls_per_update']:.2f} / {echo['api_calls_per_update']:.2f}",
        ),
        Row("Turn wall latency p50, ours", _ms(ours["wall_p50_ms"])),
        Row(
            "Turn wall latency p99 inside the bot, ours",
            _ms(ours["wall_p99_ms"]) + f" (max {_ms(ours['wall_max_ms'])})",
            "< 10 ms",
            ours["wall_p99_ms"] < 10,
        ),
        Row(
            "Slowest journey steps, ours (p50)",
            ", ".join(
                f"{entry['step'].split(' ', 2)[0]} {entry['step'].split(' ', 2)[2]}"
                f" {entry['wall_p50_ms']:.1f} ms"
                for entry in turns.get("slowest_steps_ours", [])[:3]
            ),
        ),
        Row(
            "Journeys finished / errors logged",
            f"{turns['persons_with_all_dialogues_finished']}/{turns['persons']}"
            f" / {turns['errors_logged']}",
        ),
    ]


def _concurrency_rows(found: dict[str, Any]) -> list[Row]:
    wave = found["answer_wave"]
    opening = found["open_wave"]
    persons = found["persons"]
    return [
        Row(
            f"Concurrency: {persons} persons × {found['answers_per_person']} answers at once",
            f"{wave['updates_per_second']:.0f} updates/s ({wave['updates']} in"
            f" {wave['seconds']:.1f} s)",
        ),
        Row(
            "Concurrency: latency queue → done, p50 / p99",
            f"{_ms(wave['latency_p50_ms'])} / {_ms(wave['latency_p99_ms'])}",
        ),
        Row(
            f"Concurrency: {persons} persons opening a dialogue at once",
            f"{opening['updates_per_second']:.0f} updates/s, p99 {_ms(opening['latency_p99_ms'])}",
        ),
        Row(
            "Concurrency: persons whose answers stayed in order",
            f"{persons - found['persons_with_answers_out_of_order_or_missing']}/{persons}"
            f" (errors logged: {found['errors_logged']})",
            "all",
            found["persons_with_answers_out_of_order_or_missing"] == 0,
        ),
    ]


def _memory_rows(found: dict[str, Any]) -> list[Row]:
    rss = found["rss_kib"]

    def mb(kib: int) -> float:
        return kib * 1024 / 1e6

    return [
        Row(
            f"RSS with {found['persons']:,} persons in a dialogue (each answered once)",
            f"{mb(rss['after_all_answered']):.1f} MB (peak {mb(rss['peak']):.1f} MB)",
            "< 150 MB",
            mb(rss["after_all_answered"]) < 150,
        ),
        Row(
            "RSS idle after start-up / after imports / bare interpreter",
            f"{mb(rss['idle_after_start']):.1f} / {mb(rss['after_imports']):.1f} /"
            f" {mb(rss['bare_interpreter']):.1f} MB",
        ),
    ]


def _scale_rows(found: dict[str, Any]) -> list[Row]:
    persons = found["persons"]
    summary = found["summary_prepare_ms"]
    scan = found["reminder_scan"]
    rows = [
        Row(
            f"Start-up at {persons:,} persons (services + app + initialize + post_init)",
            f"{found['startup_s']:.3f} s",
            "< 1 s",
            found["startup_s"] < 1,
        ),
        Row(
            "  of which: build_services / build_application / initialize / post_init",
            f"{found['build_services_s']:.3f} / {found['build_application_s']:.3f} /"
            f" {found['initialize_s']:.3f} / {found['post_init_s']:.3f} s",
        ),
        Row("  before that: importing the bot (fresh interpreter)", f"{found['imports_s']:.3f} s"),
        Row("First update answered after start-up", _ms(found["first_update_ms"])),
        Row(
            "Summary assembly for one person (prepare), median / p95",
            f"{_ms(summary['median'])} / {_ms(summary['p95'])}",
        ),
        Row(
            "Database size",
            f"{found['database_bytes'] / 1e6:,.0f} MB, {found['bytes_per_person'] / 1024:.1f} KiB"
            " per person",
        ),
        Row("Retention scan (persons silent for 730 days)", _ms(found["retention_scan_ms"])),
    ]
    if scan.get("measured"):
        rows.append(
            Row(
                f"Due-reminder scan, 100 due of {scan['reminders_in_table']:,} reminders",
                f"{_ms(scan['median_ms'])} (p95 {_ms(scan['p95_ms'])})",
                "< 20 ms",
                scan["median_ms"] < 20,
            )
        )
    else:
        rows.append(Row("Reminder scan", "not measured (no reminders table yet)", "< 20 ms"))
    rows.append(
        Row("Seeding (direct SQL, not part of the bot)", f"{found['seeding']['seconds']:.1f} s")
    )
    return rows


def _picture_rows(found: dict[str, Any]) -> list[Row]:
    chart, qr, imports = found["chart"], found["qr"], found["imports"]
    return [
        Row(
            f"Strengths chart render, median of {chart['samples']}",
            f"{_ms(chart['median_ms'])} (first {_ms(chart['cold_ms'])}, {chart['png_bytes']:,} B)",
            "< 50 ms",
            chart["median_ms"] < 50,
        ),
        Row(
            f"QR code render, median of {qr['samples']}",
            f"{_ms(qr['median_ms'])} (first {_ms(qr['cold_ms'])})",
        ),
        Row(
            "Import cost in start-up: chart / QR (of the bot's import)",
            f"{_ms(imports['chart_within_app_import_ms'])} /"
            f" {_ms(imports['qr_within_app_import_ms'])}"
            f" (of {_ms(imports['app_import_ms'])},"
            f" {100 * imports['pictures_share_of_app_import']:.0f} %)",
        ),
        Row(
            "Import alone in a fresh interpreter: chart / QR",
            f"{_ms(imports['chart_alone_ms'])} / {_ms(imports['qr_alone_ms'])}",
        ),
    ]


def rows(results: dict[str, Any]) -> list[Row]:
    """The table's lines, phase by phase, for the phases that ran."""
    builders = {
        "turns": _turn_rows,
        "concurrency": _concurrency_rows,
        "memory": _memory_rows,
        "scale": _scale_rows,
        "pictures": _picture_rows,
    }
    found: list[Row] = []
    for phase, build in builders.items():
        if phase in results:
            found += build(results[phase])
    return found


def table(lines: list[Row]) -> str:
    """A plain-text table."""
    headers = ("Measure", "Value", "Target", "")
    cells = [headers] + [(r.measure, r.value, r.target, r.verdict) for r in lines]
    widths = [max(len(cell[i]) for cell in cells) for i in range(4)]
    rule = "  ".join("-" * width for width in widths)
    out = []
    for index, cell in enumerate(cells):
        out.append("  ".join(text.ljust(widths[i]) for i, text in enumerate(cell)).rstrip())
        if index == 0:
            out.append(rule)
    return "\n".join(out)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "sqlite": sqlite3.sqlite_version,
        "python_telegram_bot": metadata.version("python-telegram-bot"),
    }


def save(folder: Path, results: dict[str, Any], lines: list[Row], options: dict[str, Any]) -> Path:
    """Write the run to `folder/bench-<time>.json` and `folder/latest.json`."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    document = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "options": options,
        "table": [asdict(line) | {"verdict": line.verdict} for line in lines],
        "results": results,
    }
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str)
    path = folder / f"bench-{stamp}.json"
    path.write_text(text, encoding="utf-8")
    (folder / "latest.json").write_text(text, encoding="utf-8")
    return path
