"""Storage safe by default: row-bound ciphertexts, no silent new key, a key checked at start,
owner-only files whatever the umask, a consent secret that survives a key rotation."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings
from bot.services import build_services
from bot.storage import sqlite as sqlite_module
from bot.storage.crypto import Cipher, DecryptionError, key_path, new_key, write_key_file
from bot.storage.sqlite import SqliteStorage
from bot.storage.tables.keys import WrongKeyError

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


async def _two_persons_with_summaries(storage: SqliteStorage) -> tuple[int, int]:
    alice = await storage.get_or_create_person("telegram:1", chat_id=1, language="fr", now=NOW)
    bruno = await storage.get_or_create_person("telegram:2", chat_id=2, language="fr", now=NOW)
    await storage.save_draft(
        alice.id, None, {"sections": [], "sources": {}, "topics": "les mots d'Alice"}, NOW
    )
    await storage.save_draft(
        bruno.id, None, {"sections": [], "sources": {}, "topics": "les mots de Bruno"}, NOW
    )
    await storage.start_run(alice.id, "probleme", 1, {"answers": {"a": "Alice"}}, NOW)
    await storage.start_run(bruno.id, "probleme", 1, {"answers": {"a": "Bruno"}}, NOW)
    return alice.id, bruno.id


def _copy_column(database: Path, table: str, column: str, source: int, target: int) -> None:
    with closing(sqlite3.connect(database)) as connection:
        connection.execute(
            f"UPDATE {table} SET {column} = (SELECT {column} FROM {table} WHERE person_id = ?)"
            " WHERE person_id = ?",
            (source, target),
        )
        connection.commit()


async def test_a_ciphertext_moved_into_another_persons_row_fails_to_decrypt(
    tmp_path: Path,
) -> None:
    """The audit: A's summary copied into B's row decrypted as A's words for B's worker."""
    database = tmp_path / "db.sqlite3"
    storage = SqliteStorage(database, Cipher(os.urandom(32)))
    await storage.open()
    try:
        alice, bruno = await _two_persons_with_summaries(storage)
        _copy_column(database, "summaries", "content", alice, bruno)
        _copy_column(database, "dialogue_runs", "state", alice, bruno)
        with pytest.raises(DecryptionError):
            await storage.draft_of(bruno)
        with pytest.raises(DecryptionError):
            await storage.active_runs(bruno)
        # A's own rows are untouched and readable.
        draft = await storage.draft_of(alice)
        assert draft is not None and draft.content.get("topics") == "les mots d'Alice"
    finally:
        await storage.close()


async def test_migration_0009_rebinds_blobs_written_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "db.sqlite3"
    cipher = Cipher(os.urandom(32))
    every = sqlite_module.migration_files()
    monkeypatch.setattr(sqlite_module, "migration_files", lambda: [m for m in every if m[0] < 9])
    old = SqliteStorage(database, cipher)
    await old.open_without_migrating()
    await old._migrate()
    await old.close()
    # Blobs as the code before 0009 wrote them: bound to table.column only.
    with closing(sqlite3.connect(database)) as connection:
        connection.execute(
            "INSERT INTO persons (id, account, chat_id, language, created_at, last_seen_at,"
            " pseudonym) VALUES (7, 'telegram:7', 7, 'fr', ?, ?, ?)",
            (NOW.isoformat(), NOW.isoformat(), cipher.encrypt(b"Z.", b"persons.pseudonym")),
        )
        connection.execute(
            "INSERT INTO summaries (id, person_id, status, content, created_at)"
            " VALUES (3, 7, 'draft', ?, ?)",
            (
                cipher.encrypt(
                    b'{"sections":[],"sources":{},"topics":"mots"}', b"summaries.content"
                ),
                NOW.isoformat(),
            ),
        )
        connection.commit()
    monkeypatch.setattr(sqlite_module, "migration_files", lambda: every)
    storage = SqliteStorage(database, cipher)
    await storage.open()
    try:
        assert await storage.schema_version() >= 9
        person = await storage.get_person(7)
        assert person is not None and person.pseudonym == "Z."
        draft = await storage.draft_of(7)
        assert draft is not None and draft.content.get("topics") == "mots"
    finally:
        await storage.close()
    with closing(sqlite3.connect(database)) as connection:
        (blob,) = connection.execute("SELECT content FROM summaries WHERE id = 3").fetchone()
    with pytest.raises(DecryptionError):  # no longer readable with the old, unbound purpose
        cipher.decrypt(blob, b"summaries.content")


def _settings(tmp_path: Path) -> Settings:
    return load_settings(
        {
            "EQUIPAGE_DATABASE": str(tmp_path / "data" / "equipage.sqlite3"),
            "EQUIPAGE_DIALOGS": str(ROOT / "dialogs"),
            "EQUIPAGE_LOCALES": str(ROOT / "locales"),
        }
    )


async def _store_one_person(settings: Settings) -> None:
    services = build_services(settings)
    await services.storage.open()
    await services.storage.get_or_create_person("telegram:1", chat_id=1, language="fr", now=NOW)
    await services.storage.start_run(1, "probleme", 1, {"answers": {"a": "mots"}}, NOW)
    await services.storage.close()


async def test_a_missing_key_file_with_data_present_is_refused_not_replaced(
    tmp_path: Path,
) -> None:
    """The audit: a missing key file was silently replaced by a new key."""
    settings = _settings(tmp_path)
    await _store_one_person(settings)
    key_file = key_path(settings.database)
    key_file.unlink()
    with pytest.raises(ConfigError) as refused:
        build_services(settings)
    assert str(key_file) in str(refused.value)
    assert not key_file.exists()


async def test_a_first_start_creates_the_key(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    assert not settings.database.exists()
    build_services(settings)  # nothing encrypted yet: a new key is fine
    assert key_path(settings.database).exists()


async def test_a_wrong_key_is_refused_at_start(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    await _store_one_person(settings)
    write_key_file(key_path(settings.database), [new_key()])
    storage = build_services(settings).storage
    with pytest.raises(WrongKeyError):
        await storage.open()
    await storage.close()


@pytest.fixture
def loose_umask() -> Iterator[None]:
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def _mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


@pytest.mark.usefixtures("loose_umask")
async def test_files_are_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    """The audit: database 0644 and backups/ 0755 under a normal umask."""
    settings = _settings(tmp_path)
    services = build_services(settings)
    await services.storage.open()
    try:
        await services.storage.get_or_create_person("telegram:1", chat_id=1, language="fr", now=NOW)
        database = settings.database
        wal = database.with_name(database.name + "-wal")
        shm = database.with_name(database.name + "-shm")
        assert wal.exists() and shm.exists()
        for path in (database, wal, shm, key_path(database)):
            assert _mode(path) == "0o600", path
        assert _mode(database.parent) == "0o700"
        backup = tmp_path / "backups" / "copy.sqlite3"
        await services.storage.backup_to(backup)
        assert _mode(backup) == "0o600"
        assert _mode(backup.parent) == "0o700"
    finally:
        await services.storage.close()


async def test_the_consent_secret_survives_a_key_rotation(tmp_path: Path) -> None:
    """The audit: rotation broke consent buttons (their secret derived from the data key)."""
    settings = _settings(tmp_path)
    before = build_services(settings).consent.token(5, "telegram:9")
    old_keys = [new_key()]
    write_key_file(key_path(settings.database), old_keys)  # as `admin rotate-key` ends
    after = build_services(settings).consent.token(5, "telegram:9")
    assert after == before
    other_folder = replace(settings, database=tmp_path / "other" / "equipage.sqlite3")
    assert build_services(other_folder).consent.token(5, "telegram:9") != before


async def test_a_lone_surrogate_that_reaches_storage_is_kept_as_a_replacement_character(
    tmp_path: Path,
) -> None:
    """Whatever path a lone surrogate takes (webhook, a future transport), the write succeeds."""
    storage = SqliteStorage(tmp_path / "db.sqlite3", Cipher(os.urandom(32)))
    await storage.open()
    try:
        person = await storage.get_or_create_person("telegram:1", chat_id=1, language="fr", now=NOW)
        run = await storage.start_run(person.id, "probleme", 1, {"a": "loyer \ud83d cher"}, NOW)
        stored = await storage.get_run(run.id)
        assert stored is not None and stored.state == {"a": "loyer \ufffd cher"}
    finally:
        await storage.close()


@pytest.mark.usefixtures("loose_umask")
def test_invitation_pictures_are_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    from bot.invitation_pictures import write_invitation_picture

    where = tmp_path / "data" / "invitations"
    picture = write_invitation_picture(where, 3, "https://t.me/equipage_bot?start=abc")
    assert _mode(picture) == "0o600"
    assert _mode(picture.parent) == "0o700"


def test_writing_the_key_file_makes_its_folder_entry_durable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit: key rotation left no directory fsync (a power cut could undo the rename)."""
    from bot import paths
    from bot.storage import crypto

    synced: list[Path] = []

    def recording(path: Path) -> None:
        synced.append(path)
        paths.fsync_folder(path)

    monkeypatch.setattr(crypto, "fsync_folder", recording)
    path = tmp_path / "data" / "equipage.key"
    write_key_file(path, [new_key()])
    assert synced == [path.parent]


