"""/mes_donnees and /effacer, in the person's chat."""

from __future__ import annotations

import io
import logging

from telegram import InputFile, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.telegram.common import tr
from bot.telegram.person import converse
from bot.telegram.replying import show
from bot.telegram.roles import person, services
from bot.usecases.conversation_inputs import Command
from bot.usecases.export_archive import export_archive
from bot.usecases.rights import Export

log = logging.getLogger(__name__)


async def export_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/mes_donnees: a few words and a file to read (the use case's reply), then a zip with
    it, the same as JSON, and the recordings, which only Telegram holds (getFile)."""
    rights = services(context).conversations.rights
    translator = tr(context)
    export, told = await rights.export(person(), translator)
    await show(update, context, told)
    chat = update.effective_chat
    assert chat is not None
    name = translator.message("rights.export_filename")
    sounds = await _recordings(context, export)
    archive = export_archive(export, sounds, name)
    await context.bot.send_document(chat.id, InputFile(io.BytesIO(archive), filename=f"{name}.zip"))


async def _recordings(context: ContextTypes.DEFAULT_TYPE, export: Export) -> dict[str, bytes]:
    """Each recording fetched from Telegram (getFile); one it no longer has is left out."""
    sounds: dict[str, bytes] = {}
    for recording in export.recordings:
        try:
            file = await context.bot.get_file(recording.file_id)
            sounds[recording.filename] = bytes(await file.download_as_bytearray())
        except TelegramError:
            log.info("export_recording_unavailable")
    return sounds


async def erase_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/effacer: a clear confirmation first (its answer: the conversation use case)."""
    await converse(update, context, Command("erase"))
