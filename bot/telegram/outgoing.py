"""What each queued message looks like in Telegram: text, HTML summary, chart, buttons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.actions import (
    AckSummaryButton,
    AppointmentButton,
    Callback,
    ReminderButton,
    TakeProposalButton,
    WorkerButton,
)
from bot.domain import OutboxMessage, VoiceNote
from bot.i18n import Translator
from bot.messages import (
    AgreementAccepted,
    AgreementAcceptedByWorker,
    AgreementAmended,
    AgreementProposed,
    AppointmentAnswered,
    AppointmentCancelled,
    AppointmentSet,
    CallRequested,
    PersonJoined,
    PersonLeft,
    ReminderDue,
    SafetyCallRaised,
    SafetyCallSeen,
    SafetyCallUnseen,
    SummaryAcknowledged,
    SummaryDelivered,
    SummaryFailed,
    SummaryToWorker,
    Unrenderable,
    WorkerChanged,
)
from bot.services import Services
from bot.telegram import safety, summary_view
from bot.telegram.negotiation import answer_buttons
from bot.telegram.render import keyboard
from bot.usecases import summary_layout
from bot.usecases.agreement_layout import amendment_text, proposal_text
from bot.usecases.summary_content import SummaryView
from bot.usecases.worker_replies import chart_png


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


class CannotRender(ValueError):
    """A message stored by a version of the bot this one cannot read: set it aside."""


async def parts_for(message: OutboxMessage, services: Services, tr: Translator) -> list[Part]:
    """The Telegram messages of one queued message, in the recipient's language."""
    body = message.body
    tz = services.settings.timezone
    match body:
        case Unrenderable():
            raise CannotRender(body.reason)
        case PersonJoined(pseudonym=name):
            return [TextPart(tr.message("worker.person_joined", pseudonym=_named(name, tr)))]
        case PersonLeft(pseudonym=name):
            return [TextPart(tr.message("worker.person_left", pseudonym=_named(name, tr)))]
        case CallRequested(pseudonym=name):
            return [TextPart(tr.message("worker.call_request", pseudonym=_named(name, tr)))]
        case WorkerChanged(name=name):
            return [TextPart(tr.message("bot.worker_changed", name=name))]
        case ReminderDue(reminder_id=reminder_id):
            # A lock screen shows only this line: nothing personal, the content comes on "Voir".
            button = ReminderButton(reminder_id)
            return [
                TextPart(
                    tr.message("reminder.discreet"),
                    markup=keyboard([[(tr.message("reminder.open"), button)]]),
                )
            ]
        case AppointmentSet():
            return [_appointment_set(body, tz, tr)]
        case AppointmentCancelled(at=at):
            return [TextPart(tr.message("appointment.cancelled", date=tr.spoken(at, tz)))]
        case AppointmentAnswered(answer="noted"):
            date = tr.spoken(body.at, tz)
            name = _named(body.person, tr)
            return [TextPart(tr.message("appointment.worker_noted", person=name, date=date))]
        case AppointmentAnswered():
            return _cannot_parts(body, tz, tr)
        case SafetyCallRaised() | SafetyCallSeen() | SafetyCallUnseen():
            text, markup = safety.outbox_text(body, tr, services.settings.duty_line, tz)
            return [TextPart(text, markup=markup)]
        case SummaryToWorker(summary_id=summary_id):
            return await _summary_parts(summary_id, services, tr)
        case SummaryDelivered(worker=worker):
            return [TextPart(tr.message("summary.delivered", worker=worker))]
        case SummaryAcknowledged(worker=worker):
            return [TextPart(tr.message("summary.acknowledged", worker=worker))]
        case SummaryFailed():
            return [TextPart(tr.message("summary.failed"))]
        case AgreementAccepted(person=name):
            return [TextPart(tr.message("worker.agreement_accepted", person=_named(name, tr)))]
        case AgreementAcceptedByWorker(worker=worker):
            return [TextPart(tr.message("agreement.accepted_by_worker", worker=worker))]
        case AgreementProposed() | AgreementAmended():
            return await _agreement_parts(body, services, tr)
        case _:
            assert_never(body)


