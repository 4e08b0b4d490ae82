"""Which Telegram update is being handled, so a use case can recognise one handled twice.

The inbox hands updates to the handlers at least once: after a crash, an update whose effect
was stored may come again. Use cases that file something (a dialogue answer) remember the
update id they filed and ignore a repeat. None outside the inbox (terminal, tests).
"""

from __future__ import annotations

from contextvars import ContextVar

current_update: ContextVar[int | None] = ContextVar("current_update", default=None)
