"""A summary's stored content read back as values: the sections, the topics, the strengths.

Apart from the use cases because everyone reads a summary this way: the person's preview,
the worker's copy, the worker's history and the layout (bot/usecases/summary_layout.py).
The content stays JSON at rest (bot/domain.py, SummaryContent); only this module reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.domain import Summary, VoiceNote
from bot.engine import Translator

# Sections in the order a summary shows them; "topics" is what the person wants to talk about.
SECTIONS = ("probleme", "idees", "forces")
CHECKINS = "premiers_pas"
TOPICS = "topics"


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


def view_of(summary: Summary, updated: bool = False) -> SummaryView:
    """The summary's stored content as both sides see it."""
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
