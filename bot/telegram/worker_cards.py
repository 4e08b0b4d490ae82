"""A worker's view of one person: received summaries, strengths chart, agreements."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_time
from babel.lists import format_list
from telegram import CallbackQuery, Update
from telegram.ext import ContextTypes

from bot.domain import Person
from bot.i18n import Translator
from bot.pictures.chart import ChartLabels, DomainScore, strengths_chart
from bot.telegram import negotiation
from bot.telegram.callbacks import (
    AcceptAgreementButton,
    AckSummaryButton,
    PersonAction,
    TakeProposalButton,
    WorkerButton,
)
from bot.telegram.common import say, tr
from bot.telegram.render import close_buttons, keyboard, png_file
from bot.telegram.roles import caller, services, worker
from bot.telegram.safety import open_calls_for_digest
from bot.usecases.access import NotYours
from bot.usecases.agreements import AgreementClosed
from bot.usecases.appointments import InThePast, ScheduledAppointment
from bot.usecases.dates import DateProblem, ParsedDate, day_warning, parse_french_datetime
from bot.usecases.rhythm import at_local
from bot.usecases.summaries import Score

WHEN_INPUT = "appointment_when"


# What a worker's button about one of their persons does, given that person's id.
PersonHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE, int], Awaitable[None]]


def person_name(found: Person, translator: Translator) -> str:
    """How the worker knows the person."""
    return found.pseudonym or translator.message("worker.no_pseudonym")


async def worker_pressed(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    query: CallbackQuery,
    button: WorkerButton | AckSummaryButton | AcceptAgreementButton | TakeProposalButton,
) -> None:
    """Every worker button; the use cases refuse anything about someone else's persons."""
    translator = tr(context)
    try:
        if isinstance(button, AckSummaryButton):
            done = await services(context).summaries.acknowledge(worker(), button.summary_id)
            await query.answer(
                translator.message("worker.ack_done" if done else "worker.ack_again")
            )
            return
        if isinstance(button, AcceptAgreementButton):
            # No longer shown (the worker answers a round with its own buttons); a button
            # already sent still works.
            await services(context).agreements.accept_as_worker(worker(), button.agreement_id)
            await query.answer()
            await say(update, context, translator.message("worker.agreement_accepted_done"))
            return
        if isinstance(button, TakeProposalButton):
            await _take_proposal(update, context, button.appointment_id)
            await query.answer()
            return
        handlers: dict[PersonAction, PersonHandler] = {
            "card": _card,
            "hist": _history,
            "chart": _chart,
            "agree": negotiation.start_agreement,
            "rounds": negotiation.show_rounds_to_worker,
            "agsend": _send_agreement,
            "agredo": negotiation.rewrite_steps,
            "rdv": _ask_appointment,
            "rdvok": _confirm_appointment,
            "rdvcancel": _cancel_appointment,
        }
        await handlers[button.action](update, context, button.person_id)
        # Answered once, after the use case said yes or no: Telegram refuses a second answer.
        await query.answer()
    except (NotYours, AgreementClosed):
        await query.answer(translator.message("worker.not_yours"))


async def _card(update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int) -> None:
    translator = tr(context)
    found = services(context)
    who = await found.summaries.person_of(worker(), person_id)
    received = await found.summaries.received(worker(), person_id, audit=None)
    joined = translator.day(who.consented_at, found.settings.timezone) if who.consented_at else ""
    text = translator.message(
        "worker.card", person=person_name(who, translator), date=joined, count=len(received)
    )
    rows = [
        [(translator.message("worker.card_summaries"), WorkerButton("hist", person_id))],
        [(translator.message("worker.card_chart"), WorkerButton("chart", person_id))],
        [(translator.message("worker.card_agree"), WorkerButton("agree", person_id))],
        [(translator.message("worker.card_rounds"), WorkerButton("rounds", person_id))],
        [(translator.message("appointment.worker_set_button"), WorkerButton("rdv", person_id))],
    ]
    upcoming = await found.appointments.next_for_worker(worker(), person_id)
    if upcoming is not None:
        when = translator.date_time(upcoming.at, found.settings.timezone)
        text += "\n" + translator.message("appointment.worker_next", date=when)
        rows.append(
            [
                (
                    translator.message("appointment.worker_cancel_button"),
                    WorkerButton("rdvcancel", person_id),
                )
            ]
        )
    await say(update, context, text, reply_markup=keyboard(rows))


