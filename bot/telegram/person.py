"""The person's side: each update becomes one call of the conversation use case, whose
reply is rendered here (bot/telegram/replying.py)."""

from __future__ import annotations

from datetime import timedelta

from telegram import CallbackQuery, Update
from telegram.ext import ContextTypes

from bot.actions import Callback
from bot.engine import VoiceAnswer
from bot.telegram.render import pressed_label
from bot.telegram.replying import show
from bot.telegram.roles import caller, person, services
from bot.usecases.conversation_inputs import Command, ForwardedWords, Input, Pressed, Words


async def converse(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    said: Input,
    query: CallbackQuery | None = None,
) -> None:
    """One input of the person's, and the reply shown."""
    conversation = services(context).conversation
    reply = await conversation.handle(person(), caller().account, said)
    await show(update, context, reply, query)


async def menu_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/menu: the three dialogues as buttons."""
    await converse(update, context, Command("menu"))


async def cancel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/annuler: leave the current dialogue; the answers are kept for later."""
    await converse(update, context, Command("cancel"))


async def back_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/retour: the question before, with every answer kept."""
    await converse(update, context, Command("back"))


async def language_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/langue: choose the language of the bot."""
    await converse(update, context, Command("language"))


async def text_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free text: the answer to what waits for it, or a pointer to the menu; someone else's
    words, forwarded, are asked about first."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    forwarded = message.forward_origin is not None
    said = ForwardedWords(message.text) if forwarded else Words(message.text)
    await converse(update, context, said)


async def voice_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A voice note is an answer too; we keep its Telegram file id."""
    message = update.effective_message
    if message is None or message.voice is None:
        return
    duration = message.voice.duration
    # PTB 22 gives int or timedelta depending on its PTB_TIMEDELTA switch.
    seconds = int(duration.total_seconds()) if isinstance(duration, timedelta) else int(duration)
    await converse(update, context, VoiceAnswer(message.voice.file_id, seconds))


async def button_pressed(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    query: CallbackQuery,
    action: Callback | None,
) -> None:
    """A person's button (a dialogue's, the menu's, the safety step's…); old or foreign ones
    get a kind answer and the live question back."""
    await converse(update, context, Pressed(action, pressed_label(query)), query)
