"""The storage interface the use cases depend on: one Protocol per concern (the values they
return are in bot/domain.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from bot.domain import (
    Agreement,
    AgreementAuthor,
    AgreementStep,
    Appointment,
    AuditEntry,
    CheckIn,
    DialogueRun,
    HeldWords,
    Invitation,
    InvitationKind,
    OutboxItem,
    OutboxMessage,
    Person,
    Reminder,
    ReminderDraft,
    SafetyCall,
    ScaleMode,
    StepChange,
    Summary,
    SummaryContent,
    SummaryStatus,
    Worker,
)
from bot.pending_states import PendingState
from bot.storage.crypto import Cipher


class Lifecycle(Protocol):
    """The database itself: open, close, keys, backup, upkeep."""

    async def open(self) -> None:
        """Connect, set durable pragmas, apply pending migrations."""

    async def open_without_migrating(self) -> None:
        """Connect and set durable pragmas only (`equipage doctor` looks, it does not change)."""

    async def close(self) -> None:
        """Close the connection (idempotent)."""

    async def check_key(self) -> None:
        """Decrypt one stored blob, if any: raises DecryptionError when the key does not fit."""

    async def backup_to(self, target: Path) -> None:
        """Copy the live database to `target`, consistently, without stopping the bot."""

    async def schema_version(self) -> int:
        """The newest applied migration."""

    async def reencrypt_all(self, cipher: Cipher) -> int:
        """Re-encrypt every blob with `cipher`'s primary key, in one transaction; returns count."""

    async def monthly_counts(self) -> dict[str, dict[str, int]]:
        """Anonymous counts per month: {month: {what: count}}."""

    async def fold_wal(self) -> bool:
        """Fold the WAL back after an erasure, retrying while a reader blocks it."""

    @property
    def checkpoint_owed(self) -> bool:
        """An erasure's WAL could not be folded back yet."""

    async def contact_span(self) -> tuple[int, datetime | None]:
        """How many persons there are, and the newest last contact among them."""


class AgreementStore(Protocol):
    """Agreements: the rounds of what the person and the worker agreed."""

    async def get_agreement(self, agreement_id: int) -> Agreement | None:
        """An agreement round by id."""

    async def propose_agreement(
        self,
        *,
        person_id: int,
        worker_id: int,
        thread_id: int | None,
        author: AgreementAuthor,
        problem: str,
        steps: Sequence[AgreementStep],
        change: StepChange | None,
        now: datetime,
        notify: OutboxMessage,
    ) -> Agreement:
        """A new round (a new thread when thread_id is None); earlier open rounds are superseded."""

    async def accept_agreement(
        self, agreement_id: int, now: datetime, notify: OutboxMessage
    ) -> bool:
        """Accept an open round; False if it was already answered or superseded."""

    async def agreements_of(self, person_id: int) -> list[Agreement]:
        """Every round for a person, oldest first."""


class AuditStore(Protocol):
    """The record of each worker's access to a person's shared data."""

    async def record_access(
        self, worker_id: int, person_id: int, action: str, ref: int | None, now: datetime
    ) -> None:
        """One access by a worker to a person's shared data."""

    async def audit_of(self, person_id: int) -> list[AuditEntry]:
        """Every recorded access to a person's data, oldest first."""


class OutboxStore(Protocol):
    """The outbox: what must reach someone else, kept until delivered."""

    async def enqueue(self, message: OutboxMessage, now: datetime) -> None:
        """Queue one message on its own."""

    async def due_outbox(self, now: datetime, limit: int = 50) -> list[OutboxItem]:
        """Messages waiting to be (re)tried, oldest first."""

    async def next_outbox_due(self) -> datetime | None:
        """When the next pending message is due, if any."""

    async def outbox_delivered(self, item_id: int, now: datetime) -> None:
        """Telegram accepted it; the content now lives in Telegram, so we forget it here."""

    async def outbox_part_sent(self, item_id: int, parts_sent: int) -> None:
        """A part of a multi-part message went out: a retry starts after it."""

    async def outbox_hold(self, item_id: int, until: datetime) -> None:
        """Not now (the person's quiet hours): try again then, without counting an attempt."""

    async def held_outbox(self, person_id: int) -> list[tuple[str, datetime]]:
        """Messages to a person waiting for a later moment: (kind, when), by time."""

    async def outbox_retry(self, item_id: int, at: datetime) -> None:
        """A passing failure: try again later."""

    async def outbox_failed(self, item_id: int, now: datetime, reason: str) -> None:
        """Give up on this message (recipient unreachable, or a permanent error)."""

    async def outbox_status(self, dedupe_key: str) -> str | None:
        """'pending', 'delivered' or 'failed' for a queued message; None if unknown."""


