"""What each queued message looks like in Telegram: text, HTML summary, chart, buttons."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from telegram import InlineKeyboardMarkup

from bot.i18n import Translator
from bot.services import Services
from bot.storage.base import OutboxMessage
from bot.telegram.agreement_view import amendment_text, proposal_text
from bot.telegram.callbacks import (
    AppointmentButton,
    ReminderButton,
    WorkerButton,
)
from bot.telegram.negotiation import answer_buttons
from bot.telegram.render import keyboard, prefix_within, telegram_length
from bot.telegram.worker_cards import chart_png
from bot.usecases.summaries import SummaryView, topics_voice, voice_words

# Telegram counts at most 4,096 characters after HTML parsing; leave room for safety.
MESSAGE_BUDGET = 3800
LINE_BUDGET = 3000


@dataclass(frozen=True)
class TextPart:
    """One text message (HTML when `html`), with buttons if any."""

    text: str
    html: bool = False
    markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class PhotoPart:
    """One picture with its caption and buttons."""

    png: bytes
    caption: str
    markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class VoicePart:
    """A voice note the person recorded, sent again by its file id, with the question."""

    file_id: str
    caption: str


Part = TextPart | PhotoPart | VoicePart


async def parts_for(message: OutboxMessage, services: Services, tr: Translator) -> list[Part]:
    """The Telegram messages of one queued message, in the recipient's language."""
    params = message.params
    kind = message.kind
    if kind == "person_joined":
        pseudonym = params.get("pseudonym") or tr.message("worker.no_pseudonym")
        return [TextPart(tr.message("worker.person_joined", pseudonym=pseudonym))]
    if kind == "reminder":
        # A lock screen shows only this line: nothing personal, the content comes on "Voir".
        button = ReminderButton(int(params["reminder_id"]))
        return [
            TextPart(
                tr.message("reminder.discreet"),
                markup=keyboard([[(tr.message("reminder.open"), button)]]),
            )
        ]
    if kind in ("appointment", "appointment_cancelled", "appointment_answer"):
        return _appointment_parts(message, services, tr)
    if kind == "call_request":
        pseudonym = params.get("pseudonym") or tr.message("worker.no_pseudonym")
        return [TextPart(tr.message("worker.call_request", pseudonym=pseudonym))]
    if kind == "person_left":
        pseudonym = params.get("pseudonym") or tr.message("worker.no_pseudonym")
        return [TextPart(tr.message("worker.person_left", pseudonym=pseudonym))]
    if kind == "worker_changed":
        return [TextPart(tr.message("bot.worker_changed", name=params.get("name", "")))]
    if kind == "summary":
        return await _summary_parts(int(params["summary_id"]), services, tr)
    if kind in ("summary_delivered", "summary_acknowledged"):
        key = kind.removeprefix("summary_")
        return [TextPart(tr.message(f"summary.{key}", worker=params.get("worker", "")))]
    if kind == "summary_failed":
        return [TextPart(tr.message("summary.failed"))]
    if kind.startswith("agreement_"):
        return await _agreement_parts(message, services, tr)
    raise ValueError(f"unknown outbox message kind {kind!r}")


async def _agreement_parts(
    message: OutboxMessage, services: Services, tr: Translator
) -> list[Part]:
    params = message.params
    agreement = await services.storage.get_agreement(int(params["agreement_id"]))
    if agreement is None:
        return []
    if message.kind == "agreement_proposed":
        text = proposal_text(agreement, str(params.get("worker", "")), tr)
        return [
            TextPart(text),
            TextPart(tr.message("agreement.question"), markup=answer_buttons(agreement, tr)),
        ]
    if message.kind == "agreement_amended":
        name = params.get("person") or tr.message("worker.no_pseudonym")
        return [
            TextPart(amendment_text(agreement, str(name), tr)),
            TextPart(tr.message("agreement.question"), markup=answer_buttons(agreement, tr)),
        ]
    if message.kind == "agreement_accepted":
        name = params.get("person") or tr.message("worker.no_pseudonym")
        return [TextPart(tr.message("worker.agreement_accepted", person=name))]
    if message.kind == "agreement_accepted_by_worker":
        return [
            TextPart(tr.message("agreement.accepted_by_worker", worker=params.get("worker", "")))
        ]
    raise ValueError(f"unknown outbox message kind {message.kind!r}")


def _appointment_parts(message: OutboxMessage, services: Services, tr: Translator) -> list[Part]:
    params = message.params
    date = tr.date_time(datetime.fromisoformat(str(params["at"])), services.settings.timezone)
    if message.kind == "appointment":
        appointment_id = int(params["appointment_id"])
        buttons = keyboard(
            [
                [
                    (tr.message("appointment.noted"), AppointmentButton("noted", appointment_id)),
                    (tr.message("appointment.cannot"), AppointmentButton("cannot", appointment_id)),
                ]
            ]
        )
        return [TextPart(tr.message("appointment.announce", date=date), markup=buttons)]
    if message.kind == "appointment_cancelled":
        return [TextPart(tr.message("appointment.cancelled", date=date))]
    name = params.get("person") or tr.message("worker.no_pseudonym")
    key = (
        "appointment.worker_noted"
        if params.get("answer") == "noted"
        else "appointment.worker_cannot"
    )
    return [TextPart(tr.message(key, person=name, date=date))]


