"""Who is writing: a person, a worker, or a stranger; admins by configuration.

Resolved once per update by `identify` (an early handler group); the filters below let
each role's handlers see only their own updates, so a role never reaches another's.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes
from telegram.ext.filters import UpdateFilter

from bot.domain import Person, Worker
from bot.i18n import current_language
from bot.services import Services
from bot.usecases.persons import telegram_account

log = logging.getLogger(__name__)

Role = Literal["person", "worker", "stranger"]


@dataclass(frozen=True)
class Caller:
    """The account behind the current update and what it may do."""

    account: str
    role: Role
    language: str
    is_admin: bool
    person: Person | None = None
    worker: Worker | None = None
    # A worker whose access an admin closed: told so, rather than "ask for a link".
    closed_worker: bool = False


current_caller: ContextVar[Caller | None] = ContextVar("current_caller", default=None)


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The application's use cases (set once by the composition root)."""
    found: Services = context.bot_data["services"]
    return found


def caller() -> Caller:
    """The caller resolved by `identify` for this update."""
    found = current_caller.get()
    if found is None:
        raise RuntimeError("identify did not run for this update")
    return found


def person() -> Person:
    """The person behind this update (handlers behind IS_PERSON only)."""
    found = caller().person
    if found is None:
        raise RuntimeError("not a person")
    return found


def worker() -> Worker:
    """The worker behind this update (handlers behind IS_WORKER only)."""
    found = caller().worker
    if found is None:
        raise RuntimeError("not a worker")
    return found


async def identify(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs first: leave groups, ignore channels, resolve the caller and their language."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        await _leave_group(context, chat.id)
        raise ApplicationHandlerStop
    if chat is None or chat.type != ChatType.PRIVATE or user is None or user.is_bot:
        raise ApplicationHandlerStop
    # Rate limits are checked on arrival, by the inbox (bot/telegram/arrivals.py), not here.
    await refresh_caller(update, context)


async def refresh_caller(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Resolve the caller from storage (again, after consent created the person)."""
    chat = update.effective_chat
    user = update.effective_user
    assert chat is not None and user is not None
    found = services(context)
    account = telegram_account(user.id)
    is_admin = user.id in found.settings.admins
    known_person = await found.persons.find(account, chat_id=chat.id)
    if known_person is not None:
        resolved = Caller(account, "person", known_person.language, is_admin, person=known_person)
    else:
        known_worker = await found.workers.by_account(account)
        if known_worker is not None and known_worker.active:
            language = known_worker.language
            resolved = Caller(account, "worker", language, is_admin, worker=known_worker)
        else:
            language = found.catalogs.best_language(user.language_code)
            closed = known_worker is not None
            resolved = Caller(account, "stranger", language, is_admin, closed_worker=closed)
    current_caller.set(resolved)
    current_language.set(resolved.language)


async def _leave_group(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    translator = services(context).catalogs.translator()
    # Each step on its own: a goodbye that cannot be posted must not keep the bot in the group.
    try:
        await context.bot.send_message(chat_id, translator.message("bot.group_only"))
    except TelegramError as error:
        log.warning("group_goodbye_failed", extra={"error": type(error).__name__})
    try:
        await context.bot.leave_chat(chat_id)
    except TelegramError as error:
        log.warning("leave_group_failed", extra={"error": type(error).__name__})
        return
    log.info("left_group", extra={"chat": chat_id})


class _CallerIs(UpdateFilter):
    """Passes updates whose caller has the given role (or is an admin)."""

    def __init__(self, role: Role | None = None, *, admin: bool = False) -> None:
        super().__init__(name=f"caller_is_{'admin' if admin else role}")
        self._role = role
        self._admin = admin

    def filter(self, update: Update) -> bool:
        resolved = current_caller.get()
        if resolved is None:
            return False
        if self._admin:
            return resolved.is_admin
        return resolved.role == self._role


IS_PERSON = _CallerIs("person")
IS_WORKER = _CallerIs("worker")
IS_STRANGER = _CallerIs("stranger")
IS_ADMIN = _CallerIs(admin=True)