async def _history(update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int) -> None:
    translator = tr(context)
    found = services(context)
    who = await found.summaries.person_of(worker(), person_id)
    name = person_name(who, translator)
    received = await found.summaries.received(worker(), person_id)
    if not received:
        await say(update, context, translator.message("worker.history_none", person=name))
        return
    lines = [translator.message("worker.history_header", person=name)]
    for summary in received:
        moment = summary.sent_at or summary.created_at
        lines.append(
            translator.message(
                "worker.history_line",
                date=translator.date_time(moment, found.settings.timezone),
                status=translator.message(f"worker.status_{summary.status}"),
            )
        )
    await say(update, context, "\n".join(lines))


def chart_png(
    scores: list[Score], now: object, before: object, translator: Translator, title: str
) -> bytes:
    """The strengths chart with translated labels."""
    return strengths_chart(
        [DomainScore(score.label, score.now, score.before) for score in scores],
        ChartLabels(
            title=title,
            now=translator.message("worker.chart_now", date=now),
            before=translator.message("worker.chart_before", date=before),
            decimal_separator=translator.message("format.decimal_separator"),
        ),
    )


async def _chart(update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int) -> None:
    translator = tr(context)
    found = services(context)
    who = await found.summaries.person_of(worker(), person_id)
    name = person_name(who, translator)
    scores, now, before = await found.summaries.strengths_history(worker(), person_id, translator)
    if not scores:
        await say(update, context, translator.message("worker.chart_none", person=name))
        return
    tz = found.settings.timezone
    picture = chart_png(
        scores,
        translator.day(now, tz) if now else "",
        translator.day(before, tz) if before else "",
        translator,
        translator.message("worker.chart_caption", person=name),
    )
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_photo(
        chat.id,
        png_file(picture, "forces"),
        caption=translator.message("worker.chart_caption", person=name),
    )


async def _send_agreement(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int
) -> None:
    query = update.callback_query
    if query is not None:
        await close_buttons(query)
    await negotiation.send_proposal(update, context, person_id)


async def _ask_appointment(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int
) -> None:
    translator = tr(context)
    found = services(context)
    who = await found.summaries.person_of(worker(), person_id)
    await found.inputs.expect(caller().account, WHEN_INPUT, person_id)
    name = person_name(who, translator)
    await say(update, context, translator.message("appointment.worker_ask", person=name))


def day_warning_line(moment: datetime, translator: Translator, timezone: ZoneInfo) -> str:
    """'Attention : c'est un samedi.' (or a Sunday, a public holiday), else nothing."""
    warning = day_warning(moment.astimezone(timezone).date())
    return "" if warning is None else translator.message(f"appointment.warning_{warning}")


async def _appointment_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """The worker typed a date: read it the French way, then ask to confirm.

    A day without an hour ("demain") is kept while the bot asks the hour, and the two
    answers are read together: "demain" then "9h" is tomorrow at 9h.
    """
    found = services(context)
    translator = tr(context)
    tz = found.settings.timezone
    pending = await found.inputs.peek(caller().account)
    assert pending is not None
    who = await found.summaries.person_of(worker(), pending.ref)
    day_text = str((pending.data or {}).get("day", ""))
    now = found.clock.now()
    # With a day kept from before, the two answers together first; then the new one alone.
    readings = [f"{day_text} {text}", text] if day_text else [text]
    parsed: ParsedDate | None = None
    problems: list[DateProblem] = []
    for reading in readings:
        try:
            parsed = parse_french_datetime(reading, now, tz)
            break
        except DateProblem as problem:
            problems.append(problem)
    if parsed is None:
        if problems[-1].kind == "no_time":
            # A day without an hour: keep it, and ask the hour.
            await found.inputs.expect(caller().account, WHEN_INPUT, pending.ref, {"day": text})
        kind = problems[-1].kind if problems[-1].kind == "no_time" else problems[0].kind
        await say(update, context, translator.message(f"appointment.problem_{kind}"))
        return
    await found.inputs.expect(
        caller().account, WHEN_INPUT, pending.ref, {"at": parsed.moment.isoformat()}
    )
    when = translator.spoken(parsed.moment, tz, about=parsed.assumed_time)
    rows = [
        [
            (translator.message("appointment.worker_yes"), WorkerButton("rdvok", pending.ref)),
            (translator.message("appointment.worker_no"), WorkerButton("rdv", pending.ref)),
        ]
    ]
    name = person_name(who, translator)
    lines = [
        translator.message("appointment.worker_confirm", person=name, date=when),
        day_warning_line(parsed.moment, translator, tz),
        translator.message("appointment.worker_confirm_question"),
    ]
    lines = [line for line in lines if line]
    await say(update, context, "\n".join(lines), reply_markup=keyboard(rows))


