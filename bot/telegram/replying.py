"""A use case's `Reply` in Telegram: messages and keyboards, edits of the pressed message.

The one place that decides how each part of a reply looks in a chat; the handlers only map
an update to a use-case call and hand what it returns here.
"""

from __future__ import annotations

from typing import assert_never

from telegram import BotCommand, BotCommandScopeChat, CallbackQuery, InputFile, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import replies
from bot.replies import (
    ClosePressed,
    DialogueQuestion,
    DocumentAttachment,
    EditPressed,
    EditQuestion,
    Notice,
    PictureAttachment,
    Reply,
    RetireQuestion,
    VoiceAttachment,
    WorkerCommandMenu,
)
from bot.telegram import calls
from bot.telegram.calls import Markup
from bot.telegram.common import forget_question, retire_question, say, send_question
from bot.telegram.render import fewest_messages, keyboard, png_file, prompt_keyboard, show_choice
from bot.telegram.roles import services


async def show(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reply: Reply,
    query: CallbackQuery | None = None,
) -> None:
    """Render `reply` in the current chat; `query` is the button press it answers, if any
    (acknowledged first, silently, unless the reply has its own notice)."""
    if query is not None and not any(isinstance(part, Notice) for part in reply.parts):
        await calls.answer_button(context.bot, query.id)
    joined: list[replies.Message] = []
    for part in reply.parts:
        if isinstance(part, replies.Message) and part.joinable:
            joined.append(part)
            if part.choices:
                await _say_joined(update, context, joined)
            continue
        await _say_joined(update, context, joined)
        await _show_part(update, context, part, query)
    await _say_joined(update, context, joined)


async def _say_joined(
    update: Update, context: ContextTypes.DEFAULT_TYPE, joined: list[replies.Message]
) -> None:
    """Short messages in a row go as few as the style allows; the last keeps its buttons."""
    if not joined:
        return
    *before, last = fewest_messages([message.text for message in joined])
    choices = joined[-1].choices
    joined.clear()
    for text in before:
        await say(update, context, text)
    await say(update, context, last, reply_markup=keyboard(choices) if choices else None)


async def _show_part(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    part: replies.Part,
    query: CallbackQuery | None,
) -> None:
    match part:
        case replies.Message(text=text, choices=choices):
            await say(update, context, text, reply_markup=keyboard(choices) if choices else None)
        case DialogueQuestion(prompt=prompt, run_id=run_id, seen=seen):
            await send_question(update, context, prompt, run_id)
            if not seen:
                # Only now, Telegram having accepted it, may free text answer this question.
                await services(context).conversation.shown(part)
        case EditQuestion(prompt=prompt, run_id=run_id):
            if query is not None:
                await _edit(query, prompt.text, prompt_keyboard(prompt, run_id))
        case EditPressed(text=text, choices=choices):
            if query is not None:
                await _edit(query, text, keyboard(choices), unless_same=True)
        case ClosePressed(choice=choice):
            if query is not None:
                if query.message is not None:
                    forget_question(context, query.message.message_id)
                await show_choice(query, choice)
        case RetireQuestion():
            await retire_question(update, context)
        case Notice(text=text):
            if query is not None:
                await calls.answer_button(context.bot, query.id, text)
        case VoiceAttachment(file_id=file_id, caption=caption):
            chat = update.effective_chat
            if chat is not None:
                await context.bot.send_voice(chat.id, file_id, caption=caption)
        case PictureAttachment(data=data, name=name, caption=caption):
            chat = update.effective_chat
            if chat is not None:
                await context.bot.send_photo(chat.id, png_file(data, name), caption=caption)
        case DocumentAttachment(data=data, file_name=file_name, caption=caption):
            chat = update.effective_chat
            if chat is not None:
                document = InputFile(data, filename=file_name)
                await context.bot.send_document(chat.id, document, caption=caption)
        case WorkerCommandMenu(language=language):
            chat = update.effective_chat
            if chat is not None:
                await register_worker_commands(context, chat.id, language)
        case _:
            assert_never(part)


# (command, UI text key of its description), as a worker's menu shows them.
WORKER_COMMANDS = (
    ("inviter", "worker.command_invite"),
    ("personnes", "worker.command_persons"),
    ("rdv", "appointment.command_appointment"),
    ("convenu", "agreement.command_agreed"),
    ("aide", "worker.command_help"),
    ("urgence", "worker.command_emergency"),
)


async def register_worker_commands(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, language: str
) -> None:
    """A worker's own command menu, in their chat only."""
    translator = services(context).catalogs.translator(language)
    commands = [BotCommand(name, translator.message(key)) for name, key in WORKER_COMMANDS]
    await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))


async def _edit(
    query: CallbackQuery, text: str, markup: Markup | None, *, unless_same: bool = False
) -> None:
    """The pressed message says `text` with `markup` now (already so: nothing to do)."""
    message = query.message
    if message is None:
        return
    if unless_same and isinstance(message, Message) and _same(message, text, markup):
        return  # the same choice tapped twice: the message already says so
    try:
        await calls.edit_text(query.get_bot(), message.chat.id, message.message_id, text, markup)
    except BadRequest as error:
        if "not modified" not in str(error):
            raise


def _same(message: Message, text: str, markup: Markup | None) -> bool:
    return message.text == text and message.reply_markup == markup
