"""One bot per database, even through a hard link or a symbolic link in another folder."""

from __future__ import annotations

import os
from pathlib import Path

from bot.storage.lock import DataLock


def _database(folder: Path) -> Path:
    folder.mkdir()
    database = folder / "equipage.sqlite3"
    database.write_bytes(b"")
    return database


def test_a_hard_link_in_another_folder_meets_the_same_lock(tmp_path: Path) -> None:
    """The audit: a hard link ran two bots on one database."""
    database = _database(tmp_path / "data")
    (tmp_path / "other").mkdir()
    linked = tmp_path / "other" / "equipage.sqlite3"
    os.link(database, linked)
    first = DataLock(database)
    assert first.acquire()
    try:
        assert not DataLock(linked).acquire()
    finally:
        first.release()
    again = DataLock(linked)
    assert again.acquire()
    again.release()


def test_a_symbolic_link_meets_the_same_lock(tmp_path: Path) -> None:
    database = _database(tmp_path / "data")
    (tmp_path / "other").mkdir()
    linked = tmp_path / "other" / "equipage.sqlite3"
    linked.symlink_to(database)
    first = DataLock(database)
    assert first.acquire()
    try:
        assert not DataLock(linked).acquire()
    finally:
        first.release()


def test_the_same_folder_is_still_refused_and_released(tmp_path: Path) -> None:
    database = _database(tmp_path / "data")
    first = DataLock(database)
    assert first.acquire()
    assert not DataLock(database).acquire()
    first.release()
    first.release()  # idempotent
    second = DataLock(database)
    assert second.acquire()
    second.release()
