"""A worker's view of one person: received summaries, strengths chart, agreements."""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.ext import ContextTypes

from bot.i18n import Translator
from bot.pictures.chart import ChartLabels, DomainScore, strengths_chart
from bot.storage.base import Person
from bot.telegram.callbacks import WorkerButton
from bot.telegram.common import say, tr
from bot.telegram.render import keyboard, png_file
from bot.telegram.roles import caller, services, worker
from bot.usecases.agreements import AgreementClosed
from bot.usecases.summaries import NotYours, Score

PROBLEM_INPUT = "agreement_problem"
STEPS_INPUT = "agreement_steps"


def person_name(found: Person, translator: Translator) -> str:
    """How the worker knows the person."""
    return found.pseudonym or translator.message("worker.no_pseudonym")


async def worker_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, button: WorkerButton
) -> None:
    """Every worker button; the use cases refuse anything about someone else's persons."""
    translator = tr(context)
    try:
        if button.action == "ack":
            done = await services(context).summaries.acknowledge(worker(), button.ref)
            await query.answer(
                translator.message("worker.ack_done" if done else "worker.ack_again")
            )
            return
        if button.action == "accept":
            await services(context).agreements.accept_as_worker(worker(), button.ref)
            await query.answer()
            await say(update, context, translator.message("worker.agreement_accepted_done"))
            return
        await query.answer()
        handlers = {
            "card": _card,
            "hist": _history,
            "chart": _chart,
            "agree": _start_agreement,
            "rounds": _rounds,
        }
        handler = handlers.get(button.action)
        if handler is not None:
            await handler(update, context, button.ref)
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
    ]
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


async def _start_agreement(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int
) -> None:
    translator = tr(context)
    found = services(context)
    who = await found.summaries.person_of(worker(), person_id)
    await found.inputs.expect(caller().account, PROBLEM_INPUT, person_id)
    await say(
        update,
        context,
        translator.message("worker.agree_problem_question", person=person_name(who, translator)),
    )


async def agreement_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> bool:
    """A worker's text while recording an agreement; False if none is being recorded."""
    found = services(context)
    translator = tr(context)
    account = caller().account
    pending = await found.inputs.peek(account)
    if pending is None or pending.kind not in (PROBLEM_INPUT, STEPS_INPUT):
        return False
    if pending.kind == PROBLEM_INPUT:
        await found.inputs.expect(account, STEPS_INPUT, pending.ref, {"problem": text})
        await say(update, context, translator.message("worker.agree_steps_question"))
        return True
    problem = str((pending.data or {}).get("problem", ""))
    await found.inputs.clear(account)
    try:
        await found.agreements.propose(worker(), pending.ref, problem, text)
        who = await found.summaries.person_of(worker(), pending.ref)
    except NotYours:
        await say(update, context, translator.message("worker.not_yours"))
        return True
    await say(
        update,
        context,
        translator.message("worker.agree_sent", person=person_name(who, translator)),
    )
    return True


async def _rounds(update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int) -> None:
    translator = tr(context)
    found = services(context)
    who = await found.summaries.person_of(worker(), person_id)
    name = person_name(who, translator)
    rounds = await found.agreements.rounds_for_worker(worker(), person_id)
    if not rounds:
        await say(update, context, translator.message("worker.rounds_none", person=name))
        return
    lines = [translator.message("worker.rounds_header", person=name)]
    for number, agreement in enumerate(rounds, start=1):
        lines.append(
            translator.message(
                "agreement.round",
                number=number,
                date=translator.day(agreement.created_at, found.settings.timezone),
                author=translator.message(f"agreement.by_{agreement.author}_for_worker"),
                status=translator.message(f"agreement.status_{agreement.status}"),
                problem=agreement.problem,
                steps=agreement.steps,
            )
        )
    await say(update, context, "\n\n".join(lines))
