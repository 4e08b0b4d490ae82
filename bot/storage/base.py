"""The storage interface the use cases depend on, and the values it returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

ScaleMode = Literal["numbers", "emoji"]
RunStatus = Literal["active", "finished"]


@dataclass(frozen=True)
class Person:
    """Someone supported by a social service, as the bot knows them."""

    id: int
    account: str
    chat_id: int | None
    language: str
    scale_mode: ScaleMode
    current_run_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class DialogueRun:
    """One pass through a guided dialogue; finished runs are the kept versions."""

    id: int
    person_id: int
    dialogue_id: str
    dialogue_version: int
    status: RunStatus
    state: dict[str, Any]
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None


class Storage(Protocol):
    """Persistence for persons and dialogues; every method is one transaction."""

    async def open(self) -> None:
        """Connect and apply pending migrations."""

    async def close(self) -> None:
        """Flush and close."""

    async def person_by_account(self, account: str) -> Person | None:
        """The person with this account, if any."""

    async def get_or_create_person(
        self, account: str, *, chat_id: int | None, language: str, now: datetime
    ) -> Person:
        """Find the person, or create them; refresh chat id and last contact."""

    async def set_language(self, person_id: int, language: str) -> None:
        """Remember the person's language."""

    async def get_run(self, run_id: int) -> DialogueRun | None:
        """A run by id."""

    async def active_run(self, person_id: int, dialogue_id: str) -> DialogueRun | None:
        """The person's run in progress for this dialogue."""

    async def active_runs(self, person_id: int) -> list[DialogueRun]:
        """All the person's runs in progress."""

    async def start_run(
        self, person_id: int, dialogue_id: str, version: int, state: dict[str, Any], now: datetime
    ) -> DialogueRun:
        """Create a run in progress and make it the person's current one."""

    async def save_turn(
        self,
        run: DialogueRun,
        state: dict[str, Any],
        *,
        finished: bool,
        scale_mode: ScaleMode | None,
        now: datetime,
    ) -> DialogueRun:
        """Store an answer's new state (and a scale-mode change) in one transaction."""

    async def set_current_run(self, person_id: int, run_id: int | None) -> None:
        """Which run free text goes to; None when the person left the dialogue."""

    async def finished_runs(self, person_id: int, dialogue_id: str) -> list[DialogueRun]:
        """Kept versions of a dialogue, newest first."""
