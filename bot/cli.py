"""The `equipage` command: run the bot, try the dialogues in the terminal."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable, Sequence
from types import FrameType
from typing import TYPE_CHECKING

from bot.admin_commands import add_admin_commands
from bot.config import ConfigError, Settings, load_dotenv, load_settings
from bot.engine import DialogueError
from bot.failures import CONFIGURATION, TEMPORARY, explain
from bot.french_argparse import FrenchArgumentParser
from bot.i18n import ui_text
from bot.logs import setup_logging
from bot.services import Services
from bot.storage.lock import DataLock

if TYPE_CHECKING:
    from bot.storage.leadership import Leadership

# The shell's code for "stopped by Ctrl-C".
INTERRUPTED = 130


def _version() -> str:
    # Imported only for --version: importlib.metadata costs `equipage run` ~30 ms to load.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("equipage")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "?"


class _VersionAction(argparse.Action):
    """argparse's --version, with the version looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        print(ui_text("cli.version", version=_version()))
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchArgumentParser(prog="equipage", description=ui_text("cli.description"))
    parser.add_argument(
        "--version",
        action=_VersionAction,
        help=ui_text("cli.version_help"),
    )
    commands = parser.add_subparsers(
        dest="command", required=True, title=ui_text("cli.commands_title"), metavar="COMMANDE"
    )
    commands.add_parser("run", help=ui_text("cli.run_help"))
    chat = commands.add_parser("chat", help=ui_text("cli.chat_help"))
    chat.add_argument(
        "--nom", dest="name", default="essai", metavar="NOM", help=ui_text("cli.chat_name_help")
    )
    commands.add_parser("doctor", help=ui_text("cli.doctor_help"))
    add_admin_commands(commands)
    return parser


def _fail(sentence: str, code: int = CONFIGURATION) -> int:
    print(sentence, file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `equipage` console script."""
    args = build_parser().parse_args(argv)
    load_dotenv()
    try:
        settings = load_settings()
    except ConfigError as error:
        return _fail(str(error))
    try:
        return _dispatch(settings, args)
    except DialogueError as error:
        return _fail(ui_text("cli.bad_dialogue", problem=str(error)))
    except ConfigError as error:  # e.g. the key file gone while encrypted data remains
        return _fail(str(error))
    except KeyboardInterrupt:
        return _fail(ui_text("cli.interrupted"), INTERRUPTED)
    except Exception as error:
        failure = explain(error, settings)
        if failure is None:
            raise  # a bug, not a set-up mistake: the traceback is for the developers
        return _fail(failure.sentence, failure.exit_code)


def _dispatch(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "run":
        return _run(settings)
    if args.command == "admin":
        return _interruptible(lambda: asyncio.run(_admin(settings, args)))
    if args.command == "doctor":
        from bot.doctor import doctor
        from bot.i18n import Catalogs

        translator = Catalogs.load(settings.dialogs_dir, settings.locales_dir).translator("fr")
        return asyncio.run(doctor(settings, translator, sys.stdout))
    return _interruptible(lambda: asyncio.run(_chat(settings, args.name)))


async def open_checked(services: Services) -> None:
    """Open the database (migrating it) and prove the key fits, before doing anything else.
    On failure the connection is closed: its thread would otherwise keep the process alive."""
    try:
        await services.storage.open()
        await services.storage.check_key()
    except BaseException:
        await services.storage.close()
        raise


def _run(settings: Settings) -> int:
    if settings.token is None:
        return _fail(ui_text("config.no_token"))
    from bot.services import build_services

    leadership: Leadership | None = None
    if settings.database_url is None:
        lock = DataLock(settings.database)
        if not lock.acquire():
            return _fail(ui_text("cli.already_running"))
    setup_logging()
    services = build_services(settings)
    if settings.database_url is not None and settings.webhook_url is None:
        # Polling replicas on one PostgreSQL database: one polls, the others wait to take
        # over. Webhook replicas are all active: they share lanes and jobs through claims
        # (bot/storage/claims.py).
        from bot.storage.leadership import Leadership

        leadership = Leadership(settings.database_url)
        leadership.acquire()
    try:
        served = _serve(settings, services)
    finally:
        if leadership is not None:
            leadership.release()
    if leadership is not None and leadership.lost:
        # Stopped because another replica may have taken over: a failure, so that the
        # supervisor starts this one again (as a replica that waits).
        return _fail(ui_text("cli.leadership_lost"), TEMPORARY)
    return served


def _serve(settings: Settings, services: Services) -> int:
    """Open the data, then serve Telegram until a signal (this process is the active one)."""
    from bot.telegram.app import build_application

    async def check_data() -> None:
        # A wrong key or an unreadable database is said now, not after waiting for Telegram.
        await open_checked(services)
        await services.storage.close()

    asyncio.run(check_data())
    application = build_application(services)
    if settings.webhook_url:
        from bot.telegram.webhook import run_webhook

        run_webhook(application, services)
        return 0
    from bot.telegram.polling import run_polling

    # Stops cleanly on SIGTERM and SIGINT: updates in progress finish first.
    run_polling(application, services)
    return 0


def _interruptible(command: Callable[[], int]) -> int:
    """Run a terminal command so that Ctrl-C stops it at once, cleanly.

    asyncio's own Ctrl-C handler only cancels the main task when the event loop gets control,
    which a blocking terminal read never gives it: the first Ctrl-C seemed to do nothing and the
    second printed a traceback. Raising KeyboardInterrupt where the program stands unwinds it
    (closing the database on the way), and `main` says goodbye."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        return command()
    finally:
        signal.signal(signal.SIGINT, previous)


async def _admin(settings: Settings, args: argparse.Namespace) -> int:
    from bot.admin import run_admin
    from bot.services import build_services

    services = build_services(settings)
    await open_checked(services)
    try:
        return await run_admin(args, services, sys.stdout, sys.stdin)
    finally:
        await services.storage.close()


async def _chat(settings: Settings, name: str) -> int:
    from bot.console import Console
    from bot.services import build_services

    services = build_services(settings)
    await open_checked(services)
    try:
        await Console(services, name, sys.stdin, sys.stdout).run()
    finally:
        await services.storage.close()
    return 0
