"""Consent first: nothing is stored about a person until they accept."""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Protocol

from bot.domain import Invitation, OutboxMessage, Person, Worker
from bot.messages import PersonJoined
from bot.storage.base import InvitationStore, PersonStore, WorkerStore
from bot.usecases.clock import Clock
from bot.usecases.outbox import OutboxSignal


class ConsentStorage(InvitationStore, WorkerStore, PersonStore, Protocol):
    """What consent reads and writes."""


log = logging.getLogger(__name__)

# Bump when the consent text changes in substance; each person's accepted version is kept.
CONSENT_VERSION = "2026-11-1"


@dataclass(frozen=True)
class ConsentOffer:
    """What the person is asked to accept: who runs the bot, for which worker."""

    invitation_id: int
    token: str
    worker_name: str
    structure: str | None


class InvitationGone(Exception):
    """The invitation was used (by someone else, or twice) or expired meanwhile."""


class RoleTaken(Exception):
    """This Telegram account already has the other role."""


class Consent:
    """Offering and recording consent; buttons carry a token bound to the account."""

    def __init__(self, storage: ConsentStorage, clock: Clock, secret: bytes, signal: OutboxSignal):
        self._storage = storage
        self._clock = clock
        self._secret = secret
        self._signal = signal

    def token(self, invitation_id: int, account: str) -> str:
        """A short MAC proving this account opened this invitation's link."""
        message = f"consent:{invitation_id}:{account}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:16]

    async def offer(self, invitation: Invitation, account: str) -> ConsentOffer:
        """What to show before anything is stored."""
        worker = await self._storage.get_worker(invitation.worker_id)
        assert worker is not None
        return ConsentOffer(
            invitation.id, self.token(invitation.id, account), worker.name, worker.structure
        )

    async def reopen(self, invitation_id: int, token: str, account: str) -> ConsentOffer:
        """The same offer again ("En savoir plus"), if the token and invitation still hold."""
        if not hmac.compare_digest(token, self.token(invitation_id, account)):
            raise InvitationGone
        invitation = await self._storage.get_invitation(invitation_id)
        if invitation is None or invitation.used_at is not None:
            raise InvitationGone
        return await self.offer(invitation, account)

    async def accept(
        self, invitation_id: int, token: str, account: str, *, chat_id: int, language: str
    ) -> tuple[Person, Worker]:
        """Record consent, link the person to the worker, and queue the worker's notice."""
        if not hmac.compare_digest(token, self.token(invitation_id, account)):
            raise InvitationGone
        if await self._storage.worker_by_account(account) is not None:
            raise RoleTaken
        if await self._storage.person_by_account(account) is not None:
            raise RoleTaken
        invitation = await self._storage.get_invitation(invitation_id)
        if invitation is None:
            raise InvitationGone
        worker = await self._storage.get_worker(invitation.worker_id)
        if worker is None or not worker.active:
            raise InvitationGone
        person = await self._storage.join_person(
            invitation_id=invitation_id,
            account=account,
            chat_id=chat_id,
            language=language,
            consent_version=CONSENT_VERSION,
            now=self._clock.now(),
            notify=OutboxMessage(
                dedupe_key=f"person_joined:{invitation_id}",
                recipient_kind="worker",
                recipient_id=worker.id,
                body=PersonJoined(invitation.pseudonym or ""),
            ),
        )
        if person is None:
            raise InvitationGone
        self._signal.wake()
        log.info("consent_given", extra={"person": person.id, "worker": worker.id})
        return person, worker
