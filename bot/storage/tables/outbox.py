"""The outbox: what must reach someone else, kept until Telegram confirms delivery."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import cast

from bot.domain import OutboxItem, OutboxMessage, RecipientKind
from bot.messages import Unrenderable, decode, encode
from bot.storage.crypto import Cipher, DecryptionError
from bot.storage.database import Database, Row, Transaction, bound, next_id, required, to_db

PAYLOAD = b"outbox.payload"
# Whose message it is, in the associated data: the recipient (a person or a worker).
OUTBOX_OWNER = "recipient_kind || ':' || recipient_id"


def recipient(kind: str, recipient_id: int) -> str:
    """The outbox row's owner as OUTBOX_OWNER computes it in SQL."""
    return f"{kind}:{recipient_id}"


log = logging.getLogger(__name__)


def _payload(message: OutboxMessage) -> bytes:
    """The message's typed body as stored JSON (bot/messages.py keeps the one codec)."""
    if isinstance(message.body, Unrenderable):
        raise ValueError("an unrenderable message is never queued")
    return json.dumps(encode(message.body), ensure_ascii=False).encode("utf-8")


async def enqueue(db: Transaction, cipher: Cipher, message: OutboxMessage, now: datetime) -> None:
    """Queue a message inside the caller's transaction; a repeated dedupe key is a no-op."""
    payload = _payload(message)
    outbox_id = await next_id(db, "outbox")
    at = (outbox_id, recipient(message.recipient_kind, message.recipient_id))
    await db.execute(
        "INSERT INTO outbox (id, dedupe_key, recipient_kind, recipient_id, payload, created_at,"
        " next_attempt_at, about_person) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (dedupe_key) DO NOTHING",
        (
            outbox_id,
            message.dedupe_key,
            message.recipient_kind,
            message.recipient_id,
            cipher.encrypt(payload, bound(PAYLOAD, at)),
            to_db(now),
            to_db(max(now, message.not_before) if message.not_before else now),
            message.about_person,
        ),
    )


async def replace_waiting(
    db: Transaction, cipher: Cipher, message: OutboxMessage, now: datetime
) -> bool:
    """Give a message still waiting new content, due at once (or at its `not_before`);
    False if it already went (or never was queued)."""
    payload = _payload(message)
    due = max(now, message.not_before) if message.not_before else now
    cursor = await db.execute(
        "SELECT id, recipient_kind, recipient_id FROM outbox"
        " WHERE dedupe_key = ? AND delivered_at IS NULL AND failed_at IS NULL AND parts_sent = 0",
        (message.dedupe_key,),
    )
    row = await cursor.fetchone()
    if row is None:
        return False
    outbox_id, kind, recipient_id = row
    sealed = cipher.encrypt(payload, bound(PAYLOAD, (outbox_id, recipient(kind, recipient_id))))
    await db.execute(
        "UPDATE outbox SET payload = ?, next_attempt_at = ? WHERE id = ?",
        (sealed, to_db(due), outbox_id),
    )
    return True


async def mark_delivered(db: Transaction, item_id: int, now: datetime) -> None:
    """Inside the caller's transaction: delivered, and its content forgotten here."""
    await db.execute(
        "UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, payload = X'' WHERE id = ?",
        (to_db(now), item_id),
    )


class OutboxTable(Database):
    """Queries on `outbox`."""

    def _item(self, row: Row) -> OutboxItem:
        owner = recipient(row["recipient_kind"], row["recipient_id"])
        payload = self._open_json(row["payload"], PAYLOAD, (row["id"], owner))
        return OutboxItem(
            id=row["id"],
            message=OutboxMessage(
                dedupe_key=row["dedupe_key"],
                recipient_kind=cast(RecipientKind, row["recipient_kind"]),
                recipient_id=row["recipient_id"],
                # Never raises: an unknown kind or version is set aside by the courier.
                body=decode(payload),
                about_person=row["about_person"],
            ),
            attempts=row["attempts"],
            created_at=required(row["created_at"]),
            parts_sent=row["parts_sent"],
        )

    async def enqueue(self, message: OutboxMessage, now: datetime) -> None:
        """Queue one message on its own."""
        async with self._transaction() as db:
            await enqueue(db, self._cipher, message, now)

    async def due_outbox(self, now: datetime, limit: int = 50) -> list[OutboxItem]:
        """Messages waiting to be (re)tried, oldest first."""
        rows = await self._fetch_all(
            "SELECT * FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL"
            " AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
            (to_db(now), limit),
        )
        items = []
        for row in rows:
            try:
                items.append(self._item(row))
            except (DecryptionError, ValueError, KeyError, TypeError):
                # Unreadable (wrong key, corrupted): set aside so the rest still goes out.
                await self.outbox_failed(row["id"], now, "unreadable")
                log.error("outbox_unreadable", extra={"item": row["id"]})
        return items

    async def next_outbox_due(self) -> datetime | None:
        """When the next pending message is due, if any."""
        row = await self._fetch_one(
            "SELECT MIN(next_attempt_at) FROM outbox"
            " WHERE delivered_at IS NULL AND failed_at IS NULL"
        )
        return None if row is None or row[0] is None else required(row[0])

    async def outbox_delivered(self, item_id: int, now: datetime) -> None:
        """Telegram accepted it; the content now lives in Telegram, so we forget it here."""
        async with self._transaction() as db:
            await mark_delivered(db, item_id, now)

    async def outbox_hold(self, item_id: int, until: datetime) -> None:
        """Not now (the person's quiet hours): try again then, without counting an attempt."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND delivered_at IS NULL",
                (to_db(until), item_id),
            )

    async def held_outbox(self, person_id: int) -> list[tuple[str, datetime]]:
        """Messages to a person waiting for a later moment: (kind, when), by time."""
        rows = await self._fetch_all(
            "SELECT * FROM outbox WHERE recipient_kind = 'person' AND recipient_id = ?"
            " AND delivered_at IS NULL AND failed_at IS NULL ORDER BY next_attempt_at, id",
            (person_id,),
        )
        return [
            (str(self._item(row).message.kind), required(row["next_attempt_at"])) for row in rows
        ]

    async def outbox_part_sent(self, item_id: int, parts_sent: int) -> None:
        """A part of a multi-part message went out: a retry starts after it."""
        async with self._transaction() as db:
            await db.execute("UPDATE outbox SET parts_sent = ? WHERE id = ?", (parts_sent, item_id))

    async def outbox_retry(self, item_id: int, at: datetime) -> None:
        """A passing failure: try again later."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ?",
                (to_db(at), item_id),
            )

    async def outbox_failed(self, item_id: int, now: datetime, reason: str) -> None:
        """Give up on this message (recipient unreachable, or a permanent error)."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE outbox SET attempts = attempts + 1, failed_at = ?, failure = ?"
                " WHERE id = ?",
                (to_db(now), reason, item_id),
            )

    async def outbox_status(self, dedupe_key: str) -> str | None:
        """'pending', 'delivered' or 'failed' for a queued message; None if unknown."""
        row = await self._fetch_one(
            "SELECT delivered_at, failed_at FROM outbox WHERE dedupe_key = ?", (dedupe_key,)
        )
        if row is None:
            return None
        if row["delivered_at"] is not None:
            return "delivered"
        return "failed" if row["failed_at"] is not None else "pending"
