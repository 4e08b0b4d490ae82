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
            f"In-process: turn CPU per update, ours ({ours['updates']} updates,"
            f" {turns['persons']} persons)",
            f"{ours['cpu_ms_per_update']:.3f} ms"
            f" (main thread {ours['main_thread_cpu_ms_per_update']:.3f},"
            f" SQLite thread {ours['other_threads_cpu_ms_per_update']:.3f})",
        ),
        Row(
            "In-process: turn CPU per update, bare PTB echo", f"{echo['cpu_ms_per_update']:.3f} ms"
        ),
        Row(
            "In-process: turn CPU ratio ours / echo",
            f"{turns['cpu_ratio']:.2f}× (median of {turns['rounds']} rounds; min {low:.2f},"
            f" max {high:.2f})",
            # Issue #17: ≤ 2× this round, on the way to ≤ 1.5×.
            "≤ 2× (then 1.5×)",
            turns["cpu_ratio"] <= 2.0,
        ),
        Row(
            "  reference: echo + one durable SQLite write per update",
            f"{turns['echo_durable']['cpu_ms_per_update']:.3f} ms"
            f" (ours / it: {turns['cpu_ratio_to_durable_echo']:.2f}×)",
        ),
        Row(
            "In-process: Bot API calls per update, ours / echo",
            f"{ours['api_calls_per_update']:.2f} / {echo['api_calls_per_update']:.2f}",
        ),
        Row("In-process: turn wall latency p50, ours", _ms(ours["wall_p50_ms"])),
        Row(
            "In-process: turn wall latency p99 inside the bot, ours",
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


def _spread(found: dict[str, float], unit: str = "") -> str:
    return f"{found['median']:.2f}{unit} (min {found['min']:.2f}, max {found['max']:.2f})"


_SHORT = {
    "sendMessage": "send",
    "editMessageReplyMarkup": "editMarkup",
    "editMessageText": "editText",
    "answerCallbackQuery": "answer",
    "getUpdates": "getUpdates",
}


def _calls(by_method: dict[str, float], digits: int = 2) -> str:
    return ", ".join(
        f"{_SHORT.get(method, method)} {count:.{digits}f}" for method, count in by_method.items()
    )


def _maybe(value: float | None) -> str:
    return "not counted" if value is None else f"{value:.2f}"


def _http_rows(found: dict[str, Any]) -> list[Row]:
    ours, echo = found["ours"], found["echo"]
    ratio = found["cpu_ratio"]
    census = found["census"]["ours"]
    rows = [
        Row(
            f"HTTP: turn CPU per update, ours ({ours['updates']} updates, {found['persons']}"
            f" persons, {found['rounds']} rounds)",
            _spread(ours["cpu_ms_per_update"], " ms")
            + f"; main thread {ours['main_thread_cpu_ms_per_update']:.2f},"
            f" SQLite thread {ours['other_threads_cpu_ms_per_update']:.2f}",
        ),
        Row("HTTP: turn CPU per update, bare PTB echo", _spread(echo["cpu_ms_per_update"], " ms")),
        Row(
            "HTTP: turn CPU ratio ours / echo (per round)",
            _spread(ratio, "×"),
            "≤ 1.5×",
            ratio["median"] <= 1.5,
        ),
        Row(
            "HTTP: Bot API calls per update, ours / echo (+ getUpdates)",
            f"{ours['calls_per_update']:.2f} / {echo['calls_per_update']:.2f}"
            f" (+ {ours['get_updates_per_update']:.2f} / {echo['get_updates_per_update']:.2f})",
        ),
        Row("HTTP: ours' calls per update, by method", _calls(ours["calls_per_update_by_method"])),
    ]
    for dialogue, by_method in found["calls_per_person_by_dialogue_ours"].items():
        outgoing = sum(n for method, n in by_method.items() if method != "getUpdates")
        rows.append(
            Row(
                f"HTTP: ours' calls per journey, {dialogue}",
                f"{outgoing:.0f}: {_calls(by_method, 0)}",
            )
        )
    rows += [
        Row(
            "HTTP: per update, ours: SQL statements / SQLite-thread hand-offs / commits",
            f"{census['statements']:.2f} / {census['handoffs']:.2f} / {census['commits']:.2f}"
            f" (loop wake-ups from threads {census['loop_wakeups_from_threads']:.2f};"
            f" fsync calls {_maybe(census.get('fsyncs'))})",
        ),
    ]
    if census.get("handoff_cpu_us") is not None:
        # Only measurable while storage went through aiosqlite (one hand-off per statement).
        rows.append(
            Row(
                "HTTP: CPU of one aiosqlite hand-off (SELECT 1 less SQL), × hand-offs per update",
                f"{census['handoff_cpu_us']:.0f} µs (event loop's thread"
                f" {census.get('handoff_main_thread_cpu_us') or 0:.0f} µs)"
                f" × {census['handoffs']:.2f} = {census['handoffs_cpu_us_per_update']:.0f} µs",
            )
        )
    rows += [
        Row(
            "HTTP: ours' event-loop thread CPU, µs per update (profile, see JSON)",
            ", ".join(
                f"{entry['category'].split(':')[0].split(' (')[0]} {entry['us_per_update']:.0f}"
                for entry in census["main_thread_by_category"][:6]
            ),
        ),
        Row(
            "HTTP: latency push → done, p50 / p99, ours (fake server included)",
            f"{_ms(ours['latency_ms']['p50'])} / {_ms(ours['latency_ms']['p99'])}",
        ),
        Row(
            "HTTP: peak RSS of the bot process after the turns, ours / echo",
            f"{found['peak_rss_kib']['ours'] * 1024 / 1e6:.1f} /"
            f" {found['peak_rss_kib']['echo'] * 1024 / 1e6:.1f} MB",
        ),
        Row(
            "HTTP: journeys finished / errors logged",
            f"{found['persons_with_all_dialogues_finished']}/{found['persons_walked']}"
            f" / {found['errors_logged']}",
        ),
    ]
    missing = [bot for bot, present in found["sniffio_installed"].items() if not present]
    if missing:
        rows.append(
            Row(
                "HTTP: sniffio missing (httpcore retries a failed import per request)",
                ", ".join(missing),
                "installed",
                False,
            )
        )
    return rows


def _startup_rows(found: dict[str, Any]) -> list[Row]:
    seconds, rss = found["seconds_ratio"], found["peak_rss_ratio"]
    first = found["first_start"]["ours"]
    return [
        Row(
            f"Start to first getUpdates, ours (whole process, {found['rounds']} starts)",
            _spread(found["ours_seconds"], " s"),
        ),
        Row("Start to first getUpdates, bare PTB echo", _spread(found["echo_seconds"], " s")),
        Row(
            "Start-up ratio ours / echo (per round)",
            _spread(seconds, "×"),
            "≤ 1.5×",
            seconds["median"] <= 1.5,
        ),
        Row(
            "  CPU to first getUpdates (all threads), ours / echo",
            f"{found['ours_cpu_seconds']['median']:.2f} / {found['echo_cpu_seconds']['median']:.2f}"
            f" s (ratio {_spread(found['cpu_seconds_ratio'], '×')})",
        ),
        Row(
            "Peak RSS at first getUpdates, ours / echo",
            f"{found['ours_peak_rss_mb']['median']:.1f} /"
            f" {found['echo_peak_rss_mb']['median']:.1f} MB ({rss['median']:.2f}×)",
            "≤ 1.3×",
            rss["median"] <= 1.3,
        ),
        Row(
            "  first start of ours on an empty database (migrations)",
            f"{first['seconds']:.2f} s, peak RSS {first['peak_rss_kib'] * 1024 / 1e6:.1f} MB",
        ),
        Row(
            "  calls before polling, ours / echo",
            f"{_calls(found['calls_before_polling']['ours'], 0)} /"
            f" {_calls(found['calls_before_polling']['echo'], 0)}",
        ),
    ]


CROWD_TARGET_PERSONS = 1000
CROWD_TARGET_RATE = 800


def _concurrency_rows(found: dict[str, Any]) -> list[Row]:
    wave = found["answer_wave"]
    opening = found["open_wave"]
    persons = found["persons"]
    # Issue #17's target is for 1,000 persons at once (in-process); a smaller crowd is shown
    # without it.
    crowd = persons >= CROWD_TARGET_PERSONS
    return [
        Row(
            f"Concurrency (in-process): {persons} persons × {found['answers_per_person']}"
            " answers at once",
            f"{wave['updates_per_second']:.0f} updates/s ({wave['updates']} in"
            f" {wave['seconds']:.1f} s)",
            f"≥ {CROWD_TARGET_RATE} updates/s" if crowd else "",
            wave["updates_per_second"] >= CROWD_TARGET_RATE if crowd else None,
        ),
        Row(
            "Concurrency: the same, per CPU second of the process (driver included)",
            f"{wave['updates_per_cpu_second']:.0f} updates/s ({wave['cpu_ms_per_update']:.2f} ms"
            " CPU per update): the rate on one core of its own",
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
        "http": _http_rows,
        "startup": _startup_rows,
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
