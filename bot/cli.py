"""The `equipage` command: run the bot, try the dialogues in the terminal."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from bot.admin import add_admin_commands, run_admin
from bot.config import ConfigError, Settings, load_dotenv, load_settings
from bot.engine import DialogueError
from bot.i18n import ui_text
from bot.logs import setup_logging
from bot.storage.lock import DataLock


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="equipage", description=ui_text("cli.description"))
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help=ui_text("cli.run_help"))
    chat = commands.add_parser("chat", help=ui_text("cli.chat_help"))
    chat.add_argument("--nom", default="essai", help=ui_text("cli.chat_name_help"))
    commands.add_parser("doctor", help=ui_text("cli.doctor_help"))
    add_admin_commands(commands)
    return parser


def _fail(sentence: str) -> int:
    print(sentence, file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `equipage` console script."""
    args = _parser().parse_args(argv)
    load_dotenv()
    try:
        settings = load_settings()
    except ConfigError as error:
        return _fail(str(error))
    try:
        if args.command == "run":
            return _run(settings)
        if args.command == "admin":
            return asyncio.run(_admin(settings, args))
        if args.command == "doctor":
            from bot.doctor import doctor
            from bot.i18n import Catalogs

            translator = Catalogs.load(settings.dialogs_dir, settings.locales_dir).translator("fr")
            return asyncio.run(doctor(settings, translator, sys.stdout))
        return asyncio.run(_chat(settings, args.nom))
    except DialogueError as error:
        return _fail(ui_text("cli.bad_dialogue", problem=str(error)))


def _run(settings: Settings) -> int:
    if settings.token is None:
        return _fail(ui_text("config.no_token"))
    from bot.services import build_services
    from bot.telegram.app import build_application

    lock = DataLock(settings.database)
    if not lock.acquire():
        return _fail(ui_text("cli.already_running"))
    setup_logging()
    services = build_services(settings)
    application = build_application(services)
    if settings.webhook_url:
        from bot.telegram.webhook import run_webhook

        run_webhook(application, services)
        return 0
    from bot.telegram.polling import run_polling

    # Polling stops cleanly on SIGTERM and SIGINT: updates in progress finish first.
    run_polling(application, services)
    return 0


async def _admin(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import build_services

    services = build_services(settings)
    await services.storage.open()
    try:
        return await run_admin(args, services, sys.stdout)
    finally:
        await services.storage.close()


async def _chat(settings: Settings, name: str) -> int:
    from bot.console import Console
    from bot.services import build_services

    services = build_services(settings)
    await services.storage.open()
    try:
        await Console(services, name, sys.stdin, sys.stdout).run()
    finally:
        await services.storage.close()
    return 0