def what_the_person_receives(
    scheduled: ScheduledAppointment, name: str, translator: Translator, now: datetime, tz: ZoneInfo
) -> str:
    """The worker is told exactly what the person will receive, and when."""
    lines = [translator.message("appointment.worker_set_for", person=name)]
    if scheduled.announced_at <= now:
        lines.append(translator.message("appointment.worker_announce_now"))
    else:
        when = translator.spoken(scheduled.announced_at, tz)
        lines.append(translator.message("appointment.worker_announce_later", date=when))
    if scheduled.reminders:
        dates = format_list(
            [translator.spoken(moment, tz) for moment in scheduled.reminders],
            locale=translator.language,
        )
        lines.append(translator.message("appointment.worker_reminders", dates=dates))
    else:
        lines.append(translator.message("appointment.worker_no_reminder"))
    return "\n".join(lines)


async def _confirm_appointment(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int
) -> None:
    found = services(context)
    translator = tr(context)
    pending = await found.inputs.peek(caller().account)
    if pending is None or pending.kind != WHEN_INPUT or pending.ref != person_id:
        await say(update, context, translator.message("worker.not_yours"))
        return
    at_text = (pending.data or {}).get("at")
    if not at_text:
        await say(update, context, translator.message("worker.not_yours"))
        return
    at = datetime.fromisoformat(str(at_text))
    who = await found.summaries.person_of(worker(), person_id)
    try:
        scheduled = await found.appointments.set(worker(), person_id, at)
    except InThePast:
        await say(update, context, translator.message("appointment.problem_past"))
        return
    await found.inputs.clear(caller().account)
    name = person_name(who, translator)
    text = what_the_person_receives(
        scheduled, name, translator, found.clock.now(), found.settings.timezone
    )
    await say(update, context, text)


async def _take_proposal(
    update: Update, context: ContextTypes.DEFAULT_TYPE, appointment_id: int
) -> None:
    """The worker accepts the moment the person proposed after "Je ne peux pas"."""
    found = services(context)
    translator = tr(context)
    appointment = await found.storage.get_appointment(appointment_id)
    if appointment is None:
        raise NotYours
    who = await found.summaries.person_of(worker(), appointment.person_id)
    try:
        scheduled = await found.appointments.take_proposal(worker(), appointment_id)
    except InThePast:
        await say(update, context, translator.message("appointment.problem_past"))
        return
    text = what_the_person_receives(
        scheduled,
        person_name(who, translator),
        translator,
        found.clock.now(),
        found.settings.timezone,
    )
    await say(update, context, text)


async def _cancel_appointment(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int
) -> None:
    found = services(context)
    translator = tr(context)
    who = await found.summaries.person_of(worker(), person_id)
    name = person_name(who, translator)
    if await found.appointments.cancel(worker(), person_id):
        await say(update, context, translator.message("appointment.worker_cancelled", person=name))
    else:
        await say(update, context, translator.message("appointment.worker_none", person=name))


async def appointment_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/rdv: choose a person, then type the date."""
    translator = tr(context)
    listing = await services(context).workers.persons(worker())
    if not listing:
        await say(update, context, translator.message("worker.persons_none"))
        return
    rows = [
        [
            (
                entry.pseudonym or translator.message("worker.no_pseudonym"),
                WorkerButton("rdv", entry.person_id),
            )
        ]
        for entry in listing[:90]
    ]
    await say(
        update, context, translator.message("appointment.worker_pick"), reply_markup=keyboard(rows)
    )


async def digest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Call requests still waiting, then tomorrow's appointments and their summaries."""
    await open_calls_for_digest(update, context)
    found = services(context)
    translator = tr(context)
    tz = found.settings.timezone
    tomorrow = at_local(found.clock.now() + timedelta(days=1), 0, tz)
    appointments = await found.storage.appointments_between(
        worker().id, tomorrow, tomorrow + timedelta(days=1)
    )
    if not appointments:
        await say(update, context, translator.message("reminder.digest_none"))
        return
    lines = [translator.message("reminder.digest_title")]
    for appointment in appointments:
        who = await found.storage.get_person(appointment.person_id)
        if who is None:
            continue
        received = await found.summaries.received(worker(), who.id, audit=None)
        fresh = any(
            s.sent_at is not None and s.sent_at > appointment.at - timedelta(days=14)
            for s in received
        )
        lines.append(
            translator.message(
                "reminder.digest_line",
                time=format_time(
                    appointment.at.astimezone(tz),
                    translator.message("format.time"),
                    locale=translator.language,
                ),
                person=person_name(who, translator),
                summary=translator.message(
                    "reminder.digest_summary_yes" if fresh else "reminder.digest_summary_no"
                ),
            )
        )
    await say(update, context, "\n".join(lines))


async def agreement_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> bool:
    """A worker's text for a pending appointment date; False if none."""
    pending = await services(context).inputs.peek(caller().account)
    if pending is not None and pending.kind == WHEN_INPUT:
        await _appointment_text(update, context, text)
        return True
    return False
