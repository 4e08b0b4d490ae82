"""Use-case tests' actors: real services on a real SQLite file, a clock moved by hand, and
workers and persons made by the same use cases the bot uses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.config import Settings
from bot.domain import Person, Worker
from bot.services import Services, build_services
from tests.clock import ManualClock


@asynccontextmanager
async def opened(settings: Settings, clock: ManualClock) -> AsyncIterator[Services]:
    """The bot's services on the test's own database file, open, then closed."""
    found = build_services(settings, clock)
    await found.storage.open()
    try:
        yield found
    finally:
        await found.storage.close()


async def a_worker(services: Services, name: str, account: str) -> Worker:
    """A worker invited by an administrator, who joined."""
    _, issued = await services.invitations.invite_worker(name, None)
    invitation = await services.invitations.check(account, issued.code)
    assert invitation is not None
    return await services.workers.join(
        invitation, account, chat_id=int(account[-3:]), language="fr"
    )


async def a_person(services: Services, worker: Worker, account: str, name: str = "Amina") -> Person:
    """A person the worker invited, who consented."""
    issued = await services.invitations.invite_person(worker, name)
    invitation = await services.invitations.check(account, issued.code)
    assert invitation is not None
    offer = await services.consent.offer(invitation, account)
    person, _ = await services.consent.accept(
        invitation.id, offer.token, account, chat_id=int(account[-3:]), language="fr"
    )
    return person
