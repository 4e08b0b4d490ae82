"""The PostgreSQL backend's own pieces: its schema beside SQLite's, the SQL translation, the
settings that choose it."""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.config import ConfigError, load_settings
from bot.failures import TEMPORARY, Failure, explain
from bot.i18n import ui_text
from bot.storage.common import TableStorage
from bot.storage.crypto import Cipher
from bot.storage.leadership import WAIT_SECONDS, Leadership
from bot.storage.postgresql import PostgresStorage, translate
from bot.storage.sqlite import migration_files as sqlite_migrations

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def sqlite_columns() -> dict[str, set[str]]:
    """Every table's columns once every SQLite migration is applied."""
    connection = sqlite3.connect(":memory:")
    for _version, _name, sql in sqlite_migrations():
        connection.executescript(sql)
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'sqlite_sequence'"
        )
    ]
    return {
        table: {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
        for table in tables
    }


async def test_both_schemas_have_the_same_tables_and_columns(postgres_url: str) -> None:
    """A SQLite migration without its PostgreSQL twin (same number) fails here."""
    connection = await asyncpg.connect(postgres_url)
    try:
        rows = await connection.fetch(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name != 'schema_migrations'"
        )
        version = await connection.fetchval("SELECT MAX(version) FROM schema_migrations")
    finally:
        await connection.close()
    found: dict[str, set[str]] = {}
    for table, column in rows:
        found.setdefault(table, set()).add(column)
    assert found == sqlite_columns()
    assert version == sqlite_migrations()[-1][0], "add the PostgreSQL twin of each migration"


def test_placeholders_and_empty_blobs_are_translated() -> None:
    text, returns = translate("UPDATE inbox SET raw = X'' WHERE update_id = ? AND lane = ?")
    assert text == "UPDATE inbox SET raw = '\\x'::bytea WHERE update_id = $1 AND lane = $2"
    assert not returns
    serial = frozenset({"workers"})
    text, returns = translate("INSERT INTO workers (name) VALUES (?)", serial)
    assert text == "INSERT INTO workers (name) VALUES ($1) RETURNING id" and returns
    sql = "INSERT INTO inbox (update_id) VALUES (?) ON CONFLICT DO NOTHING"
    text, returns = translate(sql, serial)
    assert "RETURNING" not in text and not returns
    assert translate("SELECT 1")[1]


def test_a_postgresql_address_chooses_the_backend_and_its_settings(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "EQUIPAGE_DATABASE": "postgresql://bot@db.example/equipage",
            "EQUIPAGE_DATA_DIR": str(tmp_path),
            "EQUIPAGE_DATABASE_POOL": "25",
            "EQUIPAGE_DATABASE_TIMEOUT": "5",
        }
    )
    assert settings.database_url == "postgresql://bot@db.example/equipage"
    assert settings.database.parent == tmp_path
    assert (settings.database_pool, settings.database_timeout) == (25, 5.0)
    file_based = load_settings({"EQUIPAGE_DATABASE": str(tmp_path / "db.sqlite3")})
    assert file_based.database_url is None and file_based.database_pool == 10
    for name, value in (("EQUIPAGE_DATABASE_POOL", "0"), ("EQUIPAGE_DATABASE_TIMEOUT", "x")):
        with pytest.raises(ConfigError):
            load_settings({name: value})


async def test_two_replicas_writing_at_once_bind_every_ciphertext_to_its_own_row(
    postgres_url: str, tmp_path: Path
) -> None:
    """Ids come from sequences: two storages on one database never hand out the same id."""
    cipher = Cipher(os.urandom(32))
    replicas = [PostgresStorage(postgres_url, cipher, tmp_path / "postgresql") for _ in "ab"]
    for replica in replicas:
        await replica.open()
    try:
        worker = await replicas[0].create_worker("Séverine", None, NOW)

        async def invite(replica: TableStorage, number: int) -> int:
            invitation = await replica.create_invitation(
                kind="person",
                worker_id=worker.id,
                code_hash=os.urandom(32),
                pseudonym=f"personne {number}",
                now=NOW,
                expires_at=NOW + timedelta(days=7),
            )
            return invitation.id

        ids = await asyncio.gather(*(invite(replicas[number % 2], number) for number in range(20)))
        assert len(set(ids)) == 20
        for number, invitation_id in enumerate(ids):
            stored = await replicas[1].get_invitation(invitation_id)
            assert stored is not None and stored.pseudonym == f"personne {number}"
    finally:
        for replica in replicas:
            await replica.close()


async def test_one_replica_is_active_and_a_lost_connection_stops_it(postgres_url: str) -> None:
    """The second waits while the first is active; when the first's session is cut (as when
    its machine vanishes), the first stops itself and the second becomes active."""
    stopped = threading.Event()
    first = Leadership(postgres_url, on_lost=stopped.set)
    second = Leadership(postgres_url, on_lost=lambda: None)
    await asyncio.to_thread(first.acquire)
    waiting = asyncio.create_task(asyncio.to_thread(second.acquire))
    await asyncio.sleep(2 * WAIT_SECONDS)
    assert not waiting.done()
    admin = await asyncpg.connect(postgres_url)
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name LIKE 'equipage-leader-%' AND pid IN"
            " (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)"
        )
    finally:
        await admin.close()
    await asyncio.wait_for(waiting, timeout=10)
    assert await asyncio.to_thread(stopped.wait, 10) and first.lost
    second.release()
    first.release()


async def test_a_write_cancelled_inside_its_transaction_is_undone_and_the_next_one_works(
    storage: TableStorage,
) -> None:
    """As on SQLite (test_cancelled_writes.py): a stop's timeout cancelling a job mid-write."""
    inside = asyncio.Event()

    async def write_then_wait() -> None:
        async with storage._transaction() as db:
            await db.execute("INSERT INTO heartbeats (name, beat_at) VALUES (?, 'x')", ("gone",))
            inside.set()
            await asyncio.Event().wait()  # only a cancel gets it out

    job = asyncio.create_task(write_then_wait())
    await inside.wait()
    job.cancel()
    with pytest.raises(asyncio.CancelledError):
        await job
    await asyncio.wait_for(storage.beat("after", NOW), 30)
    assert set(await storage.heartbeats()) == {"after"}


async def test_a_server_that_does_not_answer_is_one_sentence_without_the_password(
    tmp_path: Path,
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql://equipage:secret-word@127.0.0.1:{port}/equipage"
    settings = load_settings({"EQUIPAGE_DATABASE": url, "EQUIPAGE_DATA_DIR": str(tmp_path)})
    storage = PostgresStorage(url, Cipher(os.urandom(32)), settings.database)
    with pytest.raises(OSError) as raised:
        await storage.open()
    failure = explain(raised.value, settings)
    address = f"postgresql://equipage:***@127.0.0.1:{port}/equipage"
    assert failure == Failure(ui_text("cli.postgresql_unreachable", address=address), TEMPORARY)
    assert "secret-word" not in failure.sentence
