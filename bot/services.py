"""Builds the use cases once, for any transport (Telegram or the terminal)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Protocol

from bot.config import ConfigError, Settings
from bot.conversations import Conversations, build_conversations
from bot.engine import load_dialogues
from bot.i18n import Catalogs, ui_text
from bot.storage.base import SafetyStorage, Storage
from bot.storage.common import TableStorage
from bot.storage.crypto import (
    Cipher,
    MissingKeyError,
    consent_secret_path,
    load_or_create_key,
    load_or_create_secret,
)
from bot.storage.sqlite import SqliteStorage
from bot.storage.tables.keys import has_encrypted_rows
from bot.storage.turn_cache import kept_for_turns
from bot.usecases.agreements import Agreements
from bot.usecases.anyone_replies import AnyoneReplies
from bot.usecases.appointments import Appointments
from bot.usecases.checkins import CheckIns
from bot.usecases.clock import Clock, SystemClock
from bot.usecases.consent import Consent
from bot.usecases.conversation import Conversation
from bot.usecases.dialogues import Dialogues
from bot.usecases.digest import Digests
from bot.usecases.distress_lists import load_reader
from bot.usecases.inbox import InboxStorage
from bot.usecases.inputs import PendingInputs
from bot.usecases.invitation_replies import InvitationReplies
from bot.usecases.invitations import Invitations
from bot.usecases.joining_replies import JoiningReplies
from bot.usecases.outbox import OutboxSignal
from bot.usecases.persons import Persons
from bot.usecases.reachability import Reachability
from bot.usecases.reminders import Reminders
from bot.usecases.rights import Rights
from bot.usecases.safety import Safety
from bot.usecases.settings import RhythmSettings
from bot.usecases.sharing import SharedWork, SoleReplica
from bot.usecases.summaries import Summaries
from bot.usecases.throttle import Throttle
from bot.usecases.worker_conversation import WorkerConversation
from bot.usecases.worker_replies import WorkerReplies
from bot.usecases.workers import Workers


class ServiceStorage(Storage, SafetyStorage, InboxStorage, Protocol):
    """What the use cases and the transports' loops (inbox, courier, jobs, health) store: the
    storage protocols, whichever backend implements them (SQLite is built below)."""

    async def inbox_prune(self, handled_before: datetime, set_aside_before: datetime) -> int:
        """Forget inbox rows handled (or set aside) long enough ago; returns how many."""


@dataclass(frozen=True)
class Services:
    """Everything a transport needs, wired together."""

    settings: Settings
    storage: ServiceStorage
    catalogs: Catalogs
    persons: Persons
    dialogues: Dialogues
    invitations: Invitations
    consent: Consent
    workers: Workers
    summaries: Summaries
    agreements: Agreements
    inputs: PendingInputs
    rights: Rights
    safety: Safety
    throttle: Throttle
    appointments: Appointments
    checkins: CheckIns
    reminders: Reminders
    rhythm: RhythmSettings
    outbox_signal: OutboxSignal
    clock: Clock
    reachability: Reachability
    digests: Digests
    # Lanes and jobs claimed across webhook replicas (SoleReplica: this process owns them all).
    sharing: SharedWork = field(default_factory=SoleReplica)
    # Around one lane's batch, inside its claim: persons and runs read once, kept in memory.
    turn_scope: Callable[[], AbstractContextManager[object]] = kept_for_turns

    @cached_property
    def conversations(self) -> Conversations:
        """What each input means and the reply it gets, for every transport."""
        return build_conversations(self)

    @property
    def conversation(self) -> Conversation:
        """The person's inputs and what they get back."""
        return self.conversations.person

    @property
    def worker_conversation(self) -> WorkerConversation:
        """The worker's inputs and what they get back."""
        return self.conversations.worker

    @property
    def worker_desk(self) -> WorkerReplies:
        """What a worker sees of the persons they support."""
        return self.conversations.worker_desk

    @property
    def anyone(self) -> AnyoneReplies:
        """What every chat gets, whoever writes: help, emergency numbers, bad input."""
        return self.conversations.anyone

    @property
    def invitation_replies(self) -> InvitationReplies:
        """Invitations issued from a chat, with their link and QR code."""
        return self.conversations.invitations

    @property
    def joining(self) -> JoiningReplies:
        """/start, invitation links and consent."""
        return self.conversations.joining


