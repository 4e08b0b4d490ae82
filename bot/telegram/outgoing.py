"""What each queued message looks like in Telegram: text, HTML summary, chart, buttons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.domain import OutboxMessage
from bot.i18n import Translator
from bot.services import Services
from bot.telegram import safety, summary_view
from bot.telegram.agreement_view import amendment_text, proposal_text
from bot.telegram.callbacks import (
    AppointmentButton,
    Callback,
    ReminderButton,
    WorkerButton,
)
from bot.telegram.negotiation import answer_buttons
from bot.telegram.render import keyboard
from bot.telegram.worker_cards import chart_png
from bot.usecases.summaries import SummaryView, topics_voice, voice_words


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
    """A voice note the person recorded, sent again by its file id (with the question, or
    with buttons)."""

    file_id: str
    caption: str = ""
    markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class DocumentPart:
    """A file (the long summary as an HTML page), with its caption and buttons."""

    data: bytes
    filename: str
    caption: str
    markup: InlineKeyboardMarkup | None = None


Part = TextPart | PhotoPart | VoicePart | DocumentPart


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
    if kind.startswith("safety_"):
        text, markup = safety.outbox_text(
            message, tr, services.settings.duty_line, services.settings.timezone
        )
        return [TextPart(text, markup=markup)]
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
    tz = services.settings.timezone
    date = tr.spoken(datetime.fromisoformat(str(params["at"])), tz)
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
        replaces = params.get("replaces")
        if replaces:
            # One message: the old appointment is gone, here is the new one.
            old = tr.spoken(datetime.fromisoformat(str(replaces)), tz)
            text = tr.message("appointment.replaced", old=old, date=date)
        else:
            text = tr.message("appointment.announce", date=date)
        return [TextPart(text, markup=buttons)]
    if message.kind == "appointment_cancelled":
        return [TextPart(tr.message("appointment.cancelled", date=date))]
    name = params.get("person") or tr.message("worker.no_pseudonym")
    if params.get("answer") == "noted":
        return [TextPart(tr.message("appointment.worker_noted", person=name, date=date))]
    return _cannot_parts(params, name, date, tz, tr)


def _cannot_parts(
    params: dict[str, Any], name: str, date: str, tz: ZoneInfo, tr: Translator
) -> list[Part]:
    """The person cannot come: why and the moment they propose, with buttons to answer."""
    lines = [tr.message("appointment.worker_cannot", person=name, date=date)]
    why = params.get("why")
    voice = None
    if isinstance(why, str) and why:
        lines.append(tr.message("appointment.worker_cannot_why", why=why))
    elif isinstance(why, dict) and isinstance(why.get("voice"), str):
        # She chose to say it aloud to her worker: the note itself follows the text.
        lines.append(tr.message("appointment.worker_cannot_why", why=voice_words(why, tr)))
        voice = str(why["voice"])
    rows: list[list[tuple[str, Callback]]] = []
    proposed = params.get("proposed_at")
    if proposed:
        when = tr.spoken(datetime.fromisoformat(str(proposed)), tz)
        lines.append(tr.message("appointment.worker_cannot_when", date=when))
        rows.append(
            [
                (
                    tr.message("appointment.worker_take"),
                    WorkerButton("rdvtake", params["appointment_id"]),
                )
            ]
        )
    person_id = params.get("person_id")
    if isinstance(person_id, int):
        rows.append([(tr.message("appointment.worker_other"), WorkerButton("rdv", person_id))])
    markup = keyboard(rows) if rows else None
    if voice is None:
        return [TextPart("\n".join(lines), markup=markup)]
    return [TextPart("\n".join(lines)), VoicePart(voice, markup=markup)]


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
    """The notice alone; the summary (or its top, then a document); recordings; the chart."""
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
    shaped = summary_view.for_worker(view, name, sent_on, tr)
    chart = None
    caption = tr.message("worker.chart_caption", person=name)
    if view.scores:
        chart = chart_png(
            view.scores,
            tr.day(view.scores_now, tz) if view.scores_now else "",
            tr.day(view.scores_before, tz) if view.scores_before else "",
            tr,
            caption,
        )
    parts: list[Part] = [TextPart(shaped.notice)]
    voices = voice_parts(view, name, tr)
    if shaped.document is not None:
        page = summary_view.as_document(
            shaped.document, tr.message("worker.summary_title", person=name), chart, caption, tr
        )
        parts.append(TextPart(summary_view.as_html(shaped.body), html=True))
        parts += voices
        document_caption = tr.message("worker.summary_document_caption")
        name_of_file = tr.message("worker.summary_document_name")
        parts.append(DocumentPart(page, f"{name_of_file}.html", document_caption, buttons))
        return parts
    body = summary_view.as_html(shaped.body)
    if chart is None:
        return [*parts, TextPart(body, html=True, markup=buttons), *voices]
    return [*parts, TextPart(body, html=True), *voices, PhotoPart(chart, caption, markup=buttons)]
