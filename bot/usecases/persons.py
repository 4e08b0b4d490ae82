"""Who is talking to the bot, and in which language."""

from __future__ import annotations

from datetime import timedelta

from bot.domain import Person
from bot.handling import bookkeeping
from bot.i18n import Catalogs
from bot.storage.base import PersonStore
from bot.usecases.clock import Clock

# Contacts are recorded to the hour: enough for a two-year clock, without a write per message.
CONTACT_PRECISION = timedelta(hours=1)


def telegram_account(user_id: int) -> str:
    """The account key of a Telegram user."""
    return f"telegram:{user_id}"


def console_account(name: str) -> str:
    """The account key of someone trying the bot in the terminal."""
    return f"console:{name}"


class Persons:
    """Finds or registers the person behind an account."""

    def __init__(self, storage: PersonStore, catalogs: Catalogs, clock: Clock) -> None:
        self._storage = storage
        self._catalogs = catalogs
        self._clock = clock

    async def identify(
        self, account: str, *, chat_id: int | None, language_code: str | None
    ) -> Person:
        """The person for this account, created on first contact (terminal trials only)."""
        return await self._storage.get_or_create_person(
            account,
            chat_id=chat_id,
            language=self._catalogs.best_language(language_code),
            now=self._clock.now(),
        )

    async def find(self, account: str, *, chat_id: int | None = None) -> Person | None:
        """The person who consented with this account, if any (nothing is stored before).

        Also records the contact, at most hourly: the retention clock counts from the last one.
        """
        found = await self._storage.person_by_account(account)
        if found is None or found.consented_at is None:
            return None
        now = self._clock.now()
        # Bookkeeping, not the update's effect: it must not carry the update's "processed"
        # mark (bot/handling.py), and repeating it is harmless.
        with bookkeeping():
            if found.last_seen_at is None or now - found.last_seen_at > CONTACT_PRECISION:
                await self._storage.touch_person(found.id, chat_id, now)
            if not found.reachable:
                # They write to us, so they unblocked the bot.
                await self._storage.set_person_reachable(found.id, True)
        return found

    async def change_language(self, person: Person, language: str) -> bool:
        """Switch the person's language; False if we have no such catalogue."""
        if language not in self._catalogs.languages:
            return False
        await self._storage.set_language(person.id, language)
        return True
