"""Failures a test asks for, served to the bot's next calls of a method, in order."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from http import HTTPStatus

from .errors import ApiError, http_error, too_many_requests


@dataclass(frozen=True)
class Failure:
    status: int
    retry_after: int
    description: str | None
    hold: float | None  # seconds to sit on the request before answering, or None
    chat_id: int | None = None  # only calls aimed at this chat, or any call
    # Serve the call first, then hold the answer: Telegram did it, the client never hears.
    after: bool = False

    def error(self) -> ApiError:
        if self.status == HTTPStatus.TOO_MANY_REQUESTS:
            return too_many_requests(self.retry_after)
        return http_error(self.status, self.description)


class FailurePlan:
    def __init__(self) -> None:
        self._queued: dict[str, deque[Failure]] = {}

    def add(self, method: str, failure: Failure, count: int) -> None:
        if count < 1:
            raise ValueError("count must be at least 1")
        self._queued.setdefault(method.lower(), deque()).extend([failure] * count)

    def take(self, method: str, chat_id: object = None) -> Failure | None:
        """The first queued failure for this method that applies to this chat, if any."""
        queued = self._queued.get(method.lower())
        if not queued:
            return None
        for failure in queued:
            if failure.chat_id is None or str(failure.chat_id) == str(chat_id):
                queued.remove(failure)
                return failure
        return None

    def clear(self) -> None:
        self._queued.clear()

    def pending(self) -> int:
        return sum(len(queued) for queued in self._queued.values())
