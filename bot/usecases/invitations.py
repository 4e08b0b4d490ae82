"""Single-use, expiring invitations: admins invite workers, workers invite persons."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain import Invitation, Worker
from bot.storage.base import InvitationStore, WorkerStore
from bot.usecases.clock import Clock


class InvitationsStorage(InvitationStore, WorkerStore, Protocol):
    """What invitations read and write."""


log = logging.getLogger(__name__)

VALID_FOR = timedelta(days=7)
MAX_OPEN_PER_WORKER = 30
# Telegram deep-link payloads: 1-64 characters of A-Z a-z 0-9 _ -.
_CODE_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
PSEUDONYM_MAX = 40


class TooManyOpenInvitations(Exception):
    """The worker already has MAX_OPEN_PER_WORKER invitations waiting."""


class NotAllowed(Exception):
    """The caller may not do this (deactivated worker, not an admin…)."""


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation and its code: the code is shown once and never stored."""

    invitation: Invitation
    code: str


def hash_code(code: str) -> bytes:
    """What we store and look up: the code's SHA-256."""
    return hashlib.sha256(code.encode("ascii", "replace")).digest()


def invitation_link(bot_username: str, code: str) -> str:
    """The deep link a person or worker opens."""
    return f"https://t.me/{bot_username}?start={code}"


class BadCodeLimiter:
    """Slows down an account that keeps trying codes that do not exist.

    Failures expire: an account is forgotten once its last failure is older than the window
    (swept at most once a window), and one account keeps at most `attempts` failures."""

    def __init__(self, clock: Clock, attempts: int = 5, window: timedelta = timedelta(minutes=10)):
        self._clock = clock
        self._attempts = attempts
        self._window = window
        self._failures: dict[str, deque[datetime]] = {}
        self._last_sweep = clock.now()

    @property
    def tracked(self) -> int:
        """How many accounts have failures on record (bounded by recent activity)."""
        return len(self._failures)

    def _sweep(self) -> None:
        now = self._clock.now()
        if now - self._last_sweep < self._window:
            return
        self._last_sweep = now
        horizon = now - self._window
        for account in [a for a, failures in self._failures.items() if failures[-1] < horizon]:
            del self._failures[account]

    def _recent(self, account: str) -> deque[datetime]:
        failures = self._failures.setdefault(account, deque())
        horizon = self._clock.now() - self._window
        while failures and failures[0] < horizon:
            failures.popleft()
        if not failures:
            del self._failures[account]
            return deque()
        return failures

    def blocked(self, account: str) -> bool:
        """Whether this account has failed too often lately."""
        return len(self._recent(account)) >= self._attempts

    def failed(self, account: str) -> None:
        """Record one bad code."""
        self._sweep()
        self._recent(account)
        failures = self._failures.setdefault(account, deque(maxlen=self._attempts))
        failures.append(self._clock.now())


class Invitations:
    """Creating and checking invitation codes."""

    def __init__(self, storage: InvitationsStorage, clock: Clock) -> None:
        self._storage = storage
        self._clock = clock
        self.limiter = BadCodeLimiter(clock)

    async def _issue(self, kind: str, worker_id: int, pseudonym: str | None) -> IssuedInvitation:
        # 192 bits of randomness, 32 URL-safe characters.
        code = secrets.token_urlsafe(24)
        now = self._clock.now()
        invitation = await self._storage.create_invitation(
            kind="worker" if kind == "worker" else "person",
            worker_id=worker_id,
            code_hash=hash_code(code),
            pseudonym=pseudonym,
            now=now,
            expires_at=now + VALID_FOR,
        )
        log.info("invitation_created", extra={"kind": kind, "worker": worker_id})
        return IssuedInvitation(invitation, code)

    async def invite_worker(
        self, name: str, structure: str | None
    ) -> tuple[Worker, IssuedInvitation]:
        """Register a worker (admin action) and issue their single-use invitation."""
        worker = await self._storage.create_worker(name.strip(), structure, self._clock.now())
        return worker, await self._issue("worker", worker.id, None)

    async def invite_person(self, worker: Worker, pseudonym: str | None) -> IssuedInvitation:
        """A worker invites a person; the pseudonym is how the worker will recognise them."""
        current = await self._storage.get_worker(worker.id)
        if current is None or not current.active:
            raise NotAllowed
        now = self._clock.now()
        if await self._storage.count_open_invitations(worker.id, now) >= MAX_OPEN_PER_WORKER:
            raise TooManyOpenInvitations
        cleaned = " ".join((pseudonym or "").split())[:PSEUDONYM_MAX] or None
        return await self._issue("person", worker.id, cleaned)

    async def check(self, account: str, code: str) -> Invitation | None:
        """The valid invitation behind a deep-link code, or None — with no hint why."""
        if self.limiter.blocked(account):
            return None
        invitation = None
        if _CODE_SHAPE.match(code):
            invitation = await self._storage.invitation_by_hash(hash_code(code))
        now = self._clock.now()
        if invitation is not None and invitation.used_at is None and invitation.expires_at > now:
            inviter = await self._storage.get_worker(invitation.worker_id)
            if inviter is not None and inviter.active:
                return invitation
        self.limiter.failed(account)
        log.info("invitation_refused")
        return None
