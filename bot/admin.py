"""`equipage admin …`: what the service's manager or IT does from the command line."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import TextIO

from bot.i18n import Translator, ui_text
from bot.invitation_pictures import remove_stale_pictures, save_invitation_picture
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
from bot.telegram.client import standalone_bot
from bot.usecases.invitations import invitation_link
from bot.usecases.workers import UnknownPerson, UnknownWorker


async def bot_username(services: Services) -> str:
    """The bot's @username, asked of Telegram (links are t.me/<username>?start=…)."""
    bot = standalone_bot(services.settings)
    async with bot:
        return bot.username


async def _rotate_key(services: Services, out: TextIO, tr: Translator) -> int:
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


async def _migrate(services: Services, target: str, out: TextIO, tr: Translator) -> int:
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


async def schedule_text(services: Services, person_id: int, tr: Translator) -> str:
    """`admin schedule --personne N`: kind, local time and status of what is scheduled."""
    items = await services.reminders.schedule_of(person_id)
    if not items:
        return tr.message("cli.schedule_none") + "\n"
    tz = services.settings.timezone
    return "".join(
        tr.message(
            "cli.schedule_line",
            date=tr.spoken(item.at, tz),
            kind=item.kind,
            status=tr.message(f"cli.schedule_{item.status}"),
        )
        + "\n"
        for item in items
    )


async def _erase(services: Services, args: argparse.Namespace, out: TextIO, inp: TextIO) -> int:
    """Erase one person at their request (a lost phone, a letter), after a confirmation."""
    tr = services.catalogs.translator("fr")
    person = await services.storage.get_person(args.person)
    if person is None or person.account.startswith("console:"):
        out.write(tr.message("cli.unknown_person") + "\n")
        return 1
    if not args.yes:
        out.write(tr.message("cli.erase_confirm", id=person.id, pseudonym=person.pseudonym or "-"))
        out.write(" ")
        out.flush()
        if inp.readline().strip().lower() != tr.message("cli.erase_yes_word"):
            out.write(tr.message("cli.erase_cancelled") + "\n")
            return 1
    await services.rights.erase(person, reason="admin")
    out.write(tr.message("cli.erase_done", id=person.id) + "\n")
    return 0


async def run_admin(
    args: argparse.Namespace, services: Services, out: TextIO, inp: TextIO | None = None
) -> int:
    """Carry out one admin action; returns the exit code."""
    await remove_stale_pictures(services)
    tr = services.catalogs.translator("fr")
    tz = services.settings.timezone
    match args.action:
        case "invite-worker":
            if services.settings.token is None:
                out.write(ui_text("config.no_token") + "\n")
                return 2
            username = await bot_username(services)
            worker, issued = await services.invitations.invite_worker(args.name, args.structure)
            link = invitation_link(username, issued.code)
            picture = save_invitation_picture(services, worker.id, link)
            out.write(
                tr.message(
                    "cli.worker_invited",
                    name=worker.name,
                    link=link,
                    path=str(picture),
                    date=tr.day(issued.invitation.expires_at, tz),
                )
                + "\n"
            )
        case "workers":
            listing = await services.workers.listing()
            if not listing:
                out.write(tr.message("cli.no_workers") + "\n")
            for entry in listing:
                key = (
                    "cli.worker_line_active" if entry.worker.active else "cli.worker_line_inactive"
                )
                joined = entry.worker.joined_at
                out.write(
                    tr.message(
                        key,
                        id=entry.worker.id,
                        name=entry.worker.name,
                        structure=entry.worker.structure or "-",
                        persons=entry.persons,
                        joined=tr.day(joined, tz) if joined else tr.message("cli.not_joined"),
                    )
                    + "\n"
                )
        case "persons":
            persons = [p for p in await services.storage.all_persons() if p.consented_at]
            if not persons:
                out.write(tr.message("cli.no_persons") + "\n")
            for found in persons:
                assert found.consented_at is not None
                out.write(
                    tr.message(
                        "cli.person_line",
                        id=found.id,
                        pseudonym=found.pseudonym or "-",
                        worker=found.worker_id or "-",
                        joined=tr.day(found.consented_at, tz),
                    )
                    + "\n"
                )
        case "erase":
            return await _erase(services, args, out, inp or sys.stdin)
        case "audit":
            if await services.storage.get_person(args.person) is None:
                out.write(tr.message("cli.unknown_person") + "\n")
                return 1
            entries = await services.storage.audit_of(args.person)
            if not entries:
                out.write(tr.message("cli.audit_none") + "\n")
            for access in entries:
                out.write(
                    tr.message(
                        "cli.audit_line",
                        date=tr.date_time(access.at, tz),
                        worker=access.worker_name or "-",
                        worker_id=access.worker_id,
                        action=tr.message(f"cli.audit_{access.action}"),
                    )
                    + "\n"
                )
        case "schedule":
            out.write(await schedule_text(services, args.person, tr))
        case "purge":
            days = services.settings.retention_days
            expired = await services.rights.expired(days)
            for found in expired:
                seen = found.last_seen_at or found.created_at
                out.write(tr.message("cli.purge_line", id=found.id, date=tr.day(seen, tz)) + "\n")
            if args.dry_run:
                out.write(tr.message("cli.purge_dry_run", count=len(expired), days=days) + "\n")
            else:
                share = services.settings.purge_max_percent
                erased = await services.rights.purge(days, share)
                out.write(tr.message("cli.purge_done", count=erased) + "\n")
        case "rotate-key":
            return await _rotate_key(services, out, tr)
        case "migrate":
            return await _migrate(services, args.to, out, tr)
        case "backup":
            target: Path = args.path
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
        case "stats":
            months = await services.storage.monthly_counts()
            if not months:
                out.write(tr.message("cli.stats_none") + "\n")
            out.write(tr.message("cli.stats_header") + "\n")
            for month, counts in months.items():
                out.write(
                    tr.message(
                        "cli.stats_line",
                        month=month,
                        persons=counts.get("persons_joined", 0),
                        dialogues=counts.get("dialogues_finished", 0),
                        summaries=counts.get("summaries_sent", 0),
                        agreements=counts.get("agreements_accepted", 0),
                    )
                    + "\n"
                )
        case "deactivate-worker":
            try:
                worker = await services.workers.deactivate(args.worker)
            except UnknownWorker:
                out.write(tr.message("cli.unknown_worker") + "\n")
                return 1
            out.write(tr.message("cli.worker_deactivated", name=worker.name) + "\n")
        case "transfer":
            try:
                worker = await services.workers.transfer(args.person, args.to_worker)
            except UnknownWorker:
                out.write(tr.message("cli.unknown_worker") + "\n")
                return 1
            except UnknownPerson:
                out.write(tr.message("cli.unknown_person") + "\n")
                return 1
            out.write(tr.message("cli.person_transferred", name=worker.name) + "\n")
    return 0
