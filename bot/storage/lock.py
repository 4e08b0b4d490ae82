"""One bot per data folder: an exclusive lock held while `equipage run` runs."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_FILE_NAME = "equipage.lock"


class DataLock:
    """flock on a file beside the database: released by the kernel even after a crash."""

    def __init__(self, database: Path) -> None:
        self._path = database.parent / LOCK_FILE_NAME
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False if another process holds it."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        """Let go (idempotent)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