async def test_the_doctor_check_still_catches_a_wrong_key_before_migration_0009(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "db.sqlite3"
    right = Cipher(os.urandom(32))
    every = sqlite_module.migration_files()
    monkeypatch.setattr(sqlite_module, "migration_files", lambda: [m for m in every if m[0] < 9])
    old = SqliteStorage(database, right)
    await old.open_without_migrating()
    await old._migrate()
    await old.close()
    with closing(sqlite3.connect(database)) as connection:
        connection.execute(
            "INSERT INTO persons (id, account, chat_id, language, created_at, last_seen_at)"
            " VALUES (1, 'telegram:1', 1, 'fr', ?, ?)",
            (NOW.isoformat(), NOW.isoformat()),
        )
        connection.execute(
            "INSERT INTO dialogue_runs (person_id, dialogue_id, dialogue_version, status, state,"
            " started_at, updated_at) VALUES (1, 'probleme', 1, 'active', ?, ?, ?)",
            (right.encrypt(b"{}", b"dialogue_runs.state"), NOW.isoformat(), NOW.isoformat()),
        )
        connection.commit()
    for cipher, fits in ((right, True), (Cipher(os.urandom(32)), False)):
        looking = SqliteStorage(database, cipher)
        await looking.open_without_migrating()
        try:
            if fits:
                await looking.check_key()
            else:
                with pytest.raises(WrongKeyError):
                    await looking.check_key()
        finally:
            await looking.close()
