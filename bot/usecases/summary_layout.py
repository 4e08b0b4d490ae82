"""The summary as a worker reads it in one minute, and as the person previews it: lines,
neutral of any medium (bot/telegram/summary_view.py renders them as HTML).

A neutral notice first (a phone's preview shows only that), then the top — what the
person wants to talk about, what changed, the first step — then the details. The
person's words are in « »; our own labels, choices and numbers are plain. When it is
too long for one message, the top comes as a message and the whole as an HTML document.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from bot.domain import VoiceNote
from bot.i18n import Translator
from bot.usecases.message_length import telegram_length
from bot.usecases.summary_content import TOPICS, SummaryView, voice_words

# Telegram counts at most 4,096 characters after HTML parsing; leave room for safety.
MESSAGE_BUDGET = 3800
# In the long form, the top quotes this much of an answer; the document holds all of it.
TOP_QUOTE = 300


@dataclass(frozen=True)
class Line:
    """One line: our words (`text`), then the person's words in « » if any."""

    text: str
    quote: str | None = None
    style: str = "plain"  # plain, bold (a heading) or note (italic)


@dataclass(frozen=True)
class WorkerSummary:
    """What the worker receives: the notice, then one message, or the top and a document."""

    notice: str
    body: list[Line]
    document: list[Line] | None


def notice(name: str, tr: Translator) -> str:
    """ "Équipage : nouveau résumé de Sophie" / "d'Amina": nothing else, for the lock screen."""
    # "d'Amina", "d'Élise": the first letter without its accent decides.
    first = unicodedata.normalize("NFD", name[:1])[:1].lower()
    key = "worker.summary_notice_vowel" if first and first in "aeiouy" else "worker.summary_notice"
    return tr.message(key, person=name)


def _shorter(words: str, limit: int | None) -> tuple[str, bool]:
    if limit is None or len(words) <= limit:
        return words, False
    cut = words[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + " …", True


def top(
    view: SummaryView, name: str, sent_on: str, tr: Translator, limit: int | None
) -> list[Line]:
    """What to read first: topics, the first step, what changed since last time."""
    lines = [
        Line(tr.message("worker.summary_title", person=name), style="bold"),
        Line(tr.message("worker.summary_sent_on", date=sent_on)),
    ]
    if view.topics:
        label = tr.message("worker.summary_top_topics")
        if isinstance(view.topics, VoiceNote):
            lines.append(Line(f"{label} {voice_words(view.topics, tr)}"))
        else:
            said, _ = _shorter(view.topics, limit)
            lines.append(Line(label, said))
    if view.first_step is not None:
        what, _ = _shorter(view.first_step.what, limit)
        lines.append(Line(tr.message("worker.summary_top_first_step"), what))
        if view.first_step.when:
            when, _ = _shorter(view.first_step.when, limit)
            lines.append(Line(tr.message("worker.summary_top_when"), when))
    changes = _changes(view, tr, limit)
    if changes:
        lines.append(Line(tr.message("worker.summary_top_changes"), style="bold"))
        lines += changes
    if limit is not None:
        lines.append(Line(tr.message("worker.summary_more_in_document"), style="note"))
    return lines


def _changes(view: SummaryView, tr: Translator, limit: int | None) -> list[Line]:
    """Scores up or down, how many stayed the same, and where each first step stands."""
    lines = []
    compared = [s for s in view.scores if s.before is not None and s.now is not None]
    for score in compared:
        assert score.before is not None and score.now is not None
        if score.now == score.before:
            continue
        key = "worker.summary_score_up" if score.now > score.before else "worker.summary_score_down"
        lines.append(
            Line(
                tr.message(key, label=score.label, before=f"{score.before:g}", now=f"{score.now:g}")
            )
        )
    same = sum(1 for s in compared if s.now == s.before)
    if same:
        key = "worker.summary_unchanged_one" if same == 1 else "worker.summary_unchanged_many"
        lines.append(Line(tr.message(key, count=same)))
    for step, progress in view.progress:
        said, _ = _shorter(step, limit)
        lines.append(Line(tr.message("worker.summary_step_progress", progress=progress), said))
    return lines


def details(view: SummaryView, tr: Translator) -> list[Line]:
    """Every part the person chose, line by line (the topics are in the top, whole)."""
    lines = [Line(tr.message("worker.summary_quote_note"), style="note")]
    for section in view.sections:
        lines.append(Line(""))
        lines.append(Line(section.title, style="bold"))
        for index, (label, value) in enumerate(section.lines):
            if section.is_words(index):
                lines.append(Line(f"{label} :", value))
            else:
                lines.append(Line(f"{label} : {value}"))
    return lines


def for_worker(view: SummaryView, name: str, sent_on: str, tr: Translator) -> WorkerSummary:
    """One message when it fits; otherwise the top as a message and the whole as a document."""
    whole = [*top(view, name, sent_on, tr, None), Line(""), *details(view, tr)]
    if telegram_length(as_plain(whole)) <= MESSAGE_BUDGET:
        return WorkerSummary(notice(name, tr), whole, None)
    return WorkerSummary(notice(name, tr), top(view, name, sent_on, tr, TOP_QUOTE), whole)


def _plain_line(line: Line) -> str:
    if line.quote is None:
        return line.text
    quoted = f"« {line.quote} »"
    return f"{line.text} {quoted}" if line.text else quoted


def as_plain(lines: list[Line]) -> str:
    """The lines as plain text (the person's preview; Telegram's length)."""
    return "\n".join(_plain_line(line) for line in lines).strip("\n")


def preview_text(view: SummaryView, tr: Translator, worker_name: str, now: str) -> str:
    """The summary exactly as the worker would read it, after what their phone shows first."""
    name = view.person_name or tr.message("worker.no_pseudonym")
    shaped = for_worker(view, name, now, tr)
    blocks = [
        tr.message("summary.preview_header", worker=worker_name),
        tr.message("summary.preview_notice", worker=worker_name, notice=shaped.notice),
        as_plain(shaped.body),
    ]
    if shaped.document is not None:
        blocks.append(tr.message("summary.preview_document", worker=worker_name))
        blocks.append(as_plain(shaped.document))
    return "\n\n".join(blocks)


@dataclass(frozen=True)
class Part:
    """A part the person may leave out of the summary, or put back."""

    key: str
    title: str
    included: bool


def parts(view: SummaryView, tr: Translator) -> list[Part]:
    """Every part of the summary, in order, the topics last."""
    found = [Part(section.key, section.title, section.included) for section in view.sections]
    if view.topics:
        found.append(Part(TOPICS, tr.message("summary.topics_title"), view.topics_included))
    return found


def control_text(view: SummaryView, tr: Translator, worker_name: str) -> str:
    """What will go, said in one line above the choices."""
    chosen = [part.title for part in parts(view, tr) if part.included]
    if not chosen:
        return tr.message("summary.control_none")
    text = tr.message("summary.control", worker=worker_name, parts=", ".join(chosen))
    # "{worker} recevra…" starts the sentence, and the default name is "votre intervenant·e".
    return text[:1].upper() + text[1:]


def part_label(part: Part, tr: Translator) -> str:
    """A part's choice: ticked when it goes."""
    return tr.message("summary.part_on" if part.included else "summary.part_off", title=part.title)