def sharing_for(settings: Settings) -> SharedWork:
    """Webhook replicas on PostgreSQL share the inbox and the jobs (bot/storage/claims.py);
    SQLite, and polling (one active replica behind the leader lock), keep them all."""
    if settings.database_url is not None and settings.webhook_url is not None:
        # Imported here: a bot on SQLite never loads the PostgreSQL driver (start-up time).
        from bot.storage.claims import PgSharedWork

        return PgSharedWork(settings.database_url)
    return SoleReplica()


def storage_for(settings: Settings, cipher: Cipher) -> TableStorage:
    """SQLite (a file path, the default) or PostgreSQL (EQUIPAGE_DATABASE=postgresql://…)."""
    if settings.database_url is not None:
        from bot.storage.postgresql import PostgresStorage

        return PostgresStorage(
            settings.database_url,
            cipher,
            settings.database,
            pool_size=settings.database_pool,
            statement_timeout=settings.database_timeout,
        )
    return SqliteStorage(settings.database, cipher)


def data_present(settings: Settings) -> bool:
    """Whether encrypted data exists that a fresh key would not open (before any key exists).

    With PostgreSQL this is not looked up here (no connection yet): the key probe refuses a
    key that does not open the stored data when the storage opens, before anything is written."""
    return settings.database_url is None and has_encrypted_rows(settings.database)


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    """Load dialogues and catalogues (a bad file fails here, naming itself) and wire storage."""
    clock = clock or SystemClock()
    catalogs = Catalogs.load(settings.dialogs_dir, settings.locales_dir)
    dialogues = load_dialogues(settings.dialogs_dir)
    try:
        keys = load_or_create_key(
            settings.database,
            settings.data_keys,
            data_present=lambda: data_present(settings),
        )
    except MissingKeyError as missing:
        raise ConfigError(ui_text("config.key_file_missing", path=str(missing))) from None
    storage = storage_for(settings, Cipher(keys))
    signal = OutboxSignal()
    # Consent tokens have their own secret, in its own file: a key rotation leaves the buttons
    # already sent valid. Its first value is the one it was derived as before it had a file.
    token_secret = load_or_create_secret(
        consent_secret_path(settings.database),
        hmac.new(keys[0], b"equipage consent tokens", hashlib.sha256).digest(),
    )
    checkins = CheckIns(storage, clock)
    reminders = Reminders(storage, checkins, clock, signal, settings.timezone)
    return Services(
        settings=settings,
        storage=storage,
        catalogs=catalogs,
        persons=Persons(storage, catalogs, clock),
        dialogues=Dialogues(storage, dialogues, clock, on_finished=reminders.dialogue_finished),
        invitations=Invitations(storage, clock),
        consent=Consent(storage, clock, token_secret, signal),
        workers=Workers(storage, clock, signal),
        summaries=Summaries(storage, dialogues, clock, signal),
        agreements=Agreements(storage, clock, signal, reminders.first_step_chosen),
        inputs=PendingInputs(storage, clock),
        rights=Rights(storage, dialogues, clock, signal, confirm_secret=token_secret),
        safety=Safety(
            storage,
            load_reader(settings.dialogs_dir),
            clock,
            signal,
            settings.timezone,
            settings.duty_line,
        ),
        throttle=Throttle(clock, settings.rate_burst, settings.rate_per_minute / 60),
        appointments=Appointments(storage, clock, signal, settings.timezone),
        checkins=checkins,
        reminders=reminders,
        rhythm=RhythmSettings(storage, reminders),
        outbox_signal=signal,
        clock=clock,
        reachability=Reachability(storage, signal),
        digests=Digests(storage, clock, settings.timezone),
        sharing=sharing_for(settings),
    )