def _split_words(text: str, budget: int = LINE_BUDGET) -> list[str]:
    """Cut a long answer into pieces that each fit in a message (in Telegram's units)."""
    pieces = []
    while telegram_length(text) > budget:
        end = prefix_within(text, budget)
        cut = text.rfind(" ", 0, end)
        cut = cut if cut > end // 2 else end
        pieces.append(text[:cut])
        text = text[cut:].lstrip()
    pieces.append(text)
    return pieces


def _quoted(label: str | None, words: str) -> list[tuple[str, int]]:
    """'Label : « words »' as HTML lines with their plain length; long words span lines."""
    pieces = _split_words(words)
    lines = []
    for index, piece in enumerate(pieces):
        opening = "« " if index == 0 else ""
        closing = " »" if index == len(pieces) - 1 else " …"
        first = index == 0 and label is not None
        prefix = f"{html.escape(label or '')} : " if first else ""
        plain = f"{label} : " if first else ""
        lines.append(
            (
                f"{prefix}{opening}{html.escape(piece)}{closing}",
                telegram_length(plain + opening + piece + closing),
            )
        )
    return lines


def summary_html(view: SummaryView, name: str, sent_on: str, tr: Translator) -> list[str]:
    """The worker's message as HTML chunks, each valid on its own and within Telegram's limit."""
    lines: list[tuple[str, int]] = []

    def plain(text: str, tag: str | None = None) -> None:
        escaped = html.escape(text)
        lines.append((f"<{tag}>{escaped}</{tag}>" if tag else escaped, telegram_length(text)))

    plain(tr.message("worker.summary_title", person=name), "b")
    plain(tr.message("worker.summary_sent_on", date=sent_on))
    plain(tr.message("worker.summary_quote_note"), "i")
    for section in view.sections:
        plain("")
        plain(section.title, "b")
        for label, value in section.lines:
            lines.extend(_quoted(label, value))
        if section.key == "forces":
            changes = [s for s in view.scores if s.before is not None and s.now is not None]
            if changes:
                plain(tr.message("summary.changes_title"), "i")
                for score in changes:
                    plain(
                        tr.message(
                            "summary.change_line",
                            label=score.label,
                            before=f"{score.before:g}",
                            now=f"{score.now:g}",
                        )
                    )
    if view.topics:
        plain("")
        plain(tr.message("worker.summary_topics_title", person=name), "b")
        lines.extend(_quoted(None, voice_words(view.topics, tr)))
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for markup, length in lines:
        if current and size + length + 1 > MESSAGE_BUDGET:
            chunks.append("\n".join(current))
            current, size = [], 0
        current.append(markup)
        size += length + 1
    if current:
        chunks.append("\n".join(current).strip("\n"))
    return chunks


def voice_parts(view: SummaryView, name: str, tr: Translator) -> list[Part]:
    """Each recording the summary holds, in the summary's order, captioned with its question."""
    parts: list[Part] = []
    for section in view.sections:
        for label, file_id, _ in section.voices:
            caption = tr.message("worker.summary_voice_caption", person=name, label=label)
            parts.append(VoicePart(file_id, caption))
    said = topics_voice(view.topics)
    if said is not None:
        label = tr.message("worker.summary_topics_title", person=name)
        caption = tr.message("worker.summary_voice_caption", person=name, label=label)
        parts.append(VoicePart(said[0], caption))
    return parts


async def _summary_parts(summary_id: int, services: Services, tr: Translator) -> list[Part]:
    view, person = await services.summaries.for_delivery(summary_id)
    name = (person.pseudonym if person else None) or tr.message("worker.no_pseudonym")
    tz = services.settings.timezone
    sent_on = tr.date_time(view.sent_at, tz) if view.sent_at else ""
    buttons = keyboard(
        [
            [
                (tr.message("worker.ack"), WorkerButton("ack", summary_id)),
                (
                    tr.message("worker.history"),
                    WorkerButton("hist", person.id if person else 0),
                ),
            ]
        ]
    )
    texts = summary_html(view, name, sent_on, tr)
    parts: list[Part] = [TextPart(text, html=True) for text in texts]
    voices = voice_parts(view, name, tr)
    if view.scores:
        picture = chart_png(
            view.scores,
            tr.day(view.scores_now, tz) if view.scores_now else "",
            tr.day(view.scores_before, tz) if view.scores_before else "",
            tr,
            tr.message("worker.chart_caption", person=name),
        )
        parts.append(
            PhotoPart(picture, tr.message("worker.chart_caption", person=name), markup=buttons)
        )
    else:
        last = parts[-1]
        assert isinstance(last, TextPart)
        parts[-1] = TextPart(last.text, html=True, markup=buttons)
    # The recordings follow the words they belong to, before the chart.
    return parts[: len(texts)] + voices + parts[len(texts) :]
