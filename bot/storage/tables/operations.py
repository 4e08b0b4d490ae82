"""What operators need: an online backup and anonymous activity counts."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from bot.paths import private_file
from bot.storage.database import Database

# Trials in the terminal (`equipage chat`, accounts "console:…") are not activity: left out.
_REAL = "person_id IN (SELECT id FROM persons WHERE account NOT LIKE 'console:%')"

# Each count: (label key, SQL giving (month, count) rows). Months are UTC "YYYY-MM".
MONTHLY_COUNTS = (
    (
        "persons_joined",
        "SELECT substr(consented_at, 1, 7), COUNT(*) FROM persons"
        " WHERE consented_at IS NOT NULL AND account NOT LIKE 'console:%' GROUP BY 1",
    ),
    (
        "dialogues_finished",
        "SELECT substr(finished_at, 1, 7), COUNT(*) FROM dialogue_runs"
        f" WHERE finished_at IS NOT NULL AND {_REAL} GROUP BY 1",
    ),
    (
        "summaries_sent",
        "SELECT substr(sent_at, 1, 7), COUNT(*) FROM summaries"
        f" WHERE sent_at IS NOT NULL AND {_REAL} GROUP BY 1",
    ),
    (
        "agreements_accepted",
        "SELECT substr(answered_at, 1, 7), COUNT(*) FROM agreements"
        f" WHERE status = 'accepted' AND {_REAL} GROUP BY 1",
    ),
)


def copy_database(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while the bot keeps writing."""
    if target.exists():
        raise FileExistsError(target)
    # The copy holds everything: owner-only from its first byte, in an owner-only folder.
    private_file(target)
    with closing(sqlite3.connect(source)) as origin, closing(sqlite3.connect(target)) as copy:
        origin.backup(copy)
    target.chmod(0o600)


class OperationsTable(Database):
    """Backup and statistics."""

    async def monthly_counts(self) -> dict[str, dict[str, int]]:
        """Anonymous counts per month: {month: {what: count}}."""
        months: dict[str, dict[str, int]] = {}
        for label, sql in MONTHLY_COUNTS:
            for month, count in await self._fetch_all(sql):
                months.setdefault(str(month), {})[label] = int(count)
        return dict(sorted(months.items()))
