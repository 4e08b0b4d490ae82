"""What an operator can get wrong, told in one French sentence: no traceback, never the token.

`equipage` turns these exceptions into a sentence and an exit code instead of a traceback.
The exit code tells systemd what to do: CONFIGURATION (a person must fix a setting, restarting
is pointless) or TEMPORARY (the network, a full disk: restarting later may heal it)."""

from __future__ import annotations

import binascii
import errno
import socket
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError

from bot.config import Settings
from bot.i18n import ui_text
from bot.storage.addresses import without_password
from bot.storage.crypto import DecryptionError, key_path

# sysexits.h: 2 is argparse's "usage" code, which we share for settings a person must fix;
# 75 (EX_TEMPFAIL) asks to try again later. deploy/equipage.service relies on both.
CONFIGURATION = 2
TEMPORARY = 75
OTHER = 1


@dataclass(frozen=True)
class Failure:
    """The sentence to print and the process's exit code."""

    sentence: str
    exit_code: int


class OperatorError(Exception):
    """A failure already put into words (and its exit code) where it was detected."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.sentence)
        self.failure = failure


def _causes(error: BaseException) -> list[BaseException]:
    """The error and what it was raised from, innermost last (httpx wraps socket errors)."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _is_dns_failure(error: BaseException) -> bool:
    chain = _causes(error)
    if any(isinstance(cause, socket.gaierror) for cause in chain):
        return True
    # httpx keeps only the text of the resolver's error.
    words = ("name resolution", "name or service not known", "nodename nor servname")
    return any(word in str(cause).lower() for cause in chain for word in words)


def _telegram_failure(error: TelegramError) -> Failure:
    # InvalidToken's own text contains the token: it is never printed, only recognised.
    if isinstance(error, InvalidToken):
        return Failure(ui_text("cli.token_refused"), CONFIGURATION)
    if isinstance(error, BadRequest):
        if "webhook" in error.message.lower():
            return Failure(ui_text("cli.webhook_refused"), CONFIGURATION)
        return Failure(ui_text("cli.telegram_refused"), OTHER)
    if isinstance(error, NetworkError):
        if _is_dns_failure(error):
            return Failure(ui_text("cli.dns_failure"), TEMPORARY)
        return Failure(ui_text("cli.telegram_unreachable"), TEMPORARY)
    return Failure(ui_text("cli.telegram_refused"), OTHER)


def _file_failure(error: OSError, settings: Settings) -> Failure | None:
    if error.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return Failure(ui_text("cli.disk_full"), TEMPORARY)
    if error.errno == errno.EADDRINUSE:
        return Failure(ui_text("cli.port_in_use", port=settings.listen_port), CONFIGURATION)
    if isinstance(error, PermissionError) and error.filename is None:
        # bind() below 1024 without the right to: no file name, a port.
        return Failure(ui_text("cli.port_forbidden", port=settings.listen_port), CONFIGURATION)
    if error.filename is not None:
        # Not ours to read: another owner, a folder where a file should be, a missing mount.
        path = Path(error.filename)
        if settings.data_keys is None and path == key_path(settings.database):
            return Failure(ui_text("cli.key_unreadable", path=path), CONFIGURATION)
        if path.name.startswith(settings.database.name) and path.parent == settings.database.parent:
            # The database itself, or its -wal / -shm companions.
            return Failure(
                ui_text("cli.database_unreadable", path=settings.database), CONFIGURATION
            )
        return Failure(ui_text("cli.path_unreadable", path=path), CONFIGURATION)
    return None


def _database_failure(error: sqlite3.DatabaseError, settings: Settings) -> Failure:
    text = str(error).lower()
    # SQLITE_FULL is a full disk; SQLITE_IOERR_* a write the system refused (a quota, the
    # file size limit, a failing disk): the fix starts the same way.
    name = getattr(error, "sqlite_errorname", "") or ""
    if "full" in text or name.startswith("SQLITE_IOERR"):
        return Failure(ui_text("cli.disk_full"), TEMPORARY)
    if "not a database" in text or "malformed" in text:
        return Failure(ui_text("cli.database_not_sqlite", path=settings.database), CONFIGURATION)
    return Failure(ui_text("cli.database_unreadable", path=settings.database), CONFIGURATION)


def _postgresql_failure(error: BaseException, settings: Settings) -> Failure | None:
    """The server down or refusing us: said with its address (never its password)."""
    if settings.database_url is None:
        return None
    import asyncpg  # here only: on SQLite the start-up never pays for importing it

    address = without_password(settings.database_url)
    if isinstance(
        error, asyncpg.InvalidAuthorizationSpecificationError | asyncpg.InvalidCatalogNameError
    ):
        return Failure(ui_text("cli.postgresql_refused", address=address), CONFIGURATION)
    # Not any OSError: an unreadable key file is a file failure, said as such below.
    unreachable = ConnectionError | TimeoutError | socket.gaierror | asyncpg.CannotConnectNowError
    if isinstance(error, unreachable):
        return Failure(ui_text("cli.postgresql_unreachable", address=address), TEMPORARY)
    return None


def explain(error: BaseException, settings: Settings) -> Failure | None:
    """The sentence for a failure the operator caused, or None for a bug (kept as traceback)."""
    for cause in _causes(error):
        if isinstance(cause, OperatorError):
            return cause.failure
        server = _postgresql_failure(cause, settings)
        if server is not None:
            return server
        if isinstance(cause, TelegramError):
            return _telegram_failure(cause)
        if isinstance(cause, DecryptionError):
            return Failure(ui_text("cli.key_wrong"), CONFIGURATION)
        if isinstance(cause, sqlite3.DatabaseError):
            return _database_failure(cause, settings)
        if isinstance(cause, OSError):
            found = _file_failure(cause, settings)
            if found is not None:
                return found
        if isinstance(cause, binascii.Error):
            return Failure(
                ui_text("cli.key_malformed", path=key_path(settings.database)), CONFIGURATION
            )
    return None