def _named(pseudonym: str, tr: Translator) -> str:
    """The person's pseudonym, or the neutral word when the worker gave none."""
    return pseudonym or tr.message("worker.no_pseudonym")


async def _agreement_parts(
    body: AgreementProposed | AgreementAmended, services: Services, tr: Translator
) -> list[Part]:
    agreement = await services.agreements.for_delivery(body.agreement_id)
    if agreement is None:
        return []
    if isinstance(body, AgreementProposed):
        text = proposal_text(agreement, body.worker, tr)
    else:
        text = amendment_text(agreement, _named(body.person, tr), tr)
    return [
        TextPart(text),
        TextPart(tr.message("agreement.question"), markup=answer_buttons(agreement, tr)),
    ]


def _appointment_set(body: AppointmentSet, tz: ZoneInfo, tr: Translator) -> TextPart:
    date = tr.spoken(body.at, tz)
    buttons = keyboard(
        [
            [
                (tr.message("appointment.noted"), AppointmentButton("noted", body.appointment_id)),
                (
                    tr.message("appointment.cannot"),
                    AppointmentButton("cannot", body.appointment_id),
                ),
            ]
        ]
    )
    if body.replaces is not None:
        # One message: the old appointment is gone, here is the new one.
        old = tr.spoken(body.replaces, tz)
        return TextPart(tr.message("appointment.replaced", old=old, date=date), markup=buttons)
    return TextPart(tr.message("appointment.announce", date=date), markup=buttons)


def _cannot_parts(body: AppointmentAnswered, tz: ZoneInfo, tr: Translator) -> list[Part]:
    """The person cannot come: why and the moment they propose, with buttons to answer."""
    name = _named(body.person, tr)
    lines = [tr.message("appointment.worker_cannot", person=name, date=tr.spoken(body.at, tz))]
    voice = None
    if isinstance(body.why, str) and body.why:
        lines.append(tr.message("appointment.worker_cannot_why", why=body.why))
    elif isinstance(body.why, VoiceNote):
        # She chose to say it aloud to her worker: the note itself follows the text.
        said = tr.message("engine.voice", duration=body.why.duration)
        lines.append(tr.message("appointment.worker_cannot_why", why=said))
        voice = body.why.file_id
    rows: list[list[tuple[str, Callback]]] = []
    if body.proposed_at is not None:
        when = tr.spoken(body.proposed_at, tz)
        lines.append(tr.message("appointment.worker_cannot_when", date=when))
        take = TakeProposalButton(body.appointment_id)
        rows.append([(tr.message("appointment.worker_take"), take)])
    rows.append([(tr.message("appointment.worker_other"), WorkerButton("rdv", body.person_id))])
    markup = keyboard(rows)
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
    if isinstance(view.topics, VoiceNote):
        label = tr.message("worker.summary_topics_title", person=name)
        caption = tr.message("worker.summary_voice_caption", person=name, label=label)
        parts.append(VoicePart(view.topics.file_id, caption))
    return parts


async def _summary_parts(summary_id: int, services: Services, tr: Translator) -> list[Part]:
    """The notice alone; the summary (or its top, then a document); recordings; the chart."""
    view, person = await services.summaries.delivery.for_delivery(summary_id)
    name = (person.pseudonym if person else None) or tr.message("worker.no_pseudonym")
    tz = services.settings.timezone
    sent_on = tr.date_time(view.sent_at, tz) if view.sent_at else ""
    buttons = keyboard(
        [
            [
                (tr.message("worker.ack"), AckSummaryButton(summary_id)),
                (
                    tr.message("worker.history"),
                    WorkerButton("hist", person.id if person else 0),
                ),
            ]
        ]
    )
    shaped = summary_layout.for_worker(view, name, sent_on, tr)
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
