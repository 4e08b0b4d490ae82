"""Distress words bring up help: the numbers, a short safety step, an offer to call."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.storage.base import OutboxMessage, Person, Storage
from bot.usecases.clock import Clock
from bot.usecases.outbox import OutboxSignal

log = logging.getLogger(__name__)


class DistressListError(Exception):
    """dialogs/safety/distress.yaml is missing or malformed (the message names the problem)."""


def normalise(text: str) -> str:
    """Lower case, no accents, apostrophes and punctuation as spaces, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " " + " ".join(re.sub(r"[^\w]+", " ", plain).split()) + " "


@dataclass(frozen=True)
class DistressDetector:
    """Finds distress phrases in a text and says which numbers to show."""

    categories: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]
    not_distress: tuple[str, ...]

    def numbers(self, text: str) -> list[str]:
        """The numbers relevant to the text's distress phrases, in a stable order; [] if none."""
        plain = normalise(text)
        for harmless in self.not_distress:
            plain = plain.replace(harmless, " ")
        found: list[str] = []
        for _, phrases, numbers in self.categories:
            if any(phrase in plain for phrase in phrases):
                found += [number for number in numbers if number not in found]
        return found


def load_distress(dialogs_dir: Path) -> DistressDetector:
    """Read the phrase list kept as data, so a service can extend it without code."""
    path = dialogs_dir / "safety" / "distress.yaml"
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
        categories = tuple(
            (
                name,
                tuple(normalise(str(phrase)) for phrase in spec["phrases"]),
                tuple(str(number) for number in spec["numbers"]),
            )
            for name, spec in raw["categories"].items()
        )
        harmless = tuple(normalise(str(phrase)) for phrase in raw.get("not_distress", []))
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as error:
        raise DistressListError(f"{path}: {error}") from None
    return DistressDetector(categories, harmless)


class Safety:
    """Shows the safety step once per scope, and sends a call request only when asked."""

    def __init__(
        self, storage: Storage, detector: DistressDetector, clock: Clock, signal: OutboxSignal
    ) -> None:
        self._storage = storage
        self._detector = detector
        self._clock = clock
        self._signal = signal

    async def check(self, person: Person, scope: str, text: str) -> list[str]:
        """Numbers to show now, if the text suggests distress and this scope has not shown them."""
        numbers = self._detector.numbers(text)
        if not numbers:
            return []
        if not await self._storage.mark_safety_shown(scope, person.id, self._clock.now()):
            return []
        log.info("safety_step_shown", extra={"person": person.id})
        return numbers

    async def request_call(self, person: Person) -> bool:
        """The person asked: their worker is asked to call, with no word of what they wrote."""
        if person.worker_id is None:
            return False
        worker = await self._storage.get_worker(person.worker_id)
        if worker is None or not worker.active:
            return False
        today = self._clock.now().date().isoformat()
        await self._storage.enqueue(
            OutboxMessage(
                dedupe_key=f"call_request:{person.id}:{today}",
                recipient_kind="worker",
                recipient_id=worker.id,
                kind="call_request",
                params={"pseudonym": person.pseudonym or ""},
                about_person=person.id,
            ),
            self._clock.now(),
        )
        self._signal.wake()
        log.info("call_requested", extra={"person": person.id})
        return True
