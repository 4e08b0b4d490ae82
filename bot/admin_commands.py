"""The `equipage admin …` command line, declared: what each action is called and takes.

Apart from the actions themselves (bot/admin.py), which need the storage and Telegram's
client: `equipage run` builds this parser too, and should not import those to do it."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.i18n import ui_text


def add_admin_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Declare `equipage admin <action>` and its options (French names; the old English ones
    stay accepted, hidden, until the next release)."""
    admin = commands.add_parser("admin", help=ui_text("cli.admin_help"))
    actions = admin.add_subparsers(
        dest="action", required=True, title=ui_text("cli.actions_title"), metavar="ACTION"
    )
    invite = actions.add_parser("invite-worker", help=ui_text("cli.invite_worker_help"))
    invite.add_argument(
        "--nom",
        "--name",
        dest="name",
        required=True,
        metavar="NOM",
        help=ui_text("cli.worker_name_help"),
    )
    invite.add_argument("--structure", help=ui_text("cli.structure_help"))
    actions.add_parser("workers", help=ui_text("cli.workers_help"))
    actions.add_parser("persons", help=ui_text("cli.persons_help"))
    deactivate = actions.add_parser("deactivate-worker", help=ui_text("cli.deactivate_help"))
    deactivate.add_argument(
        "worker", type=int, metavar="NUMERO", help=ui_text("cli.worker_id_help")
    )
    audit = actions.add_parser("audit", help=ui_text("cli.audit_help"))
    _person_option(audit)
    erase = actions.add_parser("erase", help=ui_text("cli.erase_help"))
    _person_option(erase)
    erase.add_argument("--oui", dest="yes", action="store_true", help=ui_text("cli.yes_help"))
    schedule = actions.add_parser("schedule", help=ui_text("cli.schedule_help"))
    _person_option(schedule)
    purge = actions.add_parser("purge", help=ui_text("cli.purge_help"))
    purge.add_argument(
        "--essai",
        "--dry-run",
        dest="dry_run",
        action="store_true",
        help=ui_text("cli.dry_run_help"),
    )
    actions.add_parser("rotate-key", help=ui_text("cli.rotate_help"))
    backup = actions.add_parser("backup", help=ui_text("cli.backup_help"))
    backup.add_argument("path", type=Path, metavar="FICHIER", help=ui_text("cli.backup_path_help"))
    actions.add_parser("stats", help=ui_text("cli.stats_help"))
    migrate = actions.add_parser("migrate", help=ui_text("cli.migrate_help"))
    migrate.add_argument(
        "--vers",
        "--to",
        dest="to",
        required=True,
        metavar="ADRESSE",
        help=ui_text("cli.migrate_to_help"),
    )
    transfer = actions.add_parser("transfer", help=ui_text("cli.transfer_help"))
    _person_option(transfer)
    transfer.add_argument(
        "--vers-intervenant",
        "--to-worker",
        dest="to_worker",
        type=int,
        required=True,
        metavar="NUMERO",
        help=ui_text("cli.worker_id_help"),
    )


def _person_option(action: argparse.ArgumentParser) -> None:
    action.add_argument(
        "--personne",
        "--person",
        dest="person",
        type=int,
        required=True,
        metavar="NUMERO",
        help=ui_text("cli.person_id_help"),
    )
