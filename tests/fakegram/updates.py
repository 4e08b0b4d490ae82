"""The queue getUpdates serves: updates stay until a later offset confirms them."""

from __future__ import annotations

from typing import Any

# What Telegram sends when allowed_updates was never set or set to [].
_OPT_IN_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class UpdateQueue:
    def __init__(self) -> None:
        self._pending: list[dict[str, Any]] = []
        self._next_id = 1
        self._allowed: frozenset[str] | None = None
        self.poll = 0  # bumped by each getUpdates call so an older one can be told it lost

    def __len__(self) -> int:
        self._drop_unwanted()
        return len(self._pending)

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self._pending.append(update)
        return update

    def confirm(self, offset: int) -> None:
        """Forget updates before `offset`; a negative offset keeps only the last -offset ones."""
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]

    def remove(self, update_id: int) -> None:
        """Forget one update (delivered by webhook while others are still in flight)."""
        self._pending = [u for u in self._pending if u["update_id"] != update_id]

    def set_allowed(self, allowed: list[str] | None) -> None:
        """None keeps the previous setting; [] restores Telegram's default."""
        if allowed is not None:
            self._allowed = frozenset(allowed) if allowed else None

    def begin_poll(self) -> int:
        self.poll += 1
        return self.poll

    def take(self, limit: int) -> list[dict[str, Any]]:
        """The oldest pending updates; they stay pending until confirmed, as on Telegram."""
        self._drop_unwanted()
        return self._pending[:limit]

    def drop_all(self) -> None:
        self._pending.clear()

    def _drop_unwanted(self) -> None:
        # Telegram does not keep updates of a type the bot did not ask for.
        self._pending = [u for u in self._pending if self._wanted(u)]

    def _wanted(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self._allowed is None:
            return kind not in _OPT_IN_TYPES
        return kind in self._allowed
