"""Which Telegram update is being handled, so a use case can recognise one handled twice.

Since the inbox marks an update processed with its first write (bot/handling.py), an update
whose effect was stored is not handled again after a crash. Urgent updates (`/urgence`,
distress words) are still marked only once handled, so they may come twice: use cases that
file something (a dialogue answer) remember the update id they filed and ignore a repeat.
None outside the inbox (terminal, tests).
"""

from __future__ import annotations

from contextvars import ContextVar

current_update: ContextVar[int | None] = ContextVar("current_update", default=None)
