"""The summary as a worker reads it in one minute, and as the person previews it.

A neutral notice first (a phone's preview shows only that), then the top — what the
person wants to talk about, what changed, the first step — then the details. The
person's words are in « »; our own labels, choices and numbers are plain. When it is
too long for one message, the top comes as a message and the whole as an HTML document.
"""

from __future__ import annotations

import base64
import html
import unicodedata
from dataclasses import dataclass

from bot.domain import VoiceNote
from bot.i18n import Translator
from bot.telegram.render import telegram_length
from bot.usecases.summaries import SummaryView, voice_words

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


def _html_line(line: Line) -> str:
    text = html.escape(line.text)
    if line.style == "bold" and text:
        text = f"<b>{text}</b>"
    elif line.style == "note" and text:
        text = f"<i>{text}</i>"
    if line.quote is None:
        return text
    quoted = f"« {html.escape(line.quote)} »"
    return f"{text} {quoted}" if text else quoted


def as_html(lines: list[Line]) -> str:
    """The lines as Telegram HTML."""
    return "\n".join(_html_line(line) for line in lines).strip("\n")


def as_document(
    lines: list[Line], title: str, chart: bytes | None, chart_label: str, tr: Translator
) -> bytes:
    """A self-contained HTML page (any phone opens it): the summary, then the chart."""
    body = []
    for line in lines:
        if line.style == "bold":
            body.append(f"<h2>{html.escape(line.text)}</h2>")
        elif line.text or line.quote:
            body.append(f"<p>{_html_line(line).replace(chr(10), '<br>')}</p>")
    if chart is not None:
        data = base64.b64encode(chart).decode("ascii")
        body.append(
            f'<p><img src="data:image/png;base64,{data}" alt="{html.escape(chart_label)}"></p>'
        )
    page = (
        f'<!DOCTYPE html>\n<html lang="{tr.language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:40em;margin:1em auto;padding:0 1em;"
        "line-height:1.4}h2{font-size:1.1em;margin:1.2em 0 .3em}p{margin:.2em 0}"
        "img{max-width:100%}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
    return page.encode("utf-8")
