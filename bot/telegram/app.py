"""The composition root: builds the PTB Application. It reads as a table of contents."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any, TypeAlias

import httpx
from telegram import BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    BaseRateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.jobs import Repeating, daily_purge, inbox_pruner, picture_sweeper, reminder_scanner
from bot.logs import quiet_token_leaks
from bot.services import Services
from bot.telegram import (
    agreed,
    anyone,
    buttons,
    common,
    joining,
    membership,
    person,
    rights,
    roles,
    summary,
    worker,
    worker_appointments,
)
from bot.telegram.delivery import OutboxCourier
from bot.telegram.health import Vitals
from bot.telegram.inbox import Inbox
from bot.telegram.marking import MarkFirstRequest
from bot.telegram.pacing import PacedRateLimiter
from bot.telegram.roles import IS_ADMIN, IS_PERSON, IS_STRANGER, IS_WORKER
from bot.telegram.settings import pause_command, resume_command, settings_command
from bot.telegram.surrogates import CleanTextRequest
from bot.usecases.sharing import SharedWork

log = logging.getLogger(__name__)

# Seconds after start-up at which the command menu is registered: polling has begun by then.
COMMANDS_AFTER = 1.0

# (command, UI text key of its description), as a person's menu shows them.
PERSON_COMMANDS = (
    ("menu", "bot.command_menu"),
    ("preparer", "summary.command_prepare"),
    ("convenu", "agreement.command_agreed"),
    ("aide", "bot.command_help"),
    ("annuler", "bot.command_cancel"),
    ("retour", "bot.command_back"),
    ("urgence", "bot.command_emergency"),
    ("reglages", "settings.command_settings"),
    ("pause", "settings.command_pause"),
    ("reprendre", "settings.command_resume"),
    ("mes_donnees", "rights.command_export"),
    ("effacer", "rights.command_erase"),
    ("langue", "bot.command_language"),
)

# Seconds between two counts of the live replicas (each takes its share of the send rate).
SHARE_EVERY = 5.0

# The builder's defaults (ExtBot, dict data, no job queue); spelled out once here.
App: TypeAlias = Application[Any, Any, Any, Any, Any, Any]


def build_application(
    services: Services,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    rate_limiter: BaseRateLimiter[Any] | None = None,
) -> App:
    """The bot: handlers in the order they apply, background delivery, lifecycle.

    The keyword arguments replace the HTTP client and the rate limiter: the benchmark answers
    the Bot API in-process, without Telegram's global caps."""
    settings = services.settings
    if settings.token is None:
        raise ValueError("a token is required to build the Telegram application")
    quiet_token_leaks(settings.token)
    vitals = Vitals(lambda: services.clock.now().timestamp())
    builder = (
        Application.builder()
        .token(settings.token)
        # No PTB Updater: updates come through our inbox (bot/telegram/inbox.py), which
        # stores them before they are acknowledged and feeds them per chat, in order.
        .updater(None)
        .rate_limiter(
            rate_limiter
            or PacedRateLimiter(
                chat_burst=settings.chat_burst,
                chat_per_second=1.0,
                send_rate=settings.send_rate,
                vitals=vitals,
            )
        )
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    # Both clients share one TLS context: each would otherwise read the certificate
    # authorities' file on its own (about 0.1 s of start-up each).
    tls = (
        {"verify": httpx.create_ssl_context()}
        if request is None or get_updates_request is None
        else {}
    )
    # PTB's own default client, wrapped so a reply commits its update's mark first.
    builder = builder.request(
        MarkFirstRequest(request or HTTPXRequest(connection_pool_size=256, httpx_kwargs=tls))
    )
    # Updates arrive through a client that replaces lone surrogates (they would fail later).
    builder = builder.get_updates_request(get_updates_request or CleanTextRequest(httpx_kwargs=tls))
    if settings.api_base_url:
        builder = builder.base_url(f"{settings.api_base_url}/bot").base_file_url(
            f"{settings.api_base_url}/file/bot"
        )
    application = builder.build()
    application.bot_data["services"] = services
    application.bot_data["vitals"] = vitals
    add = application.add_handler

    # Group -1: who is writing (person, worker, stranger) and in which language.
    add(TypeHandler(Update, roles.identify), group=-1)

    # Everyone.
    add(CommandHandler("start", joining.start_command))
    add(CommandHandler(["urgence", "emergency"], anyone.emergency_command))
    add(CommandHandler(["aide", "help"], anyone.help_command))
    add(CallbackQueryHandler(buttons.button_pressed))
    add(membership.membership_handler())

    # Persons.
    add(CommandHandler("menu", person.menu_command, filters=IS_PERSON))
    add(CommandHandler(["annuler", "cancel"], person.cancel_command, filters=IS_PERSON))
    # Not on an edit: correcting an old message must not move the dialogue back.
    add(
        CommandHandler(
            ["retour", "back"],
            person.back_command,
            filters=IS_PERSON & filters.UpdateType.MESSAGE,
        )
    )
    add(CommandHandler(["langue", "language"], person.language_command, filters=IS_PERSON))
    add(CommandHandler("preparer", summary.prepare_command, filters=IS_PERSON))
    add(CommandHandler("convenu", agreed.agreed_command, filters=IS_PERSON | IS_WORKER))
    add(CommandHandler("mes_donnees", rights.export_command, filters=IS_PERSON))
    add(CommandHandler("effacer", rights.erase_command, filters=IS_PERSON))
    add(CommandHandler("reglages", settings_command, filters=IS_PERSON))
    add(CommandHandler("pause", pause_command, filters=IS_PERSON))
    add(CommandHandler("reprendre", resume_command, filters=IS_PERSON))
    add(MessageHandler(filters.UpdateType.EDITED & IS_PERSON, anyone.edited_message))
    add(MessageHandler(filters.TEXT & ~filters.COMMAND & IS_PERSON, person.text_answer))
    add(MessageHandler(filters.VOICE & IS_PERSON, person.voice_answer))

    # Workers, and admins named in the configuration.
    add(CommandHandler("inviter", worker.invite_command, filters=IS_WORKER))
    add(CommandHandler("personnes", worker.persons_command, filters=IS_WORKER))
    add(CommandHandler("rdv", worker_appointments.appointment_command, filters=IS_WORKER))
    add(
        CommandHandler(
            ["retour", "back"],
            worker.back_command,
            filters=IS_WORKER & filters.UpdateType.MESSAGE,
        )
    )
    add(CommandHandler("inviter_intervenant", worker.admin_invite_worker_command, filters=IS_ADMIN))
    add(MessageHandler(filters.TEXT & ~filters.COMMAND & IS_WORKER, worker.worker_message))

    # Strangers (no invitation yet): how Équipage is used, whatever they send.
    add(MessageHandler(IS_STRANGER, joining.stranger_message))

    # Whatever is left: unknown commands, stickers, photos, locations…
    add(MessageHandler(filters.COMMAND, anyone.unknown_command))
    add(MessageHandler(filters.ALL, anyone.unsupported_message))

    application.add_error_handler(common.error_handler)
    return application


async def _post_init(application: App) -> None:
    services: Services = application.bot_data["services"]
    await services.storage.open()
    # Webhook replicas: this replica's claims session, before any lane or job is taken.
    await services.sharing.open()
    # The command menu is not needed to take updates: registered once polling has started,
    # so start-up waits neither for its round trip nor for compiling the other languages'
    # catalogues (about 40 ms of CPU for English).
    application.bot_data["commands"] = asyncio.create_task(
        _register_commands_meanwhile(application, services)
    )
    vitals: Vitals = application.bot_data["vitals"]
    courier = OutboxCourier(application.bot, services, vitals)
    application.bot_data["courier"] = courier
    courier.start()
    jobs = [
        daily_purge(services),
        reminder_scanner(services),
        picture_sweeper(services),
        inbox_pruner(services),
    ]
    inbox = Inbox(application, services)
    limiter = application.bot.rate_limiter
    if services.sharing.shared:
        shares: list[Callable[[int], None]] = [services.throttle.share, inbox.share]
        if isinstance(limiter, PacedRateLimiter):
            shares.append(limiter.share)
        jobs.append(replica_sharer(services.sharing, shares))
    application.bot_data["jobs"] = jobs
    for job in jobs:
        job.start()
    application.bot_data["inbox"] = inbox
    await inbox.start()
    log.info("bot_started")


def inbox_of(application: App) -> Inbox:
    """The running bot's inbox (set by post_init)."""
    found: Inbox = application.bot_data["inbox"]
    return found


async def _register_commands_meanwhile(application: App, services: Services) -> None:
    await asyncio.sleep(COMMANDS_AFTER)
    try:
        await register_commands(application, services)
    except TelegramError as error:
        # Telegram keeps the menu registered before; the next start tries again.
        log.warning("commands_not_registered", extra={"error": type(error).__name__})


async def _post_stop(application: App) -> None:
    commands: asyncio.Task[None] | None = application.bot_data.pop("commands", None)
    if commands is not None and not commands.done():
        commands.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await commands
    inbox: Inbox | None = application.bot_data.pop("inbox", None)
    if inbox is not None:
        await inbox.stop()
    courier: OutboxCourier | None = application.bot_data.pop("courier", None)
    if courier is not None:
        await courier.stop()
    jobs: list[Repeating] = application.bot_data.pop("jobs", [])
    for job in jobs:
        await job.stop()
    services: Services = application.bot_data["services"]
    await services.sharing.close()


def replica_sharer(sharing: SharedWork, shares: list[Callable[[int], None]]) -> Repeating:
    """Telegram's global send rate, and each person's allowance and queue, are the bot's,
    not each replica's: every few seconds each replica counts the live ones and keeps its
    share of each."""

    async def share() -> None:
        replicas = await sharing.live_replicas()
        for keep in shares:
            keep(replicas)

    return Repeating("replica-share", SHARE_EVERY, share)


async def _post_shutdown(application: App) -> None:
    services: Services = application.bot_data["services"]
    await services.storage.close()
    log.info("bot_stopped")


async def register_commands(application: App, services: Services) -> None:
    """The persons' command menu in French (default) and in every other language we have.

    The languages' menus are sent together: start-up waits for one round trip, not one each."""
    scope = BotCommandScopeAllPrivateChats()
    sending = []
    for language in services.catalogs.languages:
        translator = services.catalogs.translator(language)
        commands = [BotCommand(name, translator.message(key)) for name, key in PERSON_COMMANDS]
        code = None if language == "fr" else language
        sending.append(application.bot.set_my_commands(commands, scope=scope, language_code=code))
    await asyncio.gather(*sending)
