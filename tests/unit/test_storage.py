"""The SQLite storage: migrations, durability settings, encryption at rest, runs."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage.common import TableStorage
from bot.storage.crypto import Cipher, DecryptionError, load_or_create_key
from bot.storage.sqlite import SqliteStorage, migration_files
from tests.stored import INTEGRITY_ERRORS, everything_stored

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
SECRET_WORDS = "Je dors dans ma voiture depuis mars"


async def test_migrations_apply_once_and_enable_wal_and_foreign_keys(tmp_path: Path) -> None:
    key = os.urandom(32)
    path = tmp_path / "db.sqlite3"
    for _ in range(2):
        store = SqliteStorage(path, Cipher(key))
        await store.open()
        assert await store.schema_version() == migration_files()[-1][0]
        await store.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == len(
            migration_files()
        )


async def test_answers_are_encrypted_at_rest(storage: TableStorage) -> None:
    person = await storage.get_or_create_person("telegram:1", chat_id=1, language="fr", now=NOW)
    run = await storage.start_run(person.id, "probleme", 1, {"answers": {"x": SECRET_WORDS}}, NOW)
    await storage.save_turn(
        run, {"answers": {"x": SECRET_WORDS, "y": 7}}, finished=False, scale_mode=None, now=NOW
    )
    await storage.close()
    raw = await everything_stored(storage)
    assert SECRET_WORDS.encode() not in raw
    assert b"voiture" not in raw
    await storage.open()
    stored = await storage.get_run(run.id)
    assert stored is not None and stored.state["answers"]["x"] == SECRET_WORDS


async def test_one_active_run_per_dialogue_and_versions_newest_first(
    storage: TableStorage,
) -> None:
    person = await storage.get_or_create_person("telegram:2", chat_id=2, language="fr", now=NOW)
    first = await storage.start_run(person.id, "forces", 1, {"n": 1}, NOW)
    with pytest.raises(INTEGRITY_ERRORS):
        await storage.start_run(person.id, "forces", 1, {"n": 2}, NOW)
    await storage.save_turn(first, {"n": 1}, finished=True, scale_mode="emoji", now=NOW)
    second = await storage.start_run(person.id, "forces", 1, {"n": 2}, NOW + timedelta(days=1))
    await storage.save_turn(
        second, {"n": 2}, finished=True, scale_mode=None, now=NOW + timedelta(days=1)
    )
    versions = await storage.finished_runs(person.id, "forces")
    assert [v.state["n"] for v in versions] == [2, 1]
    refreshed = await storage.person_by_account("telegram:2")
    assert refreshed is not None
    assert refreshed.scale_mode == "emoji"
    assert refreshed.current_run_id is None


async def test_finishing_clears_the_current_run_only_if_it_is_current(
    storage: TableStorage,
) -> None:
    person = await storage.get_or_create_person("telegram:3", chat_id=3, language="fr", now=NOW)
    idees = await storage.start_run(person.id, "idees", 1, {}, NOW)
    probleme = await storage.start_run(person.id, "probleme", 1, {}, NOW)
    await storage.save_turn(idees, {}, finished=True, scale_mode=None, now=NOW)
    refreshed = await storage.person_by_account("telegram:3")
    assert refreshed is not None and refreshed.current_run_id == probleme.id


async def test_get_or_create_person_is_idempotent(storage: TableStorage) -> None:
    a = await storage.get_or_create_person("telegram:4", chat_id=4, language="en", now=NOW)
    b = await storage.get_or_create_person("telegram:4", chat_id=4, language="fr", now=NOW)
    assert a.id == b.id and b.language == "en"


def test_cipher_detects_tampering_and_wrong_purpose() -> None:
    cipher = Cipher(os.urandom(32))
    blob = cipher.encrypt(b"secret", b"purpose")
    assert cipher.decrypt(blob, b"purpose") == b"secret"
    with pytest.raises(DecryptionError):
        cipher.decrypt(blob, b"other")
    with pytest.raises(DecryptionError):
        cipher.decrypt(blob[:-1] + bytes([blob[-1] ^ 1]), b"purpose")
    with pytest.raises(DecryptionError):
        Cipher(os.urandom(32)).decrypt(blob, b"purpose")


def test_key_file_is_created_once_with_owner_only_permissions(tmp_path: Path) -> None:
    database = tmp_path / "data" / "equipage.sqlite3"
    key = load_or_create_key(database, None)
    key_file = database.parent / "equipage.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_or_create_key(database, None) == key
    configured = os.urandom(32)
    assert load_or_create_key(database, configured) == [configured]


async def test_rotating_the_key_reencrypts_everything_and_old_blobs_stay_readable_meanwhile(
    make_storage: Callable[[Cipher], TableStorage],
) -> None:
    old, new = os.urandom(32), os.urandom(32)
    store = make_storage(Cipher(old))
    await store.open()
    person = await store.get_or_create_person("telegram:5", chat_id=5, language="fr", now=NOW)
    await store.start_run(person.id, "probleme", 1, {"answers": {"x": SECRET_WORDS}}, NOW)
    # During the rotation both keys are in the ring: old blobs still open.
    # The run's state and the key probe.
    assert await store.reencrypt_all(Cipher([new, old])) == 2
    await store.close()

    only_new = make_storage(Cipher(new))
    await only_new.open()
    runs = await only_new.active_runs(person.id)
    assert runs[0].state["answers"]["x"] == SECRET_WORDS
    await only_new.close()
    only_old = make_storage(Cipher(old))
    with pytest.raises(DecryptionError):  # refused at start by the key probe
        await only_old.open()
    await only_old.close()