class PendingStore(Protocol):
    """What an account's next text answers (a topic, a wording, a date…)."""

    async def set_pending(self, account: str, state: PendingState, now: datetime) -> None:
        """Expect this account's next text to answer `state` (replacing what was expected)."""

    async def get_pending(self, account: str) -> PendingState | None:
        """What this account's next text answers; None if nothing, or nothing this code reads."""

    async def clear_pending(self, account: str) -> None:
        """Nothing expected any more."""


class PersonStore(Protocol):
    """Persons: who they are, their worker, their settings."""

    async def person_by_account(self, account: str) -> Person | None:
        """The person with this account, if any."""

    async def get_person(self, person_id: int) -> Person | None:
        """A person by id."""

    async def get_or_create_person(
        self, account: str, *, chat_id: int | None, language: str, now: datetime
    ) -> Person:
        """Find the person, or create them (terminal trials); refresh chat id and last contact."""

    async def touch_person(self, person_id: int, chat_id: int | None, now: datetime) -> None:
        """Record a contact (the retention clock counts from the last one)."""

    async def join_person(
        self,
        *,
        invitation_id: int,
        account: str,
        chat_id: int,
        language: str,
        consent_version: str,
        now: datetime,
        notify: OutboxMessage,
    ) -> Person | None:
        """Consent given: claim the invitation, create the person, queue the worker's notice."""

    async def silent_since(self, cutoff: datetime) -> list[Person]:
        """Persons with no contact since `cutoff` (retention)."""

    async def persons_of_worker(self, worker_id: int) -> list[Person]:
        """The persons a worker supports, in the order they joined."""

    async def all_persons(self) -> list[Person]:
        """Every person (for the admin command line)."""

    async def transfer_person(
        self, person_id: int, worker_id: int, now: datetime, notify: OutboxMessage
    ) -> bool:
        """Link the person to another worker and queue the notice to the person."""

    async def erase_person(
        self,
        person_id: int,
        account: str,
        now: datetime,
        goodbye: OutboxMessage | None,
        *,
        reason: str = "person",
    ) -> None:
        """Delete everything about a person in one transaction; queue only a goodbye notice."""

    async def set_rhythm(self, person_id: int, **values: int) -> None:
        """Change the person's rhythm settings (quiet hours, pause, strengths check-ins)."""

    async def set_person_reachable(self, person_id: int, reachable: bool) -> None:
        """Remember whether Telegram lets us write to the person."""

    async def set_language(self, person_id: int, language: str) -> None:
        """Remember the person's language."""


class RunStore(Protocol):
    """Dialogue runs: each answer and state, and the question awaiting one."""

    async def drop_active_run(self, run_id: int) -> bool:
        """Delete a run still in progress (one nobody answered); False if it was not active."""

    async def set_current_run(self, person_id: int, run_id: int | None) -> None:
        """Which run free text goes to; None when the person left the dialogue."""

    async def get_run(self, run_id: int) -> DialogueRun | None:
        """A run by id."""

    async def active_run(self, person_id: int, dialogue_id: str) -> DialogueRun | None:
        """The person's run in progress for this dialogue."""

    async def active_runs(self, person_id: int) -> list[DialogueRun]:
        """All the person's runs in progress."""

    async def finished_dialogue_ids(self, person_id: int) -> set[str]:
        """Which dialogues the person finished at least once (no decryption needed)."""

    async def finished_runs(self, person_id: int, dialogue_id: str) -> list[DialogueRun]:
        """Kept versions of a dialogue, newest first."""

    async def start_run(
        self, person_id: int, dialogue_id: str, version: int, state: dict[str, Any], now: datetime
    ) -> DialogueRun:
        """Create a run in progress and make it the person's current one."""

    async def save_turn(
        self,
        run: DialogueRun,
        state: dict[str, Any],
        *,
        finished: bool,
        scale_mode: ScaleMode | None,
        now: datetime,
        update_id: int | None = None,
    ) -> DialogueRun:
        """Store an answer's new state (and a scale-mode change) in one transaction."""

    async def mark_shown(self, run_id: int, turn: int) -> None:
        """The person has now seen the question of `turn` (its message was accepted)."""


