"""`equipage doctor`: checks what a deployer can get wrong, one line each, with the fix."""

from __future__ import annotations

import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.config import Settings
from bot.engine import DialogueError, load_dialogues
from bot.i18n import Translator
from bot.services import storage_for
from bot.storage.addresses import without_password
from bot.storage.common import TableStorage
from bot.storage.crypto import Cipher, DecryptionError, key_path, load_or_create_key
from bot.storage.postgresql import migration_files as postgresql_migrations
from bot.storage.sqlite import migration_files
from bot.telegram.client import standalone_bot
from bot.telegram.health import measure

# The migration that brought the inbox and the heartbeats.
INBOX_VERSION = 8


@dataclass(frozen=True)
class Check:
    """One line of the report."""

    ok: bool
    text: str


async def _storage_checks(settings: Settings, tr: Translator) -> list[Check]:
    checks: list[Check] = []
    postgresql = settings.database_url is not None
    if not postgresql and not settings.database.exists():
        # Looking must not create: the first start creates the database and the key.
        return [Check(True, tr.message("doctor.database_new", path=settings.database))]
    if settings.data_keys is not None:
        checks.append(Check(True, tr.message("doctor.key_env", count=len(settings.data_keys))))
    else:
        path = key_path(settings.database)
        if path.exists():
            mode = stat.S_IMODE(path.stat().st_mode)
            key = "doctor.key_file" if mode & 0o077 == 0 else "doctor.key_file_open"
            checks.append(Check(mode & 0o077 == 0, tr.message(key, path=path, mode=f"{mode:03o}")))
    if settings.data_keys is None and not key_path(settings.database).exists():
        # With PostgreSQL every replica needs the same key: one in the environment.
        key = "doctor.key_missing_postgresql" if postgresql else "doctor.key_missing"
        checks.append(Check(False, tr.message(key)))
        return checks
    keys = load_or_create_key(settings.database, settings.data_keys)
    storage = storage_for(settings, Cipher(keys))
    shown = without_password(settings.database_url) if settings.database_url else settings.database
    bundled = postgresql_migrations() if postgresql else migration_files()
    try:
        await storage.open_without_migrating()
        version = await storage.schema_version()
        pending = sum(1 for number, _, _ in bundled if number > version)
        if pending:
            checks.append(Check(True, tr.message("doctor.database_pending", count=pending)))
        else:
            text = tr.message("doctor.database", path=shown, version=version)
            checks.append(Check(True, text))
        try:
            await storage.check_key()
        except DecryptionError:
            checks.append(Check(False, tr.message("doctor.key_wrong")))
        if version >= INBOX_VERSION:
            checks += await _health_checks(storage, tr)
    except Exception as error:  # any failure to open is reported, not raised
        problem = type(error).__name__
        checks.append(Check(False, tr.message("doctor.database_bad", problem=problem)))
    finally:
        await storage.close()
    return checks


async def _health_checks(storage: TableStorage, tr: Translator) -> list[Check]:
    """The running bot's figures, as /healthz gives them (nothing when it never ran)."""
    health = await measure(storage, datetime.now(UTC), None, probe=False)
    if not await storage.heartbeats():
        return []
    figures = ", ".join(f"{name} {value}" for name, value in health.figures.items())
    if health.healthy:
        return [Check(True, tr.message("doctor.health", figures=figures))]
    stale = ", ".join(health.stale)
    return [Check(False, tr.message("doctor.health_stale", figures=figures, stale=stale))]


async def _telegram_checks(settings: Settings, tr: Translator) -> list[Check]:
    if settings.token is None:
        return [Check(False, tr.message("doctor.token_missing"))]
    bot = standalone_bot(settings)
    try:
        async with bot:
            checks = [Check(True, tr.message("doctor.token", username=bot.username))]
            info = await bot.get_webhook_info()
    except InvalidToken:
        return [Check(False, tr.message("doctor.token_refused"))]
    except NetworkError:
        return [Check(False, tr.message("doctor.telegram_unreachable"))]
    except TelegramError:
        return [Check(False, tr.message("doctor.token_refused"))]
    expected = settings.webhook_url
    if not info.url:
        key = "doctor.webhook_none"
        checks.append(Check(expected is None, tr.message(key)))
    elif expected is None:
        checks.append(Check(True, tr.message("doctor.webhook_set_but_polling", url=info.url)))
    elif info.url != expected:
        text = tr.message("doctor.webhook_other", url=info.url, expected=expected)
        checks.append(Check(False, text))
    else:
        pending = info.pending_update_count
        checks.append(Check(True, tr.message("doctor.webhook_ok", url=info.url, pending=pending)))
    if info.last_error_message:
        checks.append(
            Check(False, tr.message("doctor.webhook_error", error=info.last_error_message))
        )
    return checks


async def doctor(settings: Settings, tr: Translator, out: TextIO) -> int:
    """Print the report; 0 when everything is ready, 1 otherwise."""
    if settings.webhook_url:
        mode = tr.message("doctor.mode_webhook", url=settings.webhook_url)
    else:
        mode = tr.message("doctor.mode_polling")
    checks = [Check(True, tr.message("doctor.settings", mode=mode))]
    try:
        count = len(load_dialogues(settings.dialogs_dir))
        checks.append(Check(True, tr.message("doctor.dialogs", count=count)))
    except DialogueError as error:
        checks.append(Check(False, tr.message("doctor.dialogs_bad", problem=str(error))))
    checks += await _storage_checks(settings, tr)
    checks += await _telegram_checks(settings, tr)
    for check in checks:
        label = tr.message("doctor.ok" if check.ok else "doctor.problem")
        out.write(f"[{label}] {check.text}\n")
    problems = sum(not check.ok for check in checks)
    if problems:
        out.write(tr.message("doctor.summary_problems", count=problems) + "\n")
        return 1
    out.write(tr.message("doctor.summary_ok") + "\n")
    return 0
