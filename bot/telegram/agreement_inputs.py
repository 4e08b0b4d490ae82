"""Where a typed text or /retour goes while an agreement is written or answered, for both
roles: one match on the pending state, so a new state is a mypy error here."""

from __future__ import annotations

from typing import assert_never

from telegram import Update
from telegram.ext import ContextTypes

from bot.pending_states import (
    AgreementProblem,
    AgreementSteps,
    AppointmentWhen,
    CannotWhen,
    CannotWhy,
    ChangeDraft,
    Forwarded,
    LearnedWords,
    QuietBound,
    SummaryTopics,
)
from bot.telegram.agreement_drafting import (
    ask_steps,
    start_agreement,
    worker_preview,
    worker_step_back,
)
from bot.telegram.common import say, tr
from bot.telegram.negotiation import (
    ask_words,
    change_words,
    current_party,
    preview_change,
    step_back,
)
from bot.telegram.roles import caller, services
from bot.usecases.access import NotYours
from bot.usecases.agreements import AgreementClosed, BadChange, steps_from_lines


async def worker_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> bool:
    """A worker's text for an agreement being written or answered; False if none is."""
    found = services(context)
    translator = tr(context)
    account = caller().account
    pending = await found.inputs.peek(account)
    match pending:
        case ChangeDraft(agreement_id=agreement_id):
            await change_words(update, context, agreement_id, text)
        case AgreementProblem(person_id=person_id):
            await found.inputs.expect(account, AgreementSteps(person_id, text))
            await ask_steps(update, context, person_id)
        case AgreementSteps(person_id=person_id, problem=problem):
            steps = steps_from_lines(text)
            if not steps:
                await say(update, context, translator.message("worker.agree_no_steps"))
                return True
            await found.inputs.expect(account, AgreementSteps(person_id, problem, tuple(steps)))
            await worker_preview(update, context, person_id, problem, steps)
        case (
            None
            | LearnedWords()
            | QuietBound()
            | CannotWhy()
            | CannotWhen()
            | AppointmentWhen()
            | SummaryTopics()
            | Forwarded()
        ):
            return False
        case _:
            assert_never(pending)
    return True


async def reask(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    pending: ChangeDraft | AgreementProblem | AgreementSteps,
) -> bool:
    """After a command, the agreement question waiting for words comes back; False if none."""
    found = services(context)
    try:
        if isinstance(pending, ChangeDraft):
            current = await found.agreements.open_round(current_party(), pending.agreement_id)
            if pending.after is not None or pending.operation == "remove":
                await preview_change(update, context, current, pending)
            else:
                await ask_words(update, context, current, pending)
        elif caller().role != "worker":
            return False
        elif isinstance(pending, AgreementProblem):
            await start_agreement(update, context, pending.person_id)
        elif pending.steps is not None:
            steps = list(pending.steps)
            await worker_preview(update, context, pending.person_id, pending.problem, steps)
        else:
            await ask_steps(update, context, pending.person_id)
    except (AgreementClosed, NotYours, BadChange):
        await found.inputs.clear(caller().account)
    return True


async def back_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """/retour inside an agreement being written or answered; False if none is."""
    found = services(context)
    pending = await found.inputs.peek(caller().account)
    try:
        match pending:
            case ChangeDraft(agreement_id=agreement_id):
                current = await found.agreements.open_round(current_party(), agreement_id)
                await step_back(update, context, current)
                return True
            case AgreementProblem(person_id=person_id) | AgreementSteps(person_id=person_id):
                if caller().role == "worker":
                    await worker_step_back(update, context, person_id)
                    return True
            case (
                None
                | LearnedWords()
                | QuietBound()
                | CannotWhy()
                | CannotWhen()
                | AppointmentWhen()
                | SummaryTopics()
                | Forwarded()
            ):
                pass
            case _:
                assert_never(pending)
    except (AgreementClosed, NotYours, BadChange):
        await found.inputs.clear(caller().account)
        await say(update, context, tr(context).message("agreement.closed"))
        return True
    return False


async def worker_back_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/retour from a worker: back one question in the agreement being written."""
    if not await back_command(update, context):
        await say(update, context, tr(context).message("worker.nothing_to_go_back_to"))
