"""Use-case tests' actors: real services on a real SQLite file, a clock moved by hand, and
workers and persons made by the same use cases the bot uses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.config import Settings
from bot.domain import Person, Worker
from bot.engine import ButtonPress, TextAnswer
from bot.engine.model import BACK, DONE, OTHER, PREVIOUS, SKIP, SWITCH_SCALE, YES
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


async def finishes(services: Services, person: Person, dialogue_id: str) -> None:
    """The person answers a whole dialogue through the use case: the first choice (then
    "done"), or "yes", where there are buttons (never back, skip, other or another scale),
    else words."""
    tr = services.catalogs.translator()
    turn = await services.dialogues.open(person, dialogue_id, tr)
    chose_in = -1
    for _ in range(300):
        prompt = turn.prompt
        if turn.finished or prompt is None:
            return
        await services.dialogues.shown(turn)  # as a transport does once it sent the question
        # The person as stored now: their current run is part of who they are.
        found = await services.storage.get_person(person.id)
        assert found is not None
        person = found
        values = [b.value for row in prompt.buttons for b in row]
        preferred = [v for v in (DONE, YES) if v in values]
        others = [v for v in values if v not in (PREVIOUS, SKIP, SWITCH_SCALE, BACK, OTHER)]
        if not (preferred or others):
            turn = await services.dialogues.answer(person, TextAnswer("Avec mes mots"), tr)
            continue
        if DONE in values and chose_in != prompt.turn and others:
            value, chose_in = others[0], prompt.turn  # a multiple choice: one, then "done"
        else:
            value = (preferred or others)[0]
        assert turn.run_id is not None
        turn = await services.dialogues.press(
            person, turn.run_id, ButtonPress(prompt.turn, value), tr
        )
    raise AssertionError(f"{dialogue_id} did not end")
