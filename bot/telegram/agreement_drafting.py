"""The worker records a new agreement in Telegram: the problem, then the steps (one per
line), then a preview of exactly what the person will get, with Envoyer."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.actions import Callback, WorkerButton
from bot.domain import AgreementStep
from bot.pending_states import AgreementProblem, AgreementSteps
from bot.telegram.common import close_with_choice, say, tr
from bot.telegram.negotiation import back_row, name_or_default
from bot.telegram.render import keyboard
from bot.telegram.roles import caller, services, worker
from bot.usecases.access import NotYours
from bot.usecases.agreement_layout import steps_text
from bot.usecases.agreements import AgreementClosed


async def start_agreement(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int
) -> None:
    """Ask the worker for the problem's wording."""
    translator = tr(context)
    found = services(context)
    who = await found.summaries.person_of(worker(), person_id)
    await found.inputs.expect(caller().account, AgreementProblem(person_id))
    name = name_or_default(who.pseudonym, translator)
    await say(update, context, translator.message("worker.agree_problem_question", person=name))


async def worker_preview(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person_id: int,
    problem: str,
    steps: list[AgreementStep],
) -> None:
    """Exactly what the person will get, with Envoyer and Réécrire les étapes."""
    found = services(context)
    translator = tr(context)
    try:
        who = await found.summaries.person_of(worker(), person_id)
    except NotYours:
        await found.inputs.clear(caller().account)
        await say(update, context, translator.message("worker.not_yours"))
        return
    name = name_or_default(who.pseudonym, translator)
    text = "\n".join(
        [
            translator.message("worker.agree_preview", person=name),
            translator.message("agreement.proposed_problem", problem=problem),
            steps_text(steps, translator),
        ]
    )
    rows: list[list[tuple[str, Callback]]] = [
        [(translator.message("worker.agree_send"), WorkerButton("agsend", person_id))],
        [(translator.message("worker.agree_redo"), WorkerButton("agredo", person_id))],
    ]
    await say(update, context, text, reply_markup=keyboard(rows))


async def send_proposal(update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int) -> None:
    """Envoyer, under the worker's preview: the round goes to the person."""
    found = services(context)
    translator = tr(context)
    account = caller().account
    pending = await found.inputs.peek(account)
    if not isinstance(pending, AgreementSteps) or pending.person_id != person_id:
        raise AgreementClosed
    steps = list(pending.steps or ())
    if not steps:
        raise AgreementClosed
    await found.agreements.propose(worker(), person_id, pending.problem, steps)
    await found.inputs.clear(account)
    who = await found.summaries.person_of(worker(), person_id)
    name = name_or_default(who.pseudonym, translator)
    await say(update, context, translator.message("worker.agree_sent", person=name))


async def rewrite_steps(update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int) -> None:
    """Réécrire les étapes: the problem is kept, the steps are asked again."""
    found = services(context)
    account = caller().account
    pending = await found.inputs.peek(account)
    if not isinstance(pending, AgreementSteps) or pending.person_id != person_id:
        raise AgreementClosed
    query = update.callback_query
    if query is not None:
        await close_with_choice(context, query)
    await found.inputs.expect(account, AgreementSteps(person_id, pending.problem))
    await ask_steps(update, context, person_id)


async def ask_steps(update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int) -> None:
    """The steps, one per line; Retour goes back to the problem's wording."""
    translator = tr(context)
    back = keyboard([back_row(translator, WorkerButton("agback", person_id))])
    await say(update, context, translator.message("worker.agree_steps_question"), reply_markup=back)


async def worker_step_back(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int
) -> None:
    """↩︎ Retour while the worker writes an agreement: the question before, words kept."""
    found = services(context)
    translator = tr(context)
    account = caller().account
    query = update.callback_query
    if query is not None:
        await close_with_choice(context, query)
    pending = await found.inputs.peek(account)
    match pending:
        case AgreementSteps(person_id=person) if person == person_id and pending.steps is not None:
            # From the preview: the steps again, the problem kept.
            await rewrite_steps(update, context, person_id)
        case AgreementSteps(person_id=person) if person == person_id:
            # From the steps: the problem again.
            await start_agreement(update, context, person_id)
        case AgreementProblem(person_id=person) if person == person_id:
            await say(update, context, translator.message("engine.no_previous"))
            await start_agreement(update, context, person_id)
        case _:
            raise AgreementClosed
