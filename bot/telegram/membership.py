"""The bot blocked or unblocked in a private chat (Telegram's `my_chat_member` update)."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import ChatMemberHandler, ContextTypes

from bot.telegram.roles import services
from bot.usecases.persons import telegram_account

# Statuses in which the bot can write to the chat.
_PRESENT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER)


async def bot_membership_changed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Nothing is shown: the sender's reachability is recorded (blocked, or back)."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE or change.from_user is None:
        return
    reachable = change.new_chat_member.status in _PRESENT
    await services(context).reachability.changed(telegram_account(change.from_user.id), reachable)


def membership_handler() -> ChatMemberHandler[ContextTypes.DEFAULT_TYPE, None]:
    """The handler the composition root registers."""
    return ChatMemberHandler(bot_membership_changed, ChatMemberHandler.MY_CHAT_MEMBER)
