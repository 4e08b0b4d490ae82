"""The person's data rights, self-service: everything they have here, or nothing at all."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot import engine
from bot.domain import OutboxMessage, Person, VoiceNote
from bot.engine import Dialogue
from bot.i18n import Translator
from bot.messages import PersonLeft
from bot.storage.base import (
    AgreementStore,
    Lifecycle,
    PersonStore,
    RunStore,
    SummaryStore,
    WorkerStore,
)
from bot.usecases.clock import Clock
from bot.usecases.outbox import OutboxSignal


class RightsStorage(
    Lifecycle, PersonStore, RunStore, AgreementStore, WorkerStore, SummaryStore, Protocol
):
    """What data rights read and erase."""


log = logging.getLogger(__name__)

# How long /effacer's confirmation stays valid.
ERASE_CONFIRMATION_MINUTES = 24 * 60


@dataclass(frozen=True)
class Recording:
    """A voice note the person recorded, and the name it gets in the export."""

    file_id: str
    filename: str
    label: str


@dataclass(frozen=True)
class Export:
    """A readable document and a machine-readable one, with the same content."""

    text: str
    data: dict[str, Any]
    recordings: list[Recording] = field(default_factory=list)


def purge_refusal(now: datetime, cutoff: datetime, newest: datetime | None) -> str | None:
    """Why the clock cannot be trusted for a purge, if it cannot.

    Behind the newest contact: the clock went back (or ran ahead earlier). Nobody seen within
    the whole retention period: far more likely a clock jump than a service nobody used."""
    if newest is None:
        return None
    if now < newest:
        return "clock_before_newest_contact"
    if newest < cutoff:
        return "nobody_seen_within_retention"
    return None


class Rights:
    """/mes_donnees and /effacer."""

    def __init__(
        self,
        storage: RightsStorage,
        dialogues: dict[str, Dialogue],
        clock: Clock,
        signal: OutboxSignal,
        confirm_secret: bytes | None = None,
    ) -> None:
        self._storage = storage
        self._dialogues = dialogues
        self._clock = clock
        self._signal = signal
        # Signs /effacer's confirmation button, so a crafted press cannot skip the question.
        self._confirm_secret = confirm_secret or secrets.token_bytes(32)

    def _erase_mac(self, person: Person, issued: int) -> str:
        message = f"erase|{person.id}|{issued}".encode()
        return hmac.new(self._confirm_secret, message, hashlib.sha256).hexdigest()[:12]

    def erase_token(self, person: Person) -> str:
        """The token /effacer's "yes" button carries: this person, issued now."""
        issued = int(self._clock.now().timestamp() // 60)
        return f"{issued}.{self._erase_mac(person, issued)}"

    def erase_confirmed(self, person: Person, token: str) -> bool:
        """Whether the press comes from a confirmation we showed this person, recently."""
        issued_text, _, mac = token.partition(".")
        if not issued_text.isdigit():
            return False
        issued = int(issued_text)
        expected = self._erase_mac(person, issued)
        age = self._clock.now().timestamp() / 60 - issued
        return hmac.compare_digest(mac, expected) and -5 <= age <= ERASE_CONFIRMATION_MINUTES

    async def export(self, person: Person, tr: Translator, timezone: ZoneInfo) -> Export:
        """Everything stored about the person, decrypted, as text and as JSON."""
        worker = (
            None if person.worker_id is None else await self._storage.get_worker(person.worker_id)
        )
        data: dict[str, Any] = {
            "person": {
                "pseudonym": person.pseudonym,
                "language": person.language,
                "scale_mode": person.scale_mode,
                "created_at": person.created_at.isoformat(),
                "consented_at": person.consented_at.isoformat() if person.consented_at else None,
                "worker": worker.name if worker else None,
            },
            "dialogues": [],
            "summaries": [],
            "agreements": [],
            "recordings": [],
        }
        recordings: list[Recording] = []

        def recorded(label: str, file_id: str) -> str:
            """The file name of a recording in the export (one file per recording)."""
            for known in recordings:
                if known.file_id == file_id:
                    return known.filename
            name = f"{tr.message('rights.export_recording_name')}_{len(recordings) + 1:02d}.oga"
            recordings.append(Recording(file_id, name, label))
            data["recordings"].append({"file": name, "question": label, "file_id": file_id})
            return name

        lines = [tr.message("rights.export_title"), ""]
        lines.append(tr.message("rights.export_worker", worker=worker.name if worker else "-"))
        if person.consented_at:
            lines.append(
                tr.message("rights.export_since", date=tr.day(person.consented_at, timezone))
            )
        for dialogue_id, dialogue in self._dialogues.items():
            runs = await self._storage.finished_runs(person.id, dialogue_id)
            active = await self._storage.active_run(person.id, dialogue_id)
            for run in ([active] if active else []) + runs:
                view = engine.answers_view(dialogue, run.state, tr)
                data["dialogues"].append(
                    {
                        "dialogue": dialogue_id,
                        "status": run.status,
                        "started_at": run.started_at.isoformat(),
                        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
                        "answers": run.state.get("answers", {}),
                    }
                )
                when = run.finished_at or run.updated_at
                key = "rights.export_version" if run.finished_at else "rights.export_in_progress"
                lines += [
                    "",
                    tr.message(key, title=tr.gettext(dialogue.title), date=tr.day(when, timezone)),
                ]
                lines += [f"• {label} : {value}" for label, value in view]
                for label, file_id, _ in engine.voice_notes(dialogue, run.state, tr):
                    name = recorded(label, file_id)
                    lines.append(tr.message("rights.export_recording", label=label, file=name))
        for summary in await self._storage.sent_summaries(person.id):
            data["summaries"].append(
                {
                    "status": summary.status,
                    "sent_at": summary.sent_at.isoformat() if summary.sent_at else None,
                    "content": summary.content,
                }
            )
            if summary.sent_at:
                lines += [
                    "",
                    tr.message("rights.export_summary", date=tr.day(summary.sent_at, timezone)),
                ]
            said = VoiceNote.from_json(summary.content.get("topics"))
            if said is not None:
                label = tr.message("summary.topics_title")
                name = recorded(label, said.file_id)
                lines.append(tr.message("rights.export_recording", label=label, file=name))
        for agreement in await self._storage.agreements_of(person.id):
            data["agreements"].append(
                {
                    "round": agreement.round,
                    "author": agreement.author,
                    "problem": agreement.problem,
                    "steps": [vars(step) for step in agreement.steps],
                    "status": agreement.status,
                    "created_at": agreement.created_at.isoformat(),
                }
            )
            lines += [
                "",
                tr.message("rights.export_agreement", date=tr.day(agreement.created_at, timezone)),
                f"• {agreement.problem}",
            ]
            lines += [
                "• " + " — ".join(part for part in (step.what, step.who, step.when) if part)
                for step in agreement.steps
            ]
        log.info("data_exported", extra={"person": person.id, "recordings": len(recordings)})
        return Export("\n".join(lines) + "\n", data, recordings)

    async def expired(self, retention_days: int) -> list[Person]:
        """Persons whose last contact is older than the retention period."""
        cutoff = self._clock.now() - timedelta(days=retention_days)
        return await self._storage.silent_since(cutoff)

    async def purge(self, retention_days: int, max_percent: int = 25) -> int:
        """Erase every person past the retention period; returns how many.

        Refuses (erases nothing, logs why) when the clock cannot be trusted or the share is too
        large: a clock set years ahead would otherwise erase everyone."""
        if self._storage.checkpoint_owed:  # an earlier erasure left old pages in the WAL
            await self._storage.fold_wal()
        now = self._clock.now()
        expired = await self.expired(retention_days)
        total, newest = await self._storage.contact_span()
        refusal = purge_refusal(now, now - timedelta(days=retention_days), newest)
        if refusal is None and len(expired) > max(1, total * max_percent // 100):
            refusal = "share_too_large"
        if refusal is not None and expired:
            log.warning(
                "retention_purge_refused",
                extra={"reason": refusal, "expired": len(expired), "persons": total},
            )
            return 0
        for person in expired:
            await self._storage.erase_person(
                person.id, person.account, self._clock.now(), None, reason="retention"
            )
        if expired:
            log.info("retention_purge", extra={"erased": len(expired)})
        return len(expired)

    async def erase(self, person: Person, reason: str = "person") -> None:
        """Delete everything; the worker is told only that the person left.

        `reason` is "person" (/effacer) or "admin" (on the person's request to the service)."""
        goodbye = None
        if person.worker_id is not None:
            goodbye = OutboxMessage(
                dedupe_key=f"person_left:{person.id}:{self._clock.now().isoformat()}",
                recipient_kind="worker",
                recipient_id=person.worker_id,
                body=PersonLeft(person.pseudonym or ""),
            )
        await self._storage.erase_person(
            person.id, person.account, self._clock.now(), goodbye, reason=reason
        )
        self._signal.wake()
        log.info("person_erased", extra={"reason": reason})
