"""Fast seeding of a realistic database: direct SQL (executemany), encrypted with the
storage's own `Cipher` and purposes, so the bot reads every row as if it had written it.

The words come from real runs of the dialogue engine (a scripted walk through each dialogue)
and summaries from the real `Summaries.prepare` on a scratch database; a marker in them is
replaced by each person's number, so no two persons store the same bytes.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.apps import bench_settings, new_key
from bot import engine
from bot.config import Settings
from bot.domain import SummaryContent
from bot.engine import ButtonPress, Dialogue, TextAnswer, load_dialogues
from bot.i18n import Catalogs, Translator
from bot.services import build_services
from bot.storage.crypto import Cipher
from bot.storage.database import bound, to_db
from bot.storage.sqlite import SqliteStorage
from bot.storage.tables.persons import PSEUDONYM
from bot.storage.tables.runs import RUN_STATE
from bot.storage.tables.summaries import CONTENT
from bot.storage.tables.workers import INVITATION_PSEUDONYM
from bot.usecases.consent import CONSENT_VERSION

MARK = "§"
BATCH = 5000


def _words(n: int) -> str:
    return (
        f"Réponse {n} de la personne {MARK} : avec ses mots, une ou deux phrases,"
        " comme on les écrit sur un téléphone."
    )


def walk(dialogue: Dialogue, tr: Translator, stop_after: int | None = None) -> dict[str, Any]:
    """A scripted run of one dialogue with the engine: its state when finished (or after
    `stop_after` answers). Options: the first one; scales: 7; yes/no: no; text: some words."""
    outcome = engine.start(dialogue, tr)
    answered = 0
    while outcome.prompt is not None and (stop_after is None or answered < stop_after):
        prompt = outcome.prompt
        values = [button.value for row in prompt.buttons for button in row]
        options = [value for value in values if not value.startswith("_")]
        answer: engine.Answer
        if "_done" in values:
            outcome = engine.advance(
                dialogue, outcome.state, ButtonPress(prompt.turn, options[0]), tr
            )
            assert outcome.prompt is not None
            answer = ButtonPress(outcome.prompt.turn, "_done")
        elif "_fix" in values:
            answer = ButtonPress(prompt.turn, "_yes")
        elif "_no" in values:
            answer = ButtonPress(prompt.turn, "_no")
        elif "_mode" in values:
            answer = ButtonPress(prompt.turn, "7")
        elif options:
            answer = ButtonPress(prompt.turn, options[0])
        else:
            answer = TextAnswer(_words(answered + 1))
        outcome = engine.advance(dialogue, outcome.state, answer, tr)
        if not outcome.accepted:
            raise RuntimeError(f"scripted walk of {dialogue.id} rejected: {outcome.messages}")
        answered += 1
    return outcome.state


@dataclass(frozen=True)
class Templates:
    """JSON texts (with the marker) of what each person stores."""

    finished: dict[str, str]  # dialogue id -> finished state
    versions: dict[str, int]
    in_progress: str  # Mon problème after its first answer
    summary: str  # a summary's content


def _dump(value: Any) -> str:
    # As the storage seals JSON (bot/storage/database.py `_seal_json`).
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def templates(settings: Settings, scratch: Path) -> Templates:
    """Engine states for each dialogue, and a summary assembled by the real use case."""
    dialogues = load_dialogues(settings.dialogs_dir)
    tr = Catalogs.load(settings.dialogs_dir, settings.locales_dir).translator("fr")
    states = {key: walk(dialogue, tr) for key, dialogue in dialogues.items()}
    in_progress = walk(dialogues["probleme"], tr, stop_after=1)
    summary = asyncio.run(_summary_content(scratch, states))
    return Templates(
        finished={key: _dump(state) for key, state in states.items()},
        versions={key: dialogue.version for key, dialogue in dialogues.items()},
        in_progress=_dump(in_progress),
        summary=_dump(summary),
    )


async def _summary_content(scratch: Path, states: dict[str, dict[str, Any]]) -> SummaryContent:
    settings = bench_settings(scratch, new_key())
    services = build_services(settings)
    storage = services.storage
    await storage.open()
    try:
        now = datetime.now(UTC)
        person = await storage.get_or_create_person("telegram:1", chat_id=1, language="fr", now=now)
        for key, state in states.items():
            run = await storage.start_run(person.id, key, int(state["version"]), state, now)
            await storage.save_turn(run, state, finished=True, scale_mode=None, now=now)
        person = await storage.get_person(person.id) or person
        await services.summaries.prepare(person, services.catalogs.translator("fr"))
        draft = await storage.draft_of(person.id)
        assert draft is not None
        return draft.content
    finally:
        await storage.close()


async def _create_schema(path: Path, key: bytes) -> None:
    storage = SqliteStorage(path, Cipher(key))
    await storage.open()
    await storage.close()


def decode_key(value: str) -> bytes:
    """EQUIPAGE_DATA_KEY back to bytes."""
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@dataclass(frozen=True)
class Plan:
    """What each seeded person has."""

    persons: int
    first_uid: int
    finished: bool = False  # one finished run of each dialogue, two sent summaries, outbox
    in_progress: bool = False  # Mon problème in progress (their current run)
    per_worker: int = 40
    reminders: bool = False  # an appointment and its reminders (if the schema has them)


def _tables(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def seed(path: Path, key: str, plan: Plan, shapes: Templates) -> dict[str, Any]:
    """Create the schema with the bot's migrations, then insert `plan.persons` persons."""
    started = time.perf_counter()
    asyncio.run(_create_schema(path, decode_key(key)))
    cipher = Cipher(decode_key(key))
    db = sqlite3.connect(path, isolation_level=None)
    # Seeding only: no journal, no fsync. The bot reopens with its own pragmas (WAL, FULL).
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    with_reminders = plan.reminders and {"reminders", "appointments"} <= _tables(db)
    now = datetime.now(UTC)
    counts: dict[str, int] = {}

    def insert(table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            db.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
            counts[table] = counts.get(table, 0) + len(rows)

    workers = []
    for index in range(0, plan.persons, plan.per_worker):
        wid = index // plan.per_worker + 1
        uid = plan.first_uid + 50_000_000 + wid
        joined = to_db(now - timedelta(days=500))
        workers.append(
            (wid, f"Intervenante {wid}", "CCAS", f"telegram:{uid}", uid, "fr", joined, joined)
        )
    db.execute("BEGIN")
    insert(
        "workers",
        "id, name, structure, account, chat_id, language, created_at, joined_at",
        workers,
    )
    insert(
        "invitations",
        "code_hash, kind, worker_id, created_at, expires_at, used_at, used_by",
        [(_hash(f"w{w[0]}"), "worker", w[0], w[6], w[6], w[6], w[3]) for w in workers],
    )
    db.execute("COMMIT")

    for start in range(0, plan.persons, BATCH):
        rows: dict[str, list[tuple[Any, ...]]] = {}
        for pid in range(start + 1, min(start + BATCH, plan.persons) + 1):
            _person_rows(pid, plan, shapes, cipher, now, rows, with_reminders)
        db.execute("BEGIN")
        for table, (columns, batch) in _columns(rows).items():
            insert(table, columns, batch)
        db.execute("COMMIT")

    db.execute("PRAGMA journal_mode = WAL")
    db.execute("ANALYZE")
    db.close()
    # Written without fsync: flush it now, or the bot's first fsyncs would wait for it.
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return {
        "seconds": time.perf_counter() - started,
        "rows": counts,
        "reminders_seeded": with_reminders,
    }


# Person invitations get ids of their own, far above the workers' (their ciphertexts are
# bound to their row id).
PERSON_INVITATIONS = 10_000_000

_COLUMNS = {
    "invitations": "id, code_hash, kind, worker_id, pseudonym, created_at, expires_at, used_at,"
    " used_by",
    "persons": "id, account, chat_id, language, current_run_id, created_at, last_seen_at,"
    " worker_id, pseudonym, consent_version, consented_at",
    "dialogue_runs": "id, person_id, dialogue_id, dialogue_version, status, state, started_at,"
    " updated_at, finished_at",
    "summaries": "id, person_id, worker_id, status, revision, content, created_at, sent_at,"
    " delivered_at, acknowledged_at",
    "outbox": "dedupe_key, recipient_kind, recipient_id, payload, created_at, attempts,"
    " next_attempt_at, delivered_at, parts_sent, about_person",
    "audit": "worker_id, person_id, action, ref, at",
    "appointments": "id, person_id, worker_id, at, status, created_at, updated_at",
    "reminders": "person_id, worker_id, kind, ref, due_at, stale_at, status, sent_at, created_at",
}


def _columns(
    rows: dict[str, list[tuple[Any, ...]]],
) -> dict[str, tuple[str, list[tuple[Any, ...]]]]:
    return {table: (_COLUMNS[table], rows[table]) for table in _COLUMNS if rows.get(table)}


def _hash(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def _person_rows(
    pid: int,
    plan: Plan,
    shapes: Templates,
    cipher: Cipher,
    now: datetime,
    rows: dict[str, list[tuple[Any, ...]]],
    with_reminders: bool,
) -> None:
    def add(table: str, row: tuple[Any, ...]) -> None:
        rows.setdefault(table, []).append(row)

    uid = plan.first_uid + pid
    account = f"telegram:{uid}"
    wid = (pid - 1) // plan.per_worker + 1
    name = f"Personne {pid}"
    mark = str(pid)
    joined = now - timedelta(days=30 + pid % 300, minutes=pid % 1440)
    seen = now - timedelta(days=pid % 60, minutes=pid % 720)
    at_joined = to_db(joined)
    add(
        "invitations",
        (
            PERSON_INVITATIONS + pid,
            _hash(f"p{pid}"),
            "person",
            wid,
            cipher.encrypt(
                name.encode(), bound(INVITATION_PSEUDONYM, (PERSON_INVITATIONS + pid, None))
            ),
            at_joined,
            to_db(joined + timedelta(days=7)),
            at_joined,
            account,
        ),
    )
    current = None
    run_id = 4 * (pid - 1)
    if plan.finished:
        for offset, (key, state) in enumerate(shapes.finished.items()):
            run_id += 1
            done = to_db(joined + timedelta(days=3 + 5 * offset, minutes=17))
            sealed = cipher.encrypt(
                state.replace(MARK, mark).encode(), bound(RUN_STATE, (run_id, pid))
            )
            row = (run_id, pid, key, shapes.versions[key], "finished", sealed, done, done, done)
            add("dialogue_runs", row)
    if plan.in_progress:
        run_id = 4 * (pid - 1) + 4
        current = run_id
        sealed = cipher.encrypt(
            shapes.in_progress.replace(MARK, mark).encode(), bound(RUN_STATE, (run_id, pid))
        )
        moment = to_db(seen)
        version = shapes.versions["probleme"]
        add(
            "dialogue_runs",
            (run_id, pid, "probleme", version, "active", sealed, moment, moment, None),
        )
    add(
        "persons",
        (
            pid,
            account,
            uid,
            "fr",
            current,
            at_joined,
            to_db(seen),
            wid,
            cipher.encrypt(name.encode(), bound(PSEUDONYM, (pid, pid))),
            CONSENT_VERSION,
            at_joined,
        ),
    )
    add(
        "outbox",
        ("person_joined:p" + mark, "worker", wid, b"", at_joined, 1, at_joined, at_joined, 1, pid),
    )
    if not plan.finished:
        return
    content = shapes.summary.replace(MARK, mark).encode()
    for number, status in ((1, "acknowledged"), (2, "delivered")):
        sid = 2 * (pid - 1) + number
        sent = joined + timedelta(days=20 * number)
        at_sent = to_db(sent)
        delivered = to_db(sent + timedelta(seconds=2))
        acknowledged = to_db(sent + timedelta(hours=3)) if status == "acknowledged" else None
        add(
            "summaries",
            (
                sid,
                pid,
                wid,
                status,
                2,
                cipher.encrypt(content, bound(CONTENT, (sid, pid))),
                to_db(sent - timedelta(minutes=10)),
                at_sent,
                delivered,
                acknowledged,
            ),
        )
        add(
            "outbox", (f"summary:{sid}", "worker", wid, b"", at_sent, 1, at_sent, delivered, 2, pid)
        )
        add(
            "outbox",
            (
                f"summary_delivered:{sid}",
                "person",
                pid,
                b"",
                delivered,
                1,
                delivered,
                delivered,
                1,
                pid,
            ),
        )
        add("audit", (wid, pid, "summary_delivered", sid, delivered))
    if with_reminders:
        # Half the persons had their appointment long ago (reminders sent), half have one
        # coming in 2 to 47 days (reminders pending, none due now); workers get a daily list.
        if pid % 2:
            appointment = joined + timedelta(days=25)
        else:
            appointment = now + timedelta(days=2 + pid % 45, hours=pid % 8)
        at = to_db(appointment)
        add("appointments", (pid, pid, wid, at, "planned", at_joined, at_joined))
        for kind, due in (
            ("prepare", appointment - timedelta(days=1)),
            ("checkin", appointment + timedelta(days=3)),
        ):
            past = due < now
            add(
                "reminders",
                (
                    pid,
                    wid,
                    kind,
                    pid,
                    to_db(due),
                    to_db(due + timedelta(days=2)),
                    "sent" if past else "pending",
                    to_db(due) if past else None,
                    at_joined,
                ),
            )
        if pid % plan.per_worker == 1:
            digest = to_db(now + timedelta(days=1, hours=pid % 5))
            add("reminders", (None, wid, "digest", None, digest, None, "pending", None, at_joined))