class AppointmentStore(Protocol):
    """Appointments, with the reminders they bring."""

    async def save_appointment(
        self,
        *,
        person_id: int,
        worker_id: int,
        at: datetime,
        now: datetime,
        reminders: Sequence[ReminderDraft],
        notify: OutboxMessage,
    ) -> Appointment:
        """The next appointment, replacing a planned one, with its reminders, in one go."""

    async def cancel_appointment(
        self, appointment_id: int, now: datetime, notify: OutboxMessage
    ) -> bool:
        """Cancel a planned appointment and everything scheduled around it."""

    async def get_appointment(self, appointment_id: int) -> Appointment | None:
        """An appointment by id."""

    async def next_appointment(self, person_id: int, now: datetime) -> Appointment | None:
        """The person's next planned appointment, if any."""

    async def appointments_between(
        self, worker_id: int, start: datetime, end: datetime
    ) -> list[Appointment]:
        """A worker's planned appointments in [start, end), by time."""

    async def answer_appointment(
        self, appointment_id: int, answer: str, now: datetime, notify: OutboxMessage
    ) -> bool:
        """The person said 'noted' or 'cannot'; the worker is told. False if already answered."""

    async def appointment_details(
        self,
        appointment_id: int,
        proposed_at: datetime | None,
        notify: OutboxMessage,
        now: datetime,
    ) -> None:
        """The person's reason and proposal after "cannot", in the worker's notice."""


class ReminderStore(Protocol):
    """Reminders as rows, scanned by one job."""

    async def add_reminders(self, drafts: Sequence[ReminderDraft], now: datetime) -> None:
        """Schedule reminders."""

    async def drop_reminders(self, person_id: int, kinds: Sequence[str]) -> None:
        """Drop a person's pending reminders of these kinds (a new first step replaces old)."""

    async def due_reminders(self, now: datetime, limit: int = 200) -> list[Reminder]:
        """Pending reminders due by `now`, oldest first (over the partial index)."""

    async def agreed_without_checkin(self, since: datetime) -> list[tuple[int, int, datetime]]:
        """Agreements accepted since `since` with no check-in scheduled yet."""

    async def reminders_of(self, person_id: int, since: datetime) -> list[Reminder]:
        """A person's reminders due since a moment, whatever their status, by time."""

    async def pending_reminders(self, person_id: int) -> list[Reminder]:
        """A person's pending reminders, by time."""

    async def get_reminder(self, reminder_id: int) -> Reminder | None:
        """A reminder by id."""

    async def postpone_reminder(self, reminder_id: int, due_at: datetime) -> None:
        """Move a reminder that fell in quiet hours to the next allowed moment."""

    async def drop_reminder(self, reminder_id: int) -> None:
        """Give up a reminder (stale, paused, recipient gone)."""

    async def claim_reminder(
        self,
        reminder_id: int,
        now: datetime,
        message: OutboxMessage,
        follow_up: ReminderDraft | None = None,
    ) -> bool:
        """Mark it sent and queue its message in one transaction: never lost, never twice."""


class CheckInStore(Protocol):
    """Check-ins on the person's first step."""

    async def create_checkin(self, person_id: int, step: str, now: datetime) -> CheckIn:
        """A check-in about a step, waiting for the person's answer."""

    async def answer_checkin(
        self,
        checkin_id: int,
        *,
        progress: str | None,
        learned: str | None,
        now: datetime,
        attainment: int | None = None,
    ) -> None:
        """Record where the person is with the step, how it went (GAS), what they learned."""

    async def get_checkin(self, checkin_id: int) -> CheckIn | None:
        """A check-in by id."""

    async def checkins_since(self, person_id: int, since: datetime | None) -> list[CheckIn]:
        """A person's answered check-ins, oldest first, since a moment (e.g. the last summary)."""


class SummaryStore(Protocol):
    """Summaries, from draft to the worker's acknowledgement."""

    async def get_summary(self, summary_id: int) -> Summary | None:
        """A summary by id."""

    async def draft_of(self, person_id: int) -> Summary | None:
        """The person's summary being prepared, if any."""

    async def save_draft(
        self, person_id: int, worker_id: int | None, content: SummaryContent, now: datetime
    ) -> Summary:
        """Create the person's draft, or replace its content (a new revision)."""

    async def send_summary(
        self, summary_id: int, revision: int, now: datetime, deliver: OutboxMessage
    ) -> bool:
        """Approve the draft exactly as previewed and queue its delivery, in one transaction."""

    async def mark_summary(
        self,
        summary_id: int,
        status: SummaryStatus,
        now: datetime,
        notify: OutboxMessage | None = None,
        delivered_item: int | None = None,
    ) -> bool:
        """Move a sent summary on (delivered, failed, acknowledged); False if already past it."""

    async def sent_summaries(self, person_id: int) -> list[Summary]:
        """Summaries the person sent, newest first."""


