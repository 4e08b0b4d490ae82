"""`equipage admin …`: what the service's manager or IT does from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from telegram import Bot

from bot.i18n import ui_text
from bot.pictures.qr import qr_png
from bot.services import Services
from bot.usecases.invitations import invitation_link
from bot.usecases.workers import UnknownPerson, UnknownWorker


def add_admin_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Declare `equipage admin <action>` and its options."""
    admin = commands.add_parser("admin", help=ui_text("cli.admin_help"))
    actions = admin.add_subparsers(dest="action", required=True)
    invite = actions.add_parser("invite-worker", help=ui_text("cli.invite_worker_help"))
    invite.add_argument("--name", required=True, help=ui_text("cli.worker_name_help"))
    invite.add_argument("--structure", help=ui_text("cli.structure_help"))
    actions.add_parser("workers", help=ui_text("cli.workers_help"))
    actions.add_parser("persons", help=ui_text("cli.persons_help"))
    deactivate = actions.add_parser("deactivate-worker", help=ui_text("cli.deactivate_help"))
    deactivate.add_argument("worker", type=int, help=ui_text("cli.worker_id_help"))
    transfer = actions.add_parser("transfer", help=ui_text("cli.transfer_help"))
    transfer.add_argument("--person", type=int, required=True, help=ui_text("cli.person_id_help"))
    transfer.add_argument(
        "--to-worker", type=int, required=True, help=ui_text("cli.worker_id_help")
    )


async def bot_username(services: Services) -> str:
    """The bot's @username, asked of Telegram (links are t.me/<username>?start=…)."""
    settings = services.settings
    assert settings.token is not None
    base = settings.api_base_url
    bot = Bot(
        settings.token,
        base_url=f"{base}/bot" if base else "https://api.telegram.org/bot",
        base_file_url=f"{base}/file/bot" if base else "https://api.telegram.org/file/bot",
    )
    async with bot:
        return bot.username


def _save_qr(data_dir: Path, worker_id: int, link: str) -> Path:
    """Write the invitation's QR code beside the database; only its owner may read it."""
    folder = data_dir / "invitations"
    folder.mkdir(parents=True, exist_ok=True)
    picture = folder / f"intervenant-{worker_id}.png"
    picture.write_bytes(qr_png(link))
    picture.chmod(0o600)
    return picture.resolve()


async def run_admin(args: argparse.Namespace, services: Services, out: TextIO) -> int:
    """Carry out one admin action; returns the exit code."""
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
            picture = _save_qr(services.settings.database.parent, worker.id, link)
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
