"""An update as it arrives, read from Telegram's raw JSON before anything else touches it:
its lane (the chat), its sender, whether it is urgent, and whether it is refused.

Apart from the inbox's scheduling because it decides on arrival, once, what the lanes then
only obey. `/urgence`, and any text stating distress (the safety reader), goes first in its
lane and skips the wait for a slot. Distress words are never refused; past a few a minute
from one account they are queued like any message (the cap in bot/usecases/throttle.py), so
a flood cannot use them to bypass the limits. An account over its allowance, or a chat over
its queue, has its update stored as refused: it is answered with one kind notice
(bot/telegram/refusals.py), so nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.domain import Arrival
from bot.services import Services
from bot.usecases.persons import telegram_account

URGENT_COMMANDS = ("/urgence", "/emergency")
UPDATE_KINDS = ("message", "edited_message", "callback_query", "my_chat_member")


def arrival_of(raw: object, services: Services, lane_full: Callable[[int], bool]) -> Arrival | None:
    """How a raw update is stored: its lane, urgent or not, refused or not; None when it is
    not an update at all (no integer update_id). `lane_full(lane)`: that chat's queue is at
    its limit."""
    if not isinstance(raw, dict):
        return None
    update_id = raw.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    lane, sender, urgent = route(raw)
    distress = False
    if not urgent:
        # Safety first: words stating distress skip every queue, like /urgence, and are
        # never refused; past a few a minute from one account (a flood using such words),
        # they wait in their lane like any message and are still screened when handled.
        said = words(raw)
        distress = said is not None and services.safety.states_distress(said)
        urgent = distress and (
            sender is None or services.throttle.first_in_line(telegram_account(sender))
        )
    refused = False
    if not distress and not urgent and sender is not None:
        over_rate = not services.throttle.admit(telegram_account(sender))
        over_queue = lane_full(lane)
        refused = over_rate or over_queue
    return Arrival(update_id, lane, urgent, refused, raw)


def route(raw: dict[str, Any]) -> tuple[int, int | None, bool]:
    """(lane, sender's user id, urgent) read from raw JSON, whatever else is malformed."""
    found = sender(raw)
    sender_id = found.get("id") if found else None
    if not isinstance(sender_id, int):
        sender_id = None
    lane = _chat_id(raw)
    if lane is None:
        lane = sender_id if sender_id is not None else 0
    message = raw.get("message")
    text = message.get("text") if isinstance(message, dict) else None
    urgent = False
    if isinstance(text, str) and text.startswith("/"):
        command = text.split(maxsplit=1)[0].split("@", 1)[0].lower() if text.split() else ""
        urgent = command in URGENT_COMMANDS
    return lane, sender_id, urgent


def words(raw: dict[str, Any]) -> str | None:
    """What the person wrote (a message's or an edit's text or caption), if any."""
    for kind in ("message", "edited_message"):
        body = raw.get(kind)
        if isinstance(body, dict):
            said = body.get("text", body.get("caption"))
            return said if isinstance(said, str) else None
    return None


def sender(raw: dict[str, Any]) -> dict[str, Any] | None:
    """The raw `from` of the update's body (a message, an edit, a button, a membership)."""
    body = _body(raw)
    found = body.get("from") if body else None
    return found if isinstance(found, dict) else None


def _body(raw: dict[str, Any]) -> dict[str, Any] | None:
    for kind in UPDATE_KINDS:
        body = raw.get(kind)
        if isinstance(body, dict):
            return body
    return None


def _chat_id(raw: dict[str, Any]) -> int | None:
    body = _body(raw)
    if body is None:
        return None
    chat = body.get("chat")
    if not isinstance(chat, dict):
        message = body.get("message")
        chat = message.get("chat") if isinstance(message, dict) else None
    found = chat.get("id") if isinstance(chat, dict) else None
    return found if isinstance(found, int) and not isinstance(found, bool) else None
