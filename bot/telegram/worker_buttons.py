"""Every button a worker presses about one of their persons, routed to its feature."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, Update
from telegram.ext import ContextTypes

from bot.actions import (
    AcceptAgreementButton,
    AckSummaryButton,
    PersonAction,
    TakeProposalButton,
    WorkerButton,
)
from bot.pending_states import AppointmentWhen
from bot.telegram import agreed, agreement_drafting, worker_appointments
from bot.telegram.common import close_with_choice, tr
from bot.telegram.replying import show
from bot.telegram.roles import caller, services, worker
from bot.usecases.access import NotYours
from bot.usecases.agreements import AgreementClosed

# What a worker's button about one of their persons does, given that person's id.
PersonHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE, int], Awaitable[None]]


async def worker_pressed(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    query: CallbackQuery,
    button: WorkerButton | AckSummaryButton | AcceptAgreementButton | TakeProposalButton,
) -> None:
    """Every worker button; the use cases refuse anything about someone else's persons."""
    translator = tr(context)
    if isinstance(button, AckSummaryButton | AcceptAgreementButton) or (
        isinstance(button, WorkerButton) and button.action in ("card", "hist", "chart")
    ):
        desk = services(context).worker_desk
        await show(update, context, await desk.pressed(worker(), button, translator), query)
        return
    try:
        if isinstance(button, TakeProposalButton):
            await worker_appointments.take_proposal(update, context, button.appointment_id)
            await query.answer()
            return
        handlers: dict[PersonAction, PersonHandler] = {
            "agree": agreement_drafting.start_agreement,
            "rounds": agreed.show_rounds_to_worker,
            "agsend": _send_agreement,
            "agredo": agreement_drafting.rewrite_steps,
            "agback": agreement_drafting.worker_step_back,
            "rdv": worker_appointments.ask_appointment,
            "rdvok": worker_appointments.confirm_appointment,
            "rdvcancel": worker_appointments.cancel_appointment,
        }
        await handlers[button.action](update, context, button.person_id)
        # Answered once, after the use case said yes or no: Telegram refuses a second answer.
        await query.answer()
    except (NotYours, AgreementClosed):
        await query.answer(translator.message("worker.not_yours"))


async def _send_agreement(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int
) -> None:
    query = update.callback_query
    if query is not None:
        await close_with_choice(context, query)
    await agreement_drafting.send_proposal(update, context, person_id)


async def pending_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> bool:
    """A worker's text for a pending appointment date; False if none."""
    pending = await services(context).inputs.peek(caller().account)
    if isinstance(pending, AppointmentWhen):
        await worker_appointments.appointment_text(update, context, text)
        return True
    return False
