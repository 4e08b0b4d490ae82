"""Shared fixtures: a fake Telegram, settings on a fresh database, a running bot, and the
storage of one test on each backend (SQLite, and PostgreSQL on a server the tests start)."""

from __future__ import annotations

import asyncio
import base64
import itertools
import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from telegram.ext import Application

from bot.config import Settings, load_settings
from bot.services import Services, build_services
from bot.storage.common import TableStorage
from bot.storage.crypto import Cipher
from bot.storage.postgresql import PostgresStorage
from bot.storage.sqlite import SqliteStorage
from bot.telegram.app import build_application
from bot.telegram.polling import start_polling, stop_polling
from bot.usecases.clock import Clock
from tests.clock import DaytimeClock
from tests.fakegram import FakeTelegram
from tests.fakegram.fixtures import fake_telegram
from tests.postgres import ThrowawayServer

__all__ = ["fake_telegram"]

ROOT = Path(__file__).resolve().parent.parent


# Every test taking `backend` (through `make_storage`, `storage_on`, `pg_settings`…) runs on both.
BACKENDS = ("sqlite", "postgresql")
TEMPLATE = "equipage_template"
_databases = itertools.count(1)


class Postgres:
    """The session's throwaway server and its migrated template database."""

    def __init__(self, server: ThrowawayServer) -> None:
        self.server = server

    async def _admin(self, sql: str) -> None:
        connection = await asyncpg.connect(self.server.url())
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    async def _migrate_template(self) -> None:
        await self._admin(f"CREATE DATABASE {TEMPLATE}")
        # Schema only: the key probe is written by each test's storage, under its own key.
        storage = PostgresStorage(self.server.url(TEMPLATE), Cipher(os.urandom(32)), Path("-"))
        await storage.open_without_migrating()
        try:
            await storage._migrate()
        finally:
            await storage.close()

    def create(self) -> str:
        """A fresh, migrated, empty database; its address."""
        name = f"test_{os.getpid()}_{next(_databases)}"
        asyncio.run(self._admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}"))
        return name

    def drop(self, name: str) -> None:
        """Forget a test's database (a connection left open by the test is cut)."""
        asyncio.run(self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL server for the whole session, started here. No server binaries: every
    test needing it fails with the reason (never skipped)."""
    server = ThrowawayServer()
    try:
        server.start()
        cluster = Postgres(server)
        asyncio.run(cluster._migrate_template())
        yield cluster
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres: Postgres) -> Iterator[str]:
    """A fresh database for one test, cloned from the migrated template."""
    name = postgres.create()
    yield postgres.server.url(name)
    postgres.drop(name)


@pytest.fixture
def empty_postgres_url(postgres: Postgres) -> Iterator[str]:
    """A database with no table at all (what `equipage admin migrate --to` expects)."""
    name = f"empty_{os.getpid()}_{next(_databases)}"
    asyncio.run(postgres._admin(f"CREATE DATABASE {name}"))
    yield postgres.server.url(name)
    postgres.drop(name)


# Tests taking one of these run on both backends; others (most end-to-end tests) on SQLite,
# unless marked `both_backends`.
_STORAGE_FIXTURES = ("storage", "make_storage", "any_settings")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every storage and use-case test, and the journeys marked `both_backends`, run twice."""
    if "backend" not in metafunc.fixturenames:
        return
    marked = metafunc.definition.get_closest_marker("both_backends") is not None
    if marked or any(name in metafunc.fixturenames for name in _STORAGE_FIXTURES):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The storage backend this run of the test uses (SQLite unless parametrised)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def database_setting(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """EQUIPAGE_DATABASE for this test: a SQLite file, or a fresh PostgreSQL database."""
    if backend == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return str(tmp_path / "equipage.sqlite3")


@pytest.fixture
def make_storage(
    database_setting: str, backend: str, tmp_path: Path
) -> Callable[[Cipher], TableStorage]:
    """Storage on this test's database (not opened), with a given cipher; every call gives
    another handle on the same database."""

    def make(cipher: Cipher) -> TableStorage:
        if backend == "postgresql":
            return PostgresStorage(database_setting, cipher, tmp_path / "postgresql")
        return SqliteStorage(Path(database_setting), cipher)

    return make


@pytest.fixture
async def storage(make_storage: Callable[[Cipher], TableStorage]) -> AsyncIterator[TableStorage]:
    """Opened storage with a random key, on each backend; closed afterwards."""
    store = make_storage(Cipher(os.urandom(32)))
    await store.open()
    try:
        yield store
    finally:
        await store.close()


def settings_on(database: str, tmp_path: Path, fake_telegram: FakeTelegram) -> Settings:
    """Settings for one test on a given database (file path or postgresql:// address)."""
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    return load_settings(
        {
            "TELEGRAM_BOT_TOKEN": fake_telegram.token,
            "TELEGRAM_API_BASE_URL": fake_telegram.base_url,
            "EQUIPAGE_DATABASE": database,
            "EQUIPAGE_DATA_DIR": str(tmp_path),
            "EQUIPAGE_DATA_KEY": key,
            "EQUIPAGE_DIALOGS": str(ROOT / "dialogs"),
            # Scripted users type at machine speed; the limit itself has its own test.
            "EQUIPAGE_RATE_BURST": "100000",
            "EQUIPAGE_CHAT_BURST": "100000",
        }
    )


@pytest.fixture
def settings(database_setting: str, tmp_path: Path, fake_telegram: FakeTelegram) -> Settings:
    """Settings for one test: its own database (a SQLite file; a PostgreSQL database when the
    test runs on both backends) and key, the fake Bot API server."""
    return settings_on(database_setting, tmp_path, fake_telegram)


@pytest.fixture
def any_settings(settings: Settings) -> Settings:
    """`settings`, asked for by this name so that the test runs on both backends (use cases)."""
    return settings


@asynccontextmanager
async def running_bot(settings: Settings, clock: Clock | None = None) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """The real PTB Application, polling the fake server, stopped cleanly afterwards.

    Without a clock, time runs from a Tuesday 10h, so quiet hours never hold a message."""
    services: Services = build_services(settings, clock or DaytimeClock())
    application = build_application(services)
    await application.initialize()
    # post_init is only called by run_polling; starting by hand, we call it ourselves.
    if application.post_init is not None:
        await application.post_init(application)
    await start_polling(application, poll_seconds=1)
    await application.start()
    try:
        yield application
    finally:
        await stop_polling(application)
        await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


@pytest.fixture
async def bot(settings: Settings) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """A running bot for one test."""
    async with running_bot(settings) as application:
        yield application
