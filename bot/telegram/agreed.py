"""/convenu, for both roles: every round as a difference, then the open question if any."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.actions import Callback, WorkerButton
from bot.domain import Agreement
from bot.telegram.common import say, tr
from bot.telegram.negotiation import ask_again, name_or_default
from bot.telegram.render import keyboard
from bot.telegram.roles import caller, services, worker
from bot.usecases.agreement_layout import rounds_text


async def agreed_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/convenu: the person sees every round; a worker picks whose rounds to see."""
    found = services(context)
    translator = tr(context)
    if caller().role == "worker":
        listing = await found.workers.persons(worker())
        if not listing:
            await say(update, context, translator.message("worker.persons_none"))
            return
        if len(listing) == 1:
            await show_rounds_to_worker(update, context, listing[0].person_id)
            return
        rows: list[list[tuple[str, Callback]]] = [
            [
                (
                    name_or_default(entry.pseudonym, translator),
                    WorkerButton("rounds", entry.person_id),
                )
            ]
            for entry in listing[:90]
        ]
        await say(
            update, context, translator.message("worker.agreed_pick"), reply_markup=keyboard(rows)
        )
        return
    who = caller().person
    assert who is not None
    rounds = await found.agreements.rounds(who.id)
    if not rounds:
        await say(update, context, translator.message("agreement.none"))
        return
    header = translator.message("agreement.history_header")
    text = rounds_text(header, rounds, translator, found.settings.timezone, reader="person")
    await say(update, context, text)
    await _open_question(update, context, rounds[-1], "worker")


async def show_rounds_to_worker(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int
) -> None:
    """Every round with one person, as differences; then the question if it waits for them."""
    found = services(context)
    translator = tr(context)
    who = await found.summaries.person_of(worker(), person_id)
    name = name_or_default(who.pseudonym, translator)
    rounds = await found.agreements.rounds_for_worker(worker(), person_id)
    if not rounds:
        await say(update, context, translator.message("worker.rounds_none", person=name))
        return
    header = translator.message("worker.rounds_header", person=name)
    text = rounds_text(header, rounds, translator, found.settings.timezone, reader="worker")
    await say(update, context, text)
    await _open_question(update, context, rounds[-1], "person")


async def _open_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, last: Agreement, other: str
) -> None:
    """The last round still waits for this reader's answer: ask again, with its buttons."""
    if last.status == "proposed" and last.author == other:
        await ask_again(update, context, last)
