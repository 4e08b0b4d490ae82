"""`equipage admin rotate-key`, `migrate` and `backup`: what IT does with the data as a whole.

Apart from the rest of `equipage admin` (bot/admin.py), which acts on persons and workers,
because these act on the store itself: its key, its copy, its move to PostgreSQL. Rotating a
key file and migrating refuse to run under a live bot (the data lock): it would lose writes.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TextIO

from bot.i18n import Translator
from bot.services import Services
from bot.storage.addresses import is_postgresql, without_password
from bot.storage.crypto import (
    Cipher,
    encode_key,
    key_path,
    new_key,
    read_key_file,
    write_key_file,
)
from bot.storage.database import Database
from bot.storage.lock import DataLock
from bot.storage.postgresql import PostgresStorage
from bot.storage.tables.erasures import erased_file
from bot.storage.transfer import TransferRefused, copy_to_postgresql


async def rotate_key(services: Services, out: TextIO, tr: Translator) -> int:
    """A new key for everything, crash-safe: both keys stay readable until every blob is moved."""
    settings = services.settings
    storage = services.storage
    if settings.data_keys is not None:
        # Keys from the environment: we cannot write them; guide the deployer through it.
        if len(settings.data_keys) == 1:
            proposal = f"{encode_key(new_key())},{encode_key(settings.data_keys[0])}"
            out.write(tr.message("cli.rotate_env_step1", keys=proposal) + "\n")
            return 0
        moved = await storage.reencrypt_all(Cipher(settings.data_keys))
        out.write(tr.message("cli.rotate_env_step2", count=moved) + "\n")
        return 0
    lock = DataLock(settings.database)
    if not lock.acquire():
        # A running bot only knows the old key: rotating under it would lose its new writes.
        out.write(tr.message("cli.rotate_stop_first") + "\n")
        return 1
    path = key_path(settings.database)
    old_keys = read_key_file(path)
    fresh = new_key()
    write_key_file(path, [fresh, *old_keys])
    moved = await storage.reencrypt_all(Cipher([fresh, *old_keys]))
    # Backups made before today still need the old key: it is kept aside, not destroyed.
    kept = path.with_name(f"{path.name}.avant-{services.clock.now():%Y%m%d-%H%M%S}")
    write_key_file(kept, old_keys)
    write_key_file(path, [fresh])
    lock.release()
    out.write(tr.message("cli.rotate_done", count=moved, path=str(path), old=str(kept)) + "\n")
    return 0


async def migrate(services: Services, target: str, out: TextIO, tr: Translator) -> int:
    """`admin migrate --vers postgresql://…`: copy this SQLite database into an empty
    PostgreSQL one, then prove the key opens what arrived there."""
    settings = services.settings
    if settings.database_url is not None:
        out.write(tr.message("cli.migrate_from_postgresql") + "\n")
        return 1
    if not is_postgresql(target):
        out.write(tr.message("cli.migrate_not_postgresql") + "\n")
        return 2
    lock = DataLock(settings.database)
    if not lock.acquire():
        # A running bot would go on writing to SQLite after the copy: those writes would be lost.
        out.write(tr.message("cli.migrate_stop_first") + "\n")
        return 1
    address = without_password(target)
    try:
        copied = await copy_to_postgresql(
            settings.database,
            target,
            lambda entry: out.write(
                tr.message("cli.migrate_table", table=entry.table, count=entry.rows) + "\n"
            ),
        )
    except TransferRefused as refused:
        out.write(tr.message(refused.key, address=address, **refused.params) + "\n")
        return 1
    finally:
        lock.release()
    source = services.storage
    # The composition root knows the backend: the copy is opened with the source's own keys.
    assert isinstance(source, Database)
    arrived = PostgresStorage(target, source.cipher, settings.database)
    await arrived.open_without_migrating()
    try:
        await arrived.check_key()
    finally:
        await arrived.close()
    rows = sum(entry.rows for entry in copied)
    out.write(tr.message("cli.migrate_done", tables=len(copied), rows=rows, address=address) + "\n")
    return 0


async def backup(services: Services, target: Path, out: TextIO, tr: Translator) -> int:
    """`admin backup FICHIER`: a consistent copy of the SQLite database, beside the list of
    erased persons."""
    if services.settings.database_url is not None:
        out.write(tr.message("cli.backup_postgresql") + "\n")
        return 1
    try:
        await services.storage.backup_to(target)
    except FileExistsError:
        out.write(tr.message("cli.backup_exists", path=str(target)) + "\n")
        return 1
    _copy_erased_list(services, target)
    out.write(tr.message("cli.backup_done", path=str(target)) + "\n")
    return 0


def _copy_erased_list(services: Services, backup: Path) -> None:
    """Keep the newest list of erased persons beside the backups (replacing the older one):
    a server rebuilt from a backup then erases again whoever left after that backup."""
    source = erased_file(services.settings.database)
    target = erased_file(backup)
    if source.exists() and source.resolve() != target.resolve():
        temporary = target.with_suffix(".tmp")
        shutil.copyfile(source, temporary)
        temporary.chmod(0o600)
        temporary.replace(target)
