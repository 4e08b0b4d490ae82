"""The bots under test, on the fake Bot API: ours (the real composition root), a bare PTB
echo bot, and the same echo writing each update once to SQLite; settings, logging and the
helpers that feed updates.

Ours is built exactly as `equipage run` builds it: `build_services(settings)` then
`build_application(services, …)`, whose keyword arguments give it `FakeRequest` instead of
the HTTP client. Handlers, the per-chat ordered update processor, post_init/post_stop/
post_shutdown (storage, outbox courier, purge, reminder scanner) are untouched. One
difference, on purpose: the bot's `PacedRateLimiter` comes without Telegram's global caps
(30 messages/s for the whole bot, 20/min per group), so a benchmark measures what our code
costs and not Telegram's flood limits.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiosqlite
from telegram import Update
from telegram.ext import AIORateLimiter, Application, ContextTypes, TypeHandler

from benchmarks import ROOT
from benchmarks.echo_bot import REMEMBER, add_echo_handlers
from benchmarks.fakebot import FakeBotApi, FakeRequest, Json, SimUser
from bot.config import Settings, load_settings
from bot.logs import EventFormatter, quiet_token_leaks
from bot.services import Services, build_services
from bot.telegram.app import App, build_application, inbox_of
from bot.telegram.pacing import PacedRateLimiter

BENCH_TOKEN = "7000000001:BENCHMARK-not-a-real-token-000000000"


class UncappedPacedRateLimiter(PacedRateLimiter):
    """The bot's limiter (per-chat pacing, retries) without Telegram's global caps."""

    def __init__(self, *, chat_burst: int, chat_per_second: float = 1.0) -> None:
        super().__init__(chat_burst=chat_burst, chat_per_second=chat_per_second)
        AIORateLimiter.__init__(self, overall_max_rate=0, group_max_rate=0, max_retries=3)


def new_key() -> str:
    """A fresh data key as EQUIPAGE_DATA_KEY spells it."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def bench_settings(
    directory: Path,
    key: str,
    *,
    production_pacing: bool = False,
    token: str = BENCH_TOKEN,
    api_base_url: str | None = None,
) -> Settings:
    """Settings on a database in `directory`.

    Scripted users answer at machine speed, so by default the per-account throttle and the
    per-chat pacing are opened wide (as the end-to-end tests do); `production_pacing` keeps
    the defaults (20 updates per account at once, 5 messages per chat at once).
    `api_base_url` points the bot's HTTP client at a fake Bot API server (the HTTP phases).
    """
    env = {
        "TELEGRAM_BOT_TOKEN": token,
        "EQUIPAGE_DATABASE": str(directory / "equipage.sqlite3"),
        "EQUIPAGE_DATA_KEY": key,
        "EQUIPAGE_DIALOGS": str(ROOT / "dialogs"),
        "EQUIPAGE_TIMEZONE": "Europe/Paris",
    }
    if not production_pacing:
        env |= {"EQUIPAGE_RATE_BURST": "10000000", "EQUIPAGE_CHAT_BURST": "10000000"}
    if api_base_url is not None:
        env["TELEGRAM_API_BASE_URL"] = api_base_url
    return load_settings(env)


class ErrorCounter(logging.Handler):
    """Counts ERROR records: a benchmark of a failing bot measures nothing useful."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.count = 0
        self.first: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if self.first is None:
            self.first = f"{record.name}: {record.getMessage()} {getattr(record, 'error', '')}"


ERRORS = ErrorCounter()


def setup_logging() -> None:
    """As `equipage run` does (INFO, one formatted line per event), but into /dev/null."""
    stream = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    handler = logging.StreamHandler(stream)
    handler.setFormatter(EventFormatter(as_json=False))
    logging.basicConfig(level=logging.INFO, handlers=[handler, ERRORS], force=True)
    quiet_token_leaks()


async def start_ours(settings: Settings, api: FakeBotApi, *, probe: Probe | None = None) -> App:
    """Our bot, initialised as `run_polling` does (initialize, then post_init), not polling."""
    services = build_services(settings)
    application = build_application(
        services,
        request=FakeRequest(api),
        get_updates_request=FakeRequest(api),
        rate_limiter=UncappedPacedRateLimiter(chat_burst=settings.chat_burst),
    )
    if probe is not None:
        application.add_handler(TypeHandler(Update, probe.seen), group=PROBE_GROUP)
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    # The command menu is registered a second after start (bot/telegram/app.py), compiling
    # the English catalogue: waited for here, so that it never lands in a measured turn.
    commands = application.bot_data.get("commands")
    if commands is not None:
        await commands
    return application


async def stop_ours(application: App) -> None:
    """Stop as the tests do: stop, post_stop, shutdown, post_shutdown."""
    if application.running:
        await application.stop()
    if application.post_stop is not None:
        await application.post_stop(application)
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)


def services_of(application: App) -> Services:
    """The use cases behind our bot."""
    found: Services = application.bot_data["services"]
    return found


async def start_echo(api: FakeBotApi, durable: Path | None = None) -> App:
    """The bare PTB echo bot: builder defaults, a text echo, and a button echo.

    With `durable` (a database file), each update is also written once to SQLite with the
    production pragmas before the reply: the floor for a bot that keeps every answer."""
    application = (
        Application.builder()
        .token(BENCH_TOKEN)
        .request(FakeRequest(api))
        .get_updates_request(FakeRequest(api))
        .build()
    )
    add_echo_handlers(application)
    if durable is not None:
        durable.parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(durable, isolation_level=None)
        for pragma in ("PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL"):
            await db.execute(pragma)
        await db.execute(
            "CREATE TABLE IF NOT EXISTS said"
            " (id INTEGER PRIMARY KEY, chat_id INTEGER, words TEXT, at REAL)"
        )
        application.bot_data["db"] = db

        async def remember(chat_id: int, words: str) -> None:
            """The durable echo's one write per update: an autocommit INSERT (fsync'ed)."""
            await db.execute(
                "INSERT INTO said (chat_id, words, at) VALUES (?, ?, ?)",
                (chat_id, words, time.time()),
            )

        application.bot_data[REMEMBER] = remember
    await application.initialize()
    return application


async def stop_echo(application: App) -> None:
    """Shut the echo bot down (and close its database, if any)."""
    await application.shutdown()
    db: aiosqlite.Connection | None = application.bot_data.pop("db", None)
    if db is not None:
        await db.close()


@dataclass
class Fed:
    """Wall and CPU time of one update fed in-process."""

    wall: float
    cpu: float
    main_cpu: float


async def feed(application: App, data: Json) -> Fed:
    """One update, as PTB's update fetcher hands it over: parsed from JSON, then through the
    application's update processor (ours: per-chat ordering) into `process_update`."""
    cpu0, main0, wall0 = time.process_time(), time.thread_time(), time.perf_counter()
    update = Update.de_json(data, application.bot)
    await application.update_processor.process_update(update, application.process_update(update))
    wall1, main1, cpu1 = time.perf_counter(), time.thread_time(), time.process_time()
    return Fed(wall1 - wall0, cpu1 - cpu0, main1 - main0)


