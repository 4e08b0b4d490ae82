"""A worker's view of one person: their card, the summaries received, the strengths chart."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.actions import WorkerButton
from bot.domain import Person
from bot.i18n import Translator
from bot.pictures.chart import ChartLabels, DomainScore, strengths_chart
from bot.telegram.common import say, tr
from bot.telegram.render import keyboard, png_file
from bot.telegram.roles import services, worker
from bot.usecases.summaries import Score


def person_name(found: Person, translator: Translator) -> str:
    """How the worker knows the person."""
    return found.pseudonym or translator.message("worker.no_pseudonym")


async def card(update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int) -> None:
    """The person's card: since when, how many summaries, and what the worker can do."""
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


async def history(update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int) -> None:
    """Every summary the person sent this worker, with where it is on its way."""
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


async def chart(update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int) -> None:
    """The strengths the person shared, newest against the one before, as a picture."""
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
