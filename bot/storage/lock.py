"""One bot per database: exclusive locks held while `equipage run` (or a key rotation) runs."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from bot.paths import private_file

LOCK_FILE_NAME = "equipage.lock"

# Descriptors of database files we locked and let go: never closed (see DataLock.release).
_kept_open: list[int] = []


class DataLock:
    """flock on a file beside the database, and on the database file itself.

    The second lock is on the file's inode: a hard link or a symbolic link to the same database
    in another folder meets it, where a lock file per folder would not. Both are released by
    the kernel even after a crash. SQLite's own locks are POSIX (fcntl) locks: independent of
    flock, but dropped for the whole process when *any* descriptor of the file is closed, so
    the database's descriptor is unlocked on release, never closed."""

    def __init__(self, database: Path) -> None:
        self._database = database
        self._path = database.parent / LOCK_FILE_NAME
        self._fds: list[int] = []

    def acquire(self) -> bool:
        """Take both locks without waiting; False if another process holds either."""
        private_file(self._path)
        # The database is created owner-only here if absent, so its inode can be locked.
        private_file(self._database)
        for path in (self._path, self._database.resolve()):
            fd = os.open(path, os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._let_go(fd, path)
                self.release()
                return False
            self._fds.append(fd)
        return True

    def _let_go(self, fd: int, path: Path) -> None:
        if path == self._path:
            os.close(fd)
        else:
            _kept_open.append(fd)

    def release(self) -> None:
        """Let go (idempotent)."""
        for fd, path in zip(self._fds, (self._path, self._database.resolve()), strict=False):
            fcntl.flock(fd, fcntl.LOCK_UN)
            self._let_go(fd, path)
        self._fds = []
