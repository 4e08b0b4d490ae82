"""Re-encrypting every encrypted column, for a key rotation."""

from __future__ import annotations

from bot.storage.crypto import Cipher
from bot.storage.database import Database
from bot.storage.tables.agreements import PROBLEM, STEPS
from bot.storage.tables.outbox import PAYLOAD
from bot.storage.tables.pending import DATA
from bot.storage.tables.persons import PSEUDONYM
from bot.storage.tables.reminders import LEARNED, STEP
from bot.storage.tables.runs import RUN_STATE
from bot.storage.tables.summaries import CONTENT
from bot.storage.tables.workers import INVITATION_PSEUDONYM

# Every encrypted column and the purpose its blobs are bound to.
ENCRYPTED_COLUMNS = (
    ("dialogue_runs", "state", RUN_STATE),
    ("persons", "pseudonym", PSEUDONYM),
    ("invitations", "pseudonym", INVITATION_PSEUDONYM),
    ("outbox", "payload", PAYLOAD),
    ("summaries", "content", CONTENT),
    ("agreements", "problem", PROBLEM),
    ("agreements", "steps", STEPS),
    ("pending_inputs", "data", DATA),
    ("checkins", "step", STEP),
    ("checkins", "learned", LEARNED),
)


class KeysTable(Database):
    """Key rotation over every encrypted column."""

    async def reencrypt_all(self, cipher: Cipher) -> int:
        """Re-encrypt every blob with `cipher`'s primary key, in one transaction; returns count."""
        changed = 0
        async with self._transaction() as db:
            for table, column, purpose in ENCRYPTED_COLUMNS:
                cursor = await db.execute(
                    f"SELECT rowid, {column} FROM {table}"
                    f" WHERE {column} IS NOT NULL AND length({column}) > 0"
                )
                for rowid, blob in await cursor.fetchall():
                    if cipher.is_current(blob):
                        continue
                    fresh = cipher.encrypt(cipher.decrypt(blob, purpose), purpose)
                    await db.execute(
                        f"UPDATE {table} SET {column} = ? WHERE rowid = ?", (fresh, rowid)
                    )
                    changed += 1
        self._cipher = cipher
        async with self._lock:
            await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return changed
