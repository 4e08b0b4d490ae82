"""/mes_donnees and /effacer, in the person's chat."""

from __future__ import annotations

import io
import logging

from telegram import CallbackQuery, InputFile, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.actions import RightsButton
from bot.telegram.common import close_with_choice, say, tr
from bot.telegram.render import keyboard
from bot.telegram.roles import person, services
from bot.usecases.export_archive import export_archive
from bot.usecases.rights import Export

log = logging.getLogger(__name__)


async def export_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/mes_donnees: a file to read, then a zip with it, the same as JSON, and the recordings."""
    found = services(context)
    translator = tr(context)
    export = await found.rights.export(person(), translator, found.settings.timezone)
    chat = update.effective_chat
    assert chat is not None
    name = translator.message("rights.export_filename")
    await say(update, context, translator.message("rights.export_intro"))
    await context.bot.send_document(
        chat.id, InputFile(io.BytesIO(export.text.encode("utf-8")), filename=f"{name}.txt")
    )
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
    """/effacer: a clear confirmation first."""
    translator = tr(context)
    token = services(context).rights.erase_token(person())
    buttons = keyboard(
        [
            [(translator.message("rights.erase_yes"), RightsButton("erase", token))],
            [(translator.message("rights.erase_no"), RightsButton("keep"))],
        ]
    )
    await say(update, context, translator.message("rights.erase_question"), reply_markup=buttons)


async def rights_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, button: RightsButton
) -> None:
    """Erase everything, or keep it."""
    translator = tr(context)
    await query.answer()
    await close_with_choice(context, query)
    if button.action != "erase":
        await say(update, context, translator.message("rights.kept"))
        return
    rights = services(context).rights
    if not rights.erase_confirmed(person(), button.token):
        # Not the confirmation we issued (forged, or too old): ask again, erase nothing.
        await erase_command(update, context)
        return
    await rights.erase(person())
    await say(update, context, translator.message("rights.erased"))