class WorkerStore(Protocol):
    """Workers."""

    async def create_worker(self, name: str, structure: str | None, now: datetime) -> Worker:
        """Register a worker; they get access once they open their invitation."""

    async def get_worker(self, worker_id: int) -> Worker | None:
        """A worker by id."""

    async def worker_by_account(self, account: str) -> Worker | None:
        """The worker using this Telegram account, if any."""

    async def list_workers(self) -> list[Worker]:
        """Every worker, active first."""

    async def count_persons(self, worker_id: int) -> int:
        """How many persons a worker supports."""

    async def deactivate_worker(self, worker_id: int, now: datetime) -> bool:
        """End a worker's access; their open invitations die with it."""

    async def set_worker_reachable(self, worker_id: int, reachable: bool) -> None:
        """Remember whether Telegram lets us write to the worker."""

    async def join_worker(
        self, *, invitation_id: int, account: str, chat_id: int, language: str, now: datetime
    ) -> Worker | None:
        """Claim a worker invitation and bind the account; None if someone else won."""


class InvitationStore(Protocol):
    """Invitations, found by the hash of their code."""

    async def create_invitation(
        self,
        *,
        kind: InvitationKind,
        worker_id: int,
        code_hash: bytes,
        pseudonym: str | None,
        now: datetime,
        expires_at: datetime,
    ) -> Invitation:
        """Store a new invitation (its code only as a hash)."""

    async def invitation_by_hash(self, code_hash: bytes) -> Invitation | None:
        """The invitation whose code hashes to this, if any."""

    async def get_invitation(self, invitation_id: int) -> Invitation | None:
        """An invitation by id."""

    async def count_open_invitations(self, worker_id: int, now: datetime) -> int:
        """Unused, unexpired person invitations of a worker."""


class Storage(
    Lifecycle,
    AgreementStore,
    AuditStore,
    OutboxStore,
    PendingStore,
    PersonStore,
    RunStore,
    AppointmentStore,
    ReminderStore,
    CheckInStore,
    SummaryStore,
    WorkerStore,
    InvitationStore,
    Protocol,
):
    """All of it, as the composition root and the operator's commands see it; each use case
    depends only on the concerns it uses."""


class SafetyStorage(Protocol):
    """What the safety step stores (the SQLite storage implements it with the rest)."""

    async def get_person(self, person_id: int) -> Person | None:
        """A person by id."""

    async def get_worker(self, worker_id: int) -> Worker | None:
        """A worker by id."""

    async def get_pending(self, account: str) -> PendingState | None:
        """What this account's next text answers; None if nothing, or nothing this code reads."""

    async def safety_last_shown(self, account: str) -> tuple[tuple[str, ...], datetime] | None:
        """The levels last shown in full to this account, and when."""

    async def safety_mark_shown(self, account: str, levels: tuple[str, ...], now: datetime) -> None:
        """Help was shown in full now, for these levels."""

    async def hold_words(
        self, account: str, person_id: int, context: str, words: str, now: datetime
    ) -> int:
        """Keep these words aside (encrypted) until the person decides; replaces older ones."""

    async def take_held(self, account: str) -> HeldWords | None:
        """The held words, removed from storage in the same step."""

    async def drop_held(self, account: str) -> bool:
        """Forget held words, if any."""

    async def create_safety_call(
        self,
        person_id: int,
        worker_id: int,
        now: datetime,
        follow_up_at: datetime,
        notice: Callable[[int], OutboxMessage],
    ) -> int:
        """Record a call request and queue the worker's notice, in one transaction."""

    async def get_safety_call(self, call_id: int) -> SafetyCall | None:
        """One call request."""

    async def acknowledge_safety_call(
        self, call_id: int, how: str, now: datetime, notice: OutboxMessage
    ) -> bool:
        """The worker acted on it; the person is told. False if already acknowledged."""

    async def open_safety_calls(self, worker_id: int) -> list[SafetyCall]:
        """Call requests this worker has not acknowledged yet, oldest first."""

    async def due_safety_follow_ups(self, now: datetime, limit: int = 200) -> list[SafetyCall]:
        """Unacknowledged requests whose person should now be told so."""

    async def mark_safety_followed_up(
        self, call_id: int, now: datetime, notice: OutboxMessage
    ) -> bool:
        """Queue the person's follow-up once; False if already done or acknowledged."""
