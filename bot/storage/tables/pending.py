"""What an account's next free text answers, outside a dialogue (topics, agreement wording)."""

from __future__ import annotations

from datetime import datetime

from bot.pending_states import PendingState, Stored, decode, encode
from bot.storage.database import Database, to_db

DATA = b"pending_inputs.data"


class PendingTable(Database):
    """Queries on `pending_inputs`."""

    async def set_pending(self, account: str, state: PendingState, now: datetime) -> None:
        """Expect this account's next text to answer `state` (replacing what was expected)."""
        kind, ref, data = encode(state)
        sealed = None if data is None else self._seal_json(data, DATA, (account, account))
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO pending_inputs (account, kind, ref, data, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (account) DO UPDATE SET"
                " kind = excluded.kind, ref = excluded.ref, data = excluded.data,"
                " created_at = excluded.created_at",
                (account, kind, ref, sealed, to_db(now)),
            )

    async def get_pending(self, account: str) -> PendingState | None:
        """What this account's next text answers; None if nothing, or nothing this code reads."""
        row = await self._fetch_one("SELECT * FROM pending_inputs WHERE account = ?", (account,))
        if row is None:
            return None
        data = (
            None if row["data"] is None else self._open_json(row["data"], DATA, (account, account))
        )
        return decode(Stored(row["kind"], row["ref"], data))

    async def clear_pending(self, account: str) -> None:
        """Nothing expected any more."""
        # Mostly nothing is pending: a read costs microseconds, a write transaction an fsync.
        if await self._fetch_one("SELECT 1 FROM pending_inputs WHERE account = ?", (account,)):
            async with self._transaction() as db:
                await db.execute("DELETE FROM pending_inputs WHERE account = ?", (account,))
