"""Préparer mon rendez-vous: assemble, let the person shape it, send it, follow it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal, Protocol

from bot import engine
from bot.domain import (
    CheckIn,
    DialogueRun,
    FirstStepContent,
    OutboxMessage,
    Person,
    SectionContent,
    Summary,
    SummaryContent,
    VoiceNote,
    Worker,
)
from bot.engine import Dialogue, Translator
from bot.messages import (
    SummaryAcknowledged,
    SummaryDelivered,
    SummaryFailed,
    SummaryToWorker,
)
from bot.storage.base import (
    AgreementStore,
    AuditStore,
    CheckInStore,
    OutboxStore,
    PersonStore,
    RunStore,
    SummaryStore,
    WorkerStore,
)
from bot.usecases.access import NotYours, person_of_worker, worker_owns
from bot.usecases.clock import Clock
from bot.usecases.first_step import IDEAS, chosen_step
from bot.usecases.outbox import OutboxSignal


class SummariesStorage(
    SummaryStore,
    AgreementStore,
    CheckInStore,
    RunStore,
    PersonStore,
    WorkerStore,
    OutboxStore,
    AuditStore,
    Protocol,
):
    """What summaries read and write."""


log = logging.getLogger(__name__)

# Sections in the order a summary shows them; "topics" is what the person wants to talk about.
SECTIONS = ("probleme", "idees", "forces")
CHECKINS = "premiers_pas"
TOPICS = "topics"
TOPICS_MAX = 4096


@dataclass(frozen=True)
class Section:
    """One part of a summary, with the person's words as they answered."""

    key: str
    title: str
    lines: list[tuple[str, str]]
    included: bool
    # (label, Telegram file id, seconds): the recordings go to the worker as they were said.
    voices: list[tuple[str, str, int]] = field(default_factory=list)
    # For each line: the person's own words (quoted for the worker), or our wording.
    words: list[bool] = field(default_factory=list)

    def is_words(self, index: int) -> bool:
        """Whether line `index` holds the person's own words (drafts from before: yes)."""
        return self.words[index] if index < len(self.words) else True


@dataclass(frozen=True)
class FirstStep:
    """The person's current first step, in their words, and when they said they would do it."""

    what: str
    when: str


@dataclass(frozen=True)
class Score:
    """A strength domain this time and last time (0–10; None when not answered)."""

    label: str
    now: float | None
    before: float | None


@dataclass(frozen=True)
class SummaryView:
    """A summary as both sides see it: the same sections, the same words."""

    summary_id: int
    revision: int
    status: str
    sections: list[Section]
    # What the person wants to talk about: their words, or a voice note.
    topics: str | VoiceNote | None
    topics_included: bool
    topics_asked: bool
    scores: list[Score]
    scores_now: datetime | None
    scores_before: datetime | None
    person_name: str | None
    sent_at: datetime | None
    updated: bool = False
    first_step: FirstStep | None = None
    # (step, where the person is with it) for each check-in since the last summary.
    progress: list[tuple[str, str]] = field(default_factory=list)

    @property
    def chosen(self) -> list[str]:
        """Keys of the parts that will be sent."""
        keys = [section.key for section in self.sections if section.included]
        if self.topics and self.topics_included:
            keys.append(TOPICS)
        return keys


SendResult = Literal["sent", "already_sent", "changed", "nothing_chosen", "no_worker"]


class NothingToSummarise(Exception):
    """The person has finished no dialogue yet."""


def _view(summary: Summary, updated: bool = False) -> SummaryView:
    content = summary.content
    strengths = content.get("strengths")
    return SummaryView(
        summary_id=summary.id,
        revision=summary.revision,
        status=summary.status,
        sections=[
            Section(
                s["key"],
                s["title"],
                [(a, b) for a, b in s["lines"]],
                s["included"],
                [(str(a), str(b), int(c)) for a, b, c in s.get("voices", [])],
                [bool(w) for w in s.get("words", [])],
            )
            for s in content["sections"]
        ],
        topics=_topics(content.get("topics")),
        topics_included=bool(content.get("topics_included", True)),
        topics_asked=bool(content.get("topics_asked")),
        scores=[Score(s["label"], s["now"], s["before"]) for s in strengths["scores"]]
        if strengths
        else [],
        scores_now=_moment(strengths["now"]) if strengths else None,
        scores_before=_moment(strengths["before"]) if strengths else None,
        person_name=content.get("person_name"),
        sent_at=summary.sent_at,
        updated=updated,
        first_step=_first_step(content.get("first_step")),
        progress=[(str(a), str(b)) for a, b in content.get("progress", [])],
    )


