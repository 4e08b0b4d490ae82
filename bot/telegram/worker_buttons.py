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
from bot.telegram import negotiation, worker_appointments
from bot.telegram.common import tr
from bot.telegram.replying import show
from bot.telegram.roles import caller, services, worker
from bot.usecases.access import NotYours
from bot.usecases.agreements import AgreementClosed

# The worker's buttons about a person's agreement (bot/usecases/worker_conversation.py).
AGREEMENT_WORK = ("agree", "rounds", "agsend", "agredo", "agback")
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
        if button.action in AGREEMENT_WORK:
            await negotiation.worker_pressed(update, context, query, button)
            return
        handlers: dict[PersonAction, PersonHandler] = {
            "rdv": worker_appointments.ask_appointment,
            "rdvok": worker_appointments.confirm_appointment,
            "rdvcancel": worker_appointments.cancel_appointment,
        }
        await handlers[button.action](update, context, button.person_id)
        # Answered once, after the use case said yes or no: Telegram refuses a second answer.
        await query.answer()
    except (NotYours, AgreementClosed):
        await query.answer(translator.message("worker.not_yours"))


async def pending_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> bool:
    """A worker's text for a pending appointment date; False if none."""
    pending = await services(context).inputs.peek(caller().account)
    if isinstance(pending, AppointmentWhen):
        await worker_appointments.appointment_text(update, context, text)
        return True
    return False
