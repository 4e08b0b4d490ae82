"""Every encrypted column: key rotation, the move to row-bound ciphertexts, the key probe."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from bot.storage.crypto import Cipher, DecryptionError
from bot.storage.database import Database, Transaction, bound
from bot.storage.tables.agreements import CHANGE, PROBLEM, STEPS
from bot.storage.tables.checkins import LEARNED, STEP
from bot.storage.tables.inbox import RAW as INBOX_RAW
from bot.storage.tables.outbox import OUTBOX_OWNER, PAYLOAD
from bot.storage.tables.pending import DATA
from bot.storage.tables.persons import PSEUDONYM
from bot.storage.tables.runs import RUN_STATE
from bot.storage.tables.safety import WORDS
from bot.storage.tables.summaries import CONTENT
from bot.storage.tables.workers import INVITATION_PSEUDONYM

PROBE = b"key_probe.blob"
_PROBE_AT = (1, None)
_PROBE_TEXT = b"equipage key probe"

# Every encrypted column: the purpose its blobs are bound to, and the SQL giving each row's
# key and person (the rest of the associated data, see `bound`).
ENCRYPTED_COLUMNS = (
    ("dialogue_runs", "state", RUN_STATE, "id", "person_id"),
    ("persons", "pseudonym", PSEUDONYM, "id", "id"),
    ("invitations", "pseudonym", INVITATION_PSEUDONYM, "id", "NULL"),
    ("outbox", "payload", PAYLOAD, "id", OUTBOX_OWNER),
    ("summaries", "content", CONTENT, "id", "person_id"),
    ("agreements", "problem", PROBLEM, "id", "person_id"),
    ("agreements", "steps", STEPS, "id", "person_id"),
    ("agreements", "change", CHANGE, "id", "person_id"),
    ("pending_inputs", "data", DATA, "account", "account"),
    ("checkins", "step", STEP, "id", "person_id"),
    ("checkins", "learned", LEARNED, "id", "person_id"),
    ("safety_held", "words", WORDS, "id", "person_id"),
    ("inbox", "raw", INBOX_RAW, "update_id", "lane"),
    ("key_probe", "blob", PROBE, "id", "NULL"),
)

# The migration that binds ciphertexts to their row (before it, a blob named only its column).
REBIND_VERSION = 9


class WrongKeyError(DecryptionError):
    """The configured key does not open what is stored: refuse to start rather than write."""


async def _reseal_all(db: Transaction, old: Cipher, new: Cipher, legacy: bool) -> int:
    """Re-encrypt every blob under `new`, reading it with `old` (purpose only when legacy)."""
    changed = 0
    present: dict[str, set[str]] = {}
    # The row's handle: SQLite's rowid; PostgreSQL has none, and every key column is unique.
    sqlite = db.dialect == "sqlite"
    for table, column, purpose, key, owner in ENCRYPTED_COLUMNS:
        if table not in present:
            present[table] = await _columns(db, table)
        if column not in present[table]:
            continue  # created by a later migration (at 0009): nothing in it to rebind yet
        handle = "rowid" if sqlite else key
        cursor = await db.execute(
            f"SELECT {handle}, {key}, {owner}, {column} FROM {table}"
            f" WHERE {column} IS NOT NULL AND length({column}) > 0"
        )
        for rowid, row_key, person, blob in await cursor.fetchall():
            fresh_ad = bound(purpose, (row_key, person))
            if not legacy and new.is_current(blob):
                continue
            plain = old.decrypt(blob, purpose if legacy else fresh_ad)
            await db.execute(
                f"UPDATE {table} SET {column} = ? WHERE {handle} = ?",
                (new.encrypt(plain, fresh_ad), rowid),
            )
            changed += 1
    return changed


async def _columns(db: Transaction, table: str) -> set[str]:
    """The columns `table` has now."""
    if db.dialect == "sqlite":
        cursor = await db.execute(f"PRAGMA table_info({table})")
        return {str(row[1]) for row in await cursor.fetchall()}
    cursor = await db.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = ?",
        (table,),
    )
    return {str(row[0]) for row in await cursor.fetchall()}


async def rebind_all(db: Transaction, cipher: Cipher) -> int:
    """Migration 0009's Python step: bind every existing blob to its row and person."""
    return await _reseal_all(db, cipher, cipher, legacy=True)


def has_encrypted_rows(database: Path) -> bool:
    """Whether the database file holds any encrypted blob (read-only, before any key exists)."""
    if not database.exists() or database.stat().st_size == 0:
        return False
    uri = f"{database.resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        for table, column, *_ in ENCRYPTED_COLUMNS:
            try:
                found = connection.execute(
                    f"SELECT 1 FROM {table} WHERE {column} IS NOT NULL LIMIT 1"
                ).fetchone()
            except sqlite3.OperationalError:  # a table a later migration creates
                continue
            if found is not None:
                return True
    return False


class KeysTable(Database):
    """Key rotation over every encrypted column, and the key check at start."""

    async def reencrypt_all(self, cipher: Cipher) -> int:
        """Re-encrypt every blob with `cipher`'s primary key, in one transaction; returns count."""
        async with self._transaction() as db:
            changed = await _reseal_all(db, cipher, cipher, legacy=False)
        self._cipher = cipher
        # No copy under the old key left in SQLite's WAL.
        await self.fold_wal()
        return changed

    async def check_key(self) -> None:
        """Decrypt the probe, or else one stored blob: WrongKeyError when the key does not fit."""
        try:
            row = await self._fetch_one("SELECT blob FROM key_probe WHERE id = 1")
        except sqlite3.OperationalError:  # before migration 0009: no probe, old-style blobs
            await self._check_unbound_blob()
            return
        try:
            if row is not None:
                self._cipher.decrypt(row["blob"], bound(PROBE, _PROBE_AT))
                return
            for table, column, purpose, key, owner in ENCRYPTED_COLUMNS:
                found = await self._fetch_one(
                    f"SELECT {key}, {owner}, {column} FROM {table}"
                    f" WHERE {column} IS NOT NULL AND length({column}) > 0 LIMIT 1"
                )
                if found is not None:
                    self._cipher.decrypt(found[2], bound(purpose, (found[0], found[1])))
                    return
        except DecryptionError as error:
            raise WrongKeyError("the data key does not decrypt the stored data") from error

    async def _check_unbound_blob(self) -> None:
        """`equipage doctor` on a database not migrated yet: blobs name only their column."""
        try:
            found = await self._fetch_one(
                "SELECT state FROM dialogue_runs WHERE length(state) > 0 LIMIT 1"
            )
        except sqlite3.OperationalError:  # no table yet: nothing to check
            return
        if found is not None:
            try:
                self._cipher.decrypt(found[0], RUN_STATE)
            except DecryptionError as error:
                raise WrongKeyError("the data key does not decrypt the stored data") from error

    async def ensure_key_probe(self) -> None:
        """Check the key, then leave a probe for the next starts if there is none yet."""
        await self.check_key()
        probe = self._cipher.encrypt(_PROBE_TEXT, bound(PROBE, _PROBE_AT))
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO key_probe (id, blob) VALUES (1, ?) ON CONFLICT DO NOTHING", (probe,)
            )
