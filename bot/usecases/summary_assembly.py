"""A summary's content gathered from what the person did: the latest answers to each
dialogue, the strengths against last time, the first step in force, the check-ins since the
last summary sent.

Apart from the summaries use case because it only reads: it decides what a draft says, and
which answers it was made from (`sources`), which `send` compares so that words the person
replaced after their preview are never sent.
"""

from __future__ import annotations

from typing import Protocol

from bot import engine
from bot.domain import (
    CheckIn,
    DialogueRun,
    FirstStepContent,
    Person,
    SectionContent,
    SummaryContent,
)
from bot.engine import Dialogue, Translator
from bot.storage.base import AgreementStore, CheckInStore, RunStore, SummaryStore
from bot.usecases.first_step import IDEAS, chosen_step
from bot.usecases.summary_content import CHECKINS, SECTIONS

Sources = dict[str, int | list[int]]


class AssemblyStorage(RunStore, CheckInStore, AgreementStore, SummaryStore, Protocol):
    """What assembling a summary reads."""


class SummaryAssembly:
    """Reads the person's answers and check-ins into a summary's content."""

    def __init__(self, storage: AssemblyStorage, dialogues: dict[str, Dialogue]) -> None:
        self._storage = storage
        self._dialogues = dialogues

    async def content(self, person: Person, tr: Translator) -> SummaryContent | None:
        """A fresh draft's content, every part included; None when there is nothing to say
        (no dialogue finished, no check-in since the last summary)."""
        runs = await self._latest_runs(person)
        checkins = await self._checkins_since_last_summary(person)
        if not any(runs.values()) and not checkins:
            return None
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
                    "lines": [_checkin_line(checkin, tr) for checkin in checkins],
                    "included": True,
                }
            )
            content["sources"][CHECKINS] = [checkin.id for checkin in checkins]
        return content

    async def sources(self, person: Person) -> Sources:
        """The answers and check-ins a draft made now would be made from."""
        runs = await self._latest_runs(person)
        current: Sources = {key: versions[0].id for key, versions in runs.items() if versions}
        checkins = await self._checkins_since_last_summary(person)
        if checkins:
            current[CHECKINS] = [checkin.id for checkin in checkins]
        return current

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
        sources: Sources = {}
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


def _checkin_line(checkin: CheckIn, tr: Translator) -> tuple[str, str]:
    progress = tr.message(f"reminder.progress_{checkin.progress or 'not_yet'}")
    if checkin.attainment is not None:
        # How it went (GAS): -2 … +2 named as the person's button said it.
        names = ("much_less", "less", "as_expected", "better", "much_better")
        progress += ", " + tr.message(f"reminder.gas_{names[checkin.attainment + 2]}").lower()
    words = f"{progress} : {checkin.learned}" if checkin.learned else progress
    return (checkin.step, words)