PROBE_GROUP = 1_000_000


@dataclass
class Probe:
    """A last handler group that notes when each update is done (concurrent runs only)."""

    done: dict[int, float] = field(default_factory=dict)
    expected: int = 0
    event: asyncio.Event = field(default_factory=asyncio.Event)

    def expect(self, count: int) -> None:
        """Wait for `count` more updates."""
        self.expected = len(self.done) + count
        self.event.clear()

    async def seen(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Handler callback: this update went through every group."""
        self.done[update.update_id] = time.perf_counter()
        if len(self.done) >= self.expected:
            self.event.set()


async def submit_all(
    application: App, probe: Probe, updates: list[Json], patience: float
) -> tuple[dict[int, float], float]:
    """Hand every update to the running application's inbox at once, as the poller does
    after a big getUpdates batch; wait until the probe saw them all.

    Returns each update's submission time and the moment the last one was done."""
    submitted: dict[int, float] = {}
    probe.expect(len(updates))
    for data in updates:
        submitted[int(data["update_id"])] = time.perf_counter()
    # Through the inbox, as both receivers do: stored, then handled per chat in order.
    await inbox_of(application).receive(updates)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(probe.event.wait(), patience)
    last = max((probe.done.get(uid, 0.0) for uid in submitted), default=0.0)
    return submitted, last


PERSONS_PER_WORKER = 40


async def join_persons(
    services: Services, api: FakeBotApi, count: int, *, first_uid: int
) -> list[SimUser]:
    """Workers and consented persons through the use cases (invitation, then consent), as
    `/start <code>` and the "J'accepte" button do; not timed."""
    users = [SimUser(api, first_uid + index, first_name=f"P{index}") for index in range(count)]
    workers = [first_uid + 5_000_000 + index for index in range(0, count, PERSONS_PER_WORKER)]
    await join_accounts(services, [user.id for user in users], workers)
    return users


async def join_accounts(services: Services, persons: list[int], workers: list[int]) -> None:
    """Persons (Telegram user ids) joined and consented, `PERSONS_PER_WORKER` per worker (the
    next id of `workers` each time), through the use cases; not timed."""
    worker = None
    for index, uid in enumerate(persons):
        if index % PERSONS_PER_WORKER == 0:
            worker_uid = workers[index // PERSONS_PER_WORKER]
            worker, issued = await services.invitations.invite_worker(f"Intervenante {index}", None)
            worker = await services.workers.join(
                issued.invitation, f"telegram:{worker_uid}", chat_id=worker_uid, language="fr"
            )
        assert worker is not None
        account = f"telegram:{uid}"
        issued = await services.invitations.invite_person(worker, f"Personne {index}")
        token = services.consent.token(issued.invitation.id, account)
        await services.consent.accept(
            issued.invitation.id, token, account, chat_id=uid, language="fr"
        )


async def drain_outbox(services: Services, patience: float = 60.0) -> None:
    """Wait until the courier delivered every queued notice that is due (joins notify the
    worker; at night, in the worker's quiet hours, that notice waits for the morning)."""
    deadline = time.monotonic() + patience
    while (due := await services.storage.next_outbox_due()) is not None:
        if due > services.clock.now():
            return
        if time.monotonic() > deadline:
            raise TimeoutError("the outbox did not drain")
        await asyncio.sleep(0.02)
