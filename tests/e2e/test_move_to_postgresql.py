"""Moving up: `equipage admin migrate --vers postgresql://…` copies a SQLite database into an
empty PostgreSQL one, and a person mid-journey goes on where they stopped."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.config import POSTGRESQL_ANCHOR, Settings
from bot.i18n import ui_text
from bot.storage.addresses import without_password
from bot.storage.lock import DataLock
from tests.conftest import running_bot
from tests.e2e.helpers import (
    asked,
    expect,
    intro,
    invite,
    open_dialogue,
    option,
    person_joins,
    title,
    worker_joins,
)
from tests.e2e.test_invitations import admin
from tests.fakegram import FakeTelegram
from tests.stored import rows

TABLES = ("workers", "invitations", "persons", "dialogue_runs", "outbox", "erasures", "inbox")


def on_postgresql(settings: Settings, url: str) -> Settings:
    """The same service after the move: same data folder and key, the database in PostgreSQL."""
    return dataclasses.replace(
        settings, database_url=url, database=settings.database.parent / POSTGRESQL_ANCHOR
    )


async def test_a_person_mid_dialogue_goes_on_after_the_move_to_postgresql(
    fake_telegram: FakeTelegram, settings: Settings, empty_postgres_url: str, tmp_path: Path
) -> None:
    async with running_bot(settings) as first_run:
        severine, _ = await worker_joins(fake_telegram, first_run)
        omar = await person_joins(fake_telegram, first_run, "Omar", worker_user=severine)
        await open_dialogue(omar, title("probleme"))
        await expect(omar, intro("probleme"))
        await expect(omar, asked("probleme", "difficulte"))
        await omar.send("Les factures s'accumulent")
        await expect(omar, asked("probleme", "titre"))
        await omar.send("Factures")
        question = await expect(omar, asked("probleme", "concernes"))
    # While `equipage run` holds the data lock, the copy is refused: its writes would stay behind.
    running = DataLock(settings.database)
    assert running.acquire()
    try:
        refused = await admin(settings, "migrate", "--vers", empty_postgres_url)
    finally:
        running.release()
    assert refused.strip() == ui_text("cli.migrate_stop_first")

    before = {table: rows(settings, f"SELECT COUNT(*) FROM {table}") for table in TABLES}
    said = await admin(settings, "migrate", "--vers", empty_postgres_url)
    address = without_password(empty_postgres_url)
    lines = said.strip().splitlines()
    done = ui_text("cli.migrate_done", tables=len(lines) - 1, rows=_total(lines), address=address)
    assert lines[-1] == done
    moved = on_postgresql(settings, empty_postgres_url)
    assert {table: rows(moved, f"SELECT COUNT(*) FROM {table}") for table in TABLES} == before
    # A second copy into the same database is refused: it is not empty any more.
    again = await admin(settings, "migrate", "--vers", empty_postgres_url)
    assert again.strip() == ui_text("cli.migrate_not_empty", address=address)

    async with running_bot(moved):
        # The question asked before the move still takes its answer, then the next one comes.
        await omar.click(option("probleme", "concernes", "moi"), message=question)
        await omar.click(ui_text("engine.done"))
        await expect(omar, asked("probleme", "mieux"))
        await omar.send("Je paierais sans stress")
        await expect(omar, asked("probleme", "moments"))
        # New rows get new ids after the copied ones: a new invitation for Séverine works.
        assert await invite(severine, "Nadia")
    runs = rows(moved, "SELECT COUNT(*) FROM dialogue_runs WHERE status = 'active'")
    assert runs == [(1,)]


def _total(lines: list[str]) -> int:
    """The rows the command says it copied, from its per-table lines."""
    return sum(int(line.rstrip(".").rsplit(" ", 1)[1]) for line in lines[:-1])
