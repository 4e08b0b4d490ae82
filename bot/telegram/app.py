"""The composition root: builds the PTB Application. It reads as a table of contents."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.services import Services
from bot.telegram import common, person
from bot.telegram.ordering import ChatOrderedUpdateProcessor

log = logging.getLogger(__name__)

# (command, UI text key of its description) in the order Telegram shows them.
PERSON_COMMANDS = (
    ("menu", "bot.command_menu"),
    ("aide", "bot.command_help"),
    ("annuler", "bot.command_cancel"),
    ("urgence", "bot.command_emergency"),
    ("langue", "bot.command_language"),
)


def build_application(services: Services) -> Application:  # type: ignore[type-arg]
    """The bot: handlers in the order they apply, jobs, error handler, lifecycle."""
    settings = services.settings
    if settings.token is None:
        raise ValueError("a token is required to build the Telegram application")
    builder = (
        Application.builder()
        .token(settings.token)
        .concurrent_updates(ChatOrderedUpdateProcessor())
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if settings.api_base_url:
        builder = builder.base_url(f"{settings.api_base_url}/bot").base_file_url(
            f"{settings.api_base_url}/file/bot"
        )
    application = builder.build()
    application.bot_data["services"] = services

    # Group -1: who is this, in which language; groups and channels stop here.
    application.add_handler(TypeHandler(Update, common.identify), group=-1)

    application.add_handler(CommandHandler("start", person.start_command))
    application.add_handler(CommandHandler("menu", person.menu_command))
    application.add_handler(CommandHandler("aide", common.help_command))
    application.add_handler(CommandHandler("help", common.help_command))
    application.add_handler(CommandHandler("annuler", person.cancel_command))
    application.add_handler(CommandHandler("urgence", common.emergency_command))
    application.add_handler(CommandHandler("langue", person.language_command))
    application.add_handler(CallbackQueryHandler(person.button_pressed))
    application.add_handler(MessageHandler(filters.UpdateType.EDITED, common.edited_message))
    application.add_handler(MessageHandler(filters.COMMAND, common.unknown_command))
    application.add_handler(MessageHandler(filters.TEXT, person.text_answer))
    application.add_handler(MessageHandler(filters.VOICE, person.voice_answer))
    application.add_handler(MessageHandler(filters.ALL, common.unsupported_message))

    application.add_error_handler(common.error_handler)
    return application


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    services: Services = application.bot_data["services"]
    await services.storage.open()
    await register_commands(application, services)
    log.info("bot_started")


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    services: Services = application.bot_data["services"]
    await services.storage.close()
    log.info("bot_stopped")


async def register_commands(application: Application, services: Services) -> None:  # type: ignore[type-arg]
    """Register the command menu in French (default) and in every other language we have."""
    scope = BotCommandScopeAllPrivateChats()
    for language in services.catalogs.languages:
        translator = services.catalogs.translator(language)
        commands = [BotCommand(name, translator.message(key)) for name, key in PERSON_COMMANDS]
        code = None if language == "fr" else language
        await application.bot.set_my_commands(commands, scope=scope, language_code=code)
