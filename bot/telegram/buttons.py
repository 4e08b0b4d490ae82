"""Every inline button arrives here: decoded once, then routed to the role it belongs to."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.actions import (
    AcceptAgreementButton,
    AckSummaryButton,
    AgreementButton,
    AnswerButton,
    CallAckButton,
    ConsentButton,
    ReminderButton,
    StepButton,
    TakeProposalButton,
    WorkerButton,
)
from bot.telegram import (
    callbacks,
    joining,
    person,
    worker,
)
from bot.telegram.common import forget_question
from bot.telegram.replying import show
from bot.telegram.roles import caller, services

log = logging.getLogger(__name__)


async def button_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Route a button; a forged one, or one pressed by the wrong role, gets a kind answer."""
    query = update.callback_query
    if query is None:
        return
    try:
        decoded = callbacks.decode(query.data)
    except callbacks.ForgedCallback:
        log.info("callback_forged")
        decoded = None
    role = caller().role
    if query.message is not None and not (isinstance(decoded, AnswerButton) and role == "person"):
        # Only an answer button may leave the live question live; any other handler may
        # close that message's buttons itself, and closing them twice is refused.
        forget_question(context, query.message.message_id)
    match decoded:
        case ConsentButton():
            await joining.consent_pressed(update, context, query, decoded)
        case (
            CallAckButton()
            | ReminderButton()
            | WorkerButton()
            | AckSummaryButton()
            | AcceptAgreementButton()
            | TakeProposalButton()
            | AgreementButton()
            | StepButton()
        ) if role == "worker":
            await worker.button_pressed(update, context, query, decoded)
        case _ if role == "person":
            # The dialogues, the menu, the language, the summary, forwarded words, the
            # safety step, and anything old or forged: the conversation use case.
            await person.button_pressed(update, context, query, decoded)
        case _:
            log.info("callback_refused", extra={"role": role})
            await show(update, context, services(context).anyone.refused_button(), query)