def _first_step(value: object) -> FirstStep | None:
    if not isinstance(value, dict) or not value.get("what"):
        return None
    return FirstStep(str(value["what"]), str(value.get("when") or ""))


def _moment(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _topics(stored: object) -> str | VoiceNote | None:
    """The topics as the summary's content stores them (text, or a voice note's JSON)."""
    if isinstance(stored, str):
        return stored
    return VoiceNote.from_json(stored)


def voice_words(note: VoiceNote, tr: Translator) -> str:
    """How a voice note stands in a summary (the worker cannot hear it through us)."""
    return tr.message("engine.voice", duration=note.duration)


class Summaries:
    """Summary use cases; the person decides what goes, and nothing goes without their tap."""

    def __init__(
        self,
        storage: SummariesStorage,
        dialogues: dict[str, Dialogue],
        clock: Clock,
        signal: OutboxSignal,
    ) -> None:
        self._storage = storage
        self._dialogues = dialogues
        self._clock = clock
        self._signal = signal

    # --- the person's side ---------------------------------------------------

    async def _latest_runs(self, person: Person) -> dict[str, list[DialogueRun]]:
        found = {}
        for key in SECTIONS:
            if key in self._dialogues:
                found[key] = await self._storage.finished_runs(person.id, key)
        return found

    def _assemble(
        self, person: Person, runs: dict[str, list[DialogueRun]], tr: Translator
    ) -> SummaryContent:
        sections: list[SectionContent] = []
        sources: dict[str, int | list[int]] = {}
        for key, versions in runs.items():
            if not versions:
                continue
            dialogue = self._dialogues[key]
            sources[key] = versions[0].id
            lines = engine.answers_lines(dialogue, versions[0].state, tr)
            sections.append(
                {
                    "key": key,
                    "title": tr.gettext(dialogue.title),
                    "lines": [[label, text] for label, text, _ in lines],
                    "words": [words for _, _, words in lines],
                    "voices": engine.voice_notes(dialogue, versions[0].state, tr),
                    "included": True,
                }
            )
        content: SummaryContent = {
            "sections": sections,
            "sources": sources,
            "person_name": person.pseudonym,
        }
        forces = runs.get("forces") or []
        if forces:
            dialogue = self._dialogues["forces"]
            now = engine.scale_scores(dialogue, forces[0].state)
            before = engine.scale_scores(dialogue, forces[1].state) if len(forces) > 1 else {}
            content["strengths"] = {
                "scores": [
                    {
                        "label": tr.gettext(dialogue.step(step_id).label),
                        "now": score,
                        "before": before.get(step_id),
                    }
                    for step_id, score in now.items()
                ],
                "now": forces[0].finished_at.isoformat() if forces[0].finished_at else None,
                "before": forces[1].finished_at.isoformat()
                if len(forces) > 1 and forces[1].finished_at
                else None,
            }
        return content

    async def prepare(self, person: Person, tr: Translator) -> SummaryView:
        """The person's draft, assembled from their latest answers (kept choices and topics)."""
        runs = await self._latest_runs(person)
        checkins = await self._checkins_since_last_summary(person)
        if not any(runs.values()) and not checkins:
            raise NothingToSummarise
        content = self._assemble(person, runs, tr)
        content["first_step"] = await self._first_step(person, runs)
        content["progress"] = [
            [c.step, tr.message(f"reminder.progress_{c.progress or 'not_yet'}")] for c in checkins
        ]
        if checkins:
            content["sections"].append(
                {
                    "key": CHECKINS,
                    "title": tr.message("reminder.summary_section"),
                    "lines": [self._checkin_line(checkin, tr) for checkin in checkins],
                    "included": True,
                }
            )
            content["sources"][CHECKINS] = [checkin.id for checkin in checkins]
        draft = await self._storage.draft_of(person.id)
        updated = False
        if draft is not None:
            old = draft.content
            updated = old.get("sources") != content["sources"]
            included = {s["key"]: s["included"] for s in old["sections"]}
            for section in content["sections"]:
                section["included"] = included.get(section["key"], True)
            for key in ("topics", "topics_included", "topics_asked"):
                if key in old:
                    content[key] = old[key]
            if not updated and old == content:
                return _view(draft)
        summary = await self._storage.save_draft(
            person.id, person.worker_id, content, self._clock.now()
        )
        return _view(summary, updated=updated and draft is not None)

    async def _first_step(
        self, person: Person, runs: dict[str, list[DialogueRun]]
    ) -> FirstStepContent | None:
        """The first step in force: from Mes idées, or the last accepted agreement if newer."""
        what, when, since = "", "", None
        ideas = runs.get(IDEAS) or []
        if ideas and ideas[0].finished_at is not None:
            chosen = chosen_step(ideas[0].state)
            if chosen is not None:
                what, when, since = chosen.what, chosen.when or "", ideas[0].finished_at
        for agreement in reversed(await self._storage.agreements_of(person.id)):
            if agreement.status == "accepted" and agreement.answered_at and agreement.steps:
                if since is None or agreement.answered_at > since:
                    what, when = agreement.steps[0].what, agreement.steps[0].when
                break
        return {"what": what, "when": when} if what else None

    async def _checkins_since_last_summary(self, person: Person) -> list[CheckIn]:
        sent = await self._storage.sent_summaries(person.id)
        since = sent[0].sent_at if sent else None
        return await self._storage.checkins_since(person.id, since)

    @staticmethod
    def _checkin_line(checkin: CheckIn, tr: Translator) -> tuple[str, str]:
        progress = tr.message(f"reminder.progress_{checkin.progress or 'not_yet'}")
        if checkin.attainment is not None:
            # How it went (GAS): -2 … +2 named as the person's button said it.
            names = ("much_less", "less", "as_expected", "better", "much_better")
            progress += ", " + tr.message(f"reminder.gas_{names[checkin.attainment + 2]}").lower()
        words = f"{progress} : {checkin.learned}" if checkin.learned else progress
        return (checkin.step, words)

    async def set_topics(self, person: Person, words: str | VoiceNote | None) -> SummaryView | None:
        """What the person wants to talk about (text, a voice note, or None to skip)."""
        draft = await self._storage.draft_of(person.id)
        if draft is None:
            return None
        content = draft.content.copy()
        if isinstance(words, VoiceNote):
            content["topics"] = words.to_json()
        else:
            content["topics"] = (words or "").strip()[:TOPICS_MAX] or None
        content["topics_included"] = True
        content["topics_asked"] = True
        summary = await self._storage.save_draft(
            person.id, person.worker_id, content, self._clock.now()
        )
        return _view(summary)

    async def toggle(
        self, person: Person, summary_id: int, revision: int, part: str
    ) -> SummaryView | None:
        """Leave a part out, or put it back; None if that preview is no longer current."""
        draft = await self._storage.draft_of(person.id)
        if draft is None or draft.id != summary_id or draft.revision != revision:
            return None
        content = draft.content.copy()
        if part == TOPICS:
            content["topics_included"] = not content.get("topics_included", True)
        else:
            sections = [s.copy() for s in content["sections"]]
            if not any(s["key"] == part for s in sections):
                return None
            for section in sections:
                if section["key"] == part:
                    section["included"] = not section["included"]
            content["sections"] = sections
        summary = await self._storage.save_draft(
            person.id, person.worker_id, content, self._clock.now()
        )
        return _view(summary)

    async def worker_name(self, person: Person) -> str | None:
        """The name of the person's worker, as the summary addresses them."""
        if person.worker_id is None:
            return None
        worker = await self._storage.get_worker(person.worker_id)
        return None if worker is None else worker.name

    async def current(self, person: Person) -> SummaryView | None:
        """The person's draft as it stands."""
        draft = await self._storage.draft_of(person.id)
        return None if draft is None else _view(draft)

    async def send(self, person: Person, summary_id: int, revision: int) -> SendResult:
        """Send exactly the previewed revision; a double tap or a stale preview sends nothing."""
        summary = await self._storage.get_summary(summary_id)
        if summary is None or summary.person_id != person.id:
            return "changed"
        if summary.status != "draft":
            return "already_sent"
        if summary.revision != revision:
            return "changed"
        runs = await self._latest_runs(person)
        current_sources: dict[str, int | list[int]] = {
            key: versions[0].id for key, versions in runs.items() if versions
        }
        checkins = await self._checkins_since_last_summary(person)
        if checkins:
            current_sources[CHECKINS] = [checkin.id for checkin in checkins]
        if summary.content.get("sources") != current_sources:
            # Answers changed since this preview: never send words the person replaced.
            return "changed"
        if not _view(summary).chosen:
            return "nothing_chosen"
        worker = (
            None if person.worker_id is None else await self._storage.get_worker(person.worker_id)
        )
        if worker is None or not worker.active:
            return "no_worker"
        deliver = OutboxMessage(
            dedupe_key=f"summary:{summary_id}",
            recipient_kind="worker",
            recipient_id=worker.id,
            body=SummaryToWorker(summary_id),
            about_person=person.id,
        )
        if not await self._storage.send_summary(summary_id, revision, self._clock.now(), deliver):
            return "already_sent"
        self._signal.wake()
        log.info("summary_sent", extra={"summary": summary_id, "person": person.id})
        return "sent"

    # --- delivery (called by the courier) -------------------------------------

    async def for_delivery(self, summary_id: int) -> tuple[SummaryView, Person | None]:
        """What the worker receives: only the parts the person chose."""
        summary = await self._storage.get_summary(summary_id)
        if summary is None:
            raise LookupError(summary_id)
        view = _view(summary)
        chosen = set(view.chosen)
        kept = [s for s in view.sections if s.key in chosen]
        scores = view.scores if "forces" in chosen else []
        topics = view.topics if TOPICS in chosen else None
        shown = replace(
            view,
            sections=kept,
            topics=topics,
            topics_included=TOPICS in chosen,
            scores=scores,
            updated=False,
        )
        return shown, await self._storage.get_person(summary.person_id)

    async def delivered(
        self, summary_id: int, worker_name: str, outbox_item: int | None = None
    ) -> None:
        """Telegram took it: tell the person (and close its outbox row, same transaction)."""
        summary = await self._storage.get_summary(summary_id)
        if summary is None:
            if outbox_item is not None:
                await self._storage.outbox_delivered(outbox_item, self._clock.now())
            return
        await self._storage.mark_summary(
            summary_id,
            "delivered",
            self._clock.now(),
            self._to_person(summary, SummaryDelivered(summary_id, worker=worker_name)),
            delivered_item=outbox_item,
        )
        self._signal.wake()

    async def failed(self, summary_id: int) -> None:
        """It could not reach the worker: tell the person kindly; a new draft can be sent later."""
        summary = await self._storage.get_summary(summary_id)
        if summary is None:
            return
        await self._storage.mark_summary(
            summary_id,
            "failed",
            self._clock.now(),
            self._to_person(summary, SummaryFailed(summary_id)),
        )
        self._signal.wake()

    def _to_person(
        self, summary: Summary, body: SummaryDelivered | SummaryAcknowledged | SummaryFailed
    ) -> OutboxMessage:
        return OutboxMessage(
            dedupe_key=f"{body.kind}:{summary.id}",
            recipient_kind="person",
            recipient_id=summary.person_id,
            body=body,
            about_person=summary.person_id,
        )

    # --- the worker's side ----------------------------------------------------

    async def acknowledge(self, worker: Worker, summary_id: int) -> bool:
        """ "Bien reçu": the person is told once; a second tap changes nothing."""
        summary = await self._storage.get_summary(summary_id)
        if summary is None:
            raise NotYours
        worker_owns(worker, summary.worker_id)
        done = await self._storage.mark_summary(
            summary_id,
            "acknowledged",
            self._clock.now(),
            self._to_person(summary, SummaryAcknowledged(summary_id, worker=worker.name)),
        )
        if done:
            self._signal.wake()
            log.info("summary_acknowledged", extra={"summary": summary_id})
        return done

    async def _own_person(self, worker: Worker, person_id: int) -> Person:
        return await person_of_worker(self._storage, worker, person_id)

    async def received(
        self, worker: Worker, person_id: int, *, audit: str | None = "summaries_listed"
    ) -> list[Summary]:
        """The summaries a person sent this worker, newest first (the access is audited)."""
        await self._own_person(worker, person_id)
        if audit is not None:
            await self._storage.record_access(worker.id, person_id, audit, None, self._clock.now())
        return [
            summary
            for summary in await self._storage.sent_summaries(person_id)
            if summary.worker_id == worker.id
        ]

    async def strengths_history(
        self, worker: Worker, person_id: int, tr: Translator
    ) -> tuple[list[Score], datetime | None, datetime | None]:
        """The strengths the person shared, newest against the one before (shared ones only)."""
        shared = []
        for summary in await self.received(worker, person_id, audit="strengths_chart"):
            view = _view(summary)
            if "forces" in view.chosen and view.scores:
                shared.append(view)
        if not shared:
            return [], None, None
        newest = shared[0]
        previous = {s.label: s.now for s in shared[1].scores} if len(shared) > 1 else {}
        scores = [Score(s.label, s.now, previous.get(s.label)) for s in newest.scores]
        before = shared[1].scores_now if len(shared) > 1 else None
        return scores, newest.scores_now, before

    async def person_of(self, worker: Worker, person_id: int) -> Person:
        """One of this worker's persons (raises NotYours otherwise)."""
        return await self._own_person(worker, person_id)
