"""Runs in a fresh interpreter (see http_turns.py): one bot, ours or the bare PTB echo,
polling the fake Bot API over real HTTP on loopback, as `equipage run` does.

Both bots use PTB's default HTTP client settings (`HTTPXRequest` as `ApplicationBuilder`
makes it, for the calls and for getUpdates), long polling with the same `allowed_updates`,
and a last handler group that reports each update as done. Ours is the real composition
root (`build_services`, `build_application`) with the benchmark's uncapped limiter, as in
the in-process phase.

CPU is read here, in the bot's own process: `time.process_time()` sums every thread of the
process (so aiosqlite's SQLite thread counts), `time.thread_time()` is the event loop's
thread alone. The fake server and the scripted persons live in the parent process: their
CPU is never counted as the bot's.

One line each way (stdout carries nothing else):
    stdout  ready <json>                 polling; ours: persons joined, outbox drained
    stdin   mark                         stdout: mark <process ns> <thread ns>
    stdout  done <update_id> <process ns> <thread ns>   after every handler group ran
    stdin   count                        stdout: counting   (statements, hand-offs, profile)
    stdin   uncount <profile file>       stdout: counted <json>
    stdin   stop                         stdout: report <json>, then the process exits
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import sys
import time
from pathlib import Path
from typing import Any


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bot", choices=("ours", "echo"), required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--key", default="")
    parser.add_argument("--persons", default="[]", help="JSON list of the persons' user ids")
    parser.add_argument("--workers", default="[]", help="JSON list of the workers' user ids")
    return parser.parse_args()


def main() -> None:
    """Serve until told to stop."""
    asyncio.run(_serve(_arguments()))


def _say(line: str) -> None:
    os.write(sys.stdout.fileno(), (line + "\n").encode("utf-8"))


async def _serve(args: argparse.Namespace) -> None:
    from telegram import Update
    from telegram.ext import Application, ContextTypes, TypeHandler

    from benchmarks.apps import (
        ERRORS,
        PROBE_GROUP,
        UncappedPacedRateLimiter,
        bench_settings,
        drain_outbox,
        join_accounts,
        services_of,
        setup_logging,
        stop_ours,
    )
    from benchmarks.census import Census
    from benchmarks.echo_bot import add_echo_handlers
    from benchmarks.stats import proc_status_kib
    from bot.services import build_services
    from bot.telegram.app import App, build_application
    from bot.telegram.polling import start_polling, stop_polling
    from bot.telegram.startup import ALLOWED_UPDATES

    setup_logging()
    persons: list[int] = json.loads(args.persons)
    application: App
    if args.bot == "ours":
        settings = bench_settings(args.dir, args.key, token=args.token, api_base_url=args.base_url)
        services = build_services(settings)
        application = build_application(
            services, rate_limiter=UncappedPacedRateLimiter(chat_burst=settings.chat_burst)
        )
    else:
        application = (
            Application.builder()
            .token(args.token)
            .base_url(f"{args.base_url}/bot")
            .base_file_url(f"{args.base_url}/file/bot")
            .build()
        )
        add_echo_handlers(application)

    async def done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        _say(f"done {update.update_id} {time.process_time_ns()} {time.thread_time_ns()}")

    application.add_handler(TypeHandler(Update, done), group=PROBE_GROUP)
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    if args.bot == "ours":
        # The command menu (registered a second after start) is not left to a measured turn.
        registering = application.bot_data.get("commands")
        if registering is not None:
            await registering
        await join_accounts(services_of(application), persons, json.loads(args.workers))
        await drain_outbox(services_of(application))
    if args.bot == "ours":
        # Ours polls with its own loop: each update reaches the inbox before the offset moves.
        await start_polling(application, poll_seconds=10)
    else:
        assert application.updater is not None
        await application.updater.start_polling(
            allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False
        )
    await application.start()
    _say("ready " + json.dumps({"sniffio": importlib.util.find_spec("sniffio") is not None}))

    loop = asyncio.get_running_loop()
    commands = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    census: Census | None = None
    while line := (await commands.readline()).decode("utf-8").strip():
        command, _, argument = line.partition(" ")
        if command == "mark":
            _say(f"mark {time.process_time_ns()} {time.thread_time_ns()}")
        elif command == "count":
            census = Census()
            await census.start()
            _say("counting")
        elif command == "uncount" and census is not None:
            _say("counted " + json.dumps(await census.stop(Path(argument))))
            census = None
        elif command == "stop":
            break

    report: dict[str, Any] = {"peak_rss_kib": proc_status_kib("VmHWM")}
    if args.bot == "ours":
        report["persons_with_all_dialogues_finished"] = await _finished(application, persons)
    if args.bot == "ours":
        await stop_polling(application)
    else:
        assert application.updater is not None
        await application.updater.stop()
    if args.bot == "ours":
        await stop_ours(application)
    else:
        await application.stop()
        await application.shutdown()
    report |= {"errors_logged": ERRORS.count, "first_error": ERRORS.first}
    _say("report " + json.dumps(report))


async def _finished(application: Any, persons: list[int]) -> int:
    """How many persons finished all three dialogues (as the in-process phase checks)."""
    from benchmarks.apps import services_of

    storage = services_of(application).storage
    finished = 0
    for uid in persons:
        person = await storage.person_by_account(f"telegram:{uid}")
        if person is None:
            continue
        done = [await storage.finished_runs(person.id, d) for d in ("probleme", "idees", "forces")]
        finished += all(done)
    return finished


if __name__ == "__main__":
    main()
