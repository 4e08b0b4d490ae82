"""`equipage admin …`: what the service's manager or IT does from the command line, about
persons and workers; the actions on the data store itself are in bot/admin_storage.py."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from bot.admin_storage import backup, migrate, rotate_key
from bot.i18n import Translator, ui_text
from bot.invitation_pictures import remove_stale_pictures, save_invitation_picture
from bot.services import Services
from bot.telegram.client import standalone_bot
from bot.usecases.invitations import invitation_link
from bot.usecases.workers import UnknownPerson, UnknownWorker


async def bot_username(services: Services) -> str:
    """The bot's @username, asked of Telegram (links are t.me/<username>?start=…)."""
    bot = standalone_bot(services.settings)
    async with bot:
        return bot.username


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
            return await rotate_key(services, out, tr)
        case "migrate":
            return await migrate(services, args.to, out, tr)
        case "backup":
            return await backup(services, args.path, out, tr)
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
