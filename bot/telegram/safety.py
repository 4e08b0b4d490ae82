"""The safety step in the chat: numbers, one short step, and an offer to be called."""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.ext import ContextTypes

from bot.telegram.callbacks import SafetyButton
from bot.telegram.common import say, tr
from bot.telegram.render import close_buttons, keyboard
from bot.telegram.roles import caller, person, services


def scope_of(update: Update) -> str:
    """Once per dialogue run; outside a dialogue, once per day."""
    who = person(update)
    if who.current_run_id is not None:
        return f"run:{who.current_run_id}"
    message = update.effective_message
    today = message.date.date().isoformat() if message is not None else "-"
    return f"day:{today}"


async def check_words(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """If the words suggest danger (and this scope has not shown it yet), show help first."""
    numbers = await services(context).safety.check(person(update), scope_of(update), text)
    if not numbers:
        return
    translator = tr(context)
    await say(update, context, translator.message("safety.heard"))
    lines = [translator.message("safety.numbers_intro")]
    lines += [translator.message(f"safety.number_{number}") for number in numbers]
    await say(update, context, "\n".join(lines))
    await say(update, context, translator.message("safety.step"))
    if caller().person is not None and person(update).worker_id is not None:
        buttons = keyboard(
            [
                [(translator.message("safety.offer_yes"), SafetyButton("call"))],
                [(translator.message("safety.offer_no"), SafetyButton("no"))],
            ]
        )
        await say(update, context, translator.message("safety.offer"), reply_markup=buttons)


async def safety_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, button: SafetyButton
) -> None:
    """Ask the worker to call (nothing of what was written goes with it), or not."""
    translator = tr(context)
    await query.answer()
    await close_buttons(query)
    if button.action != "call":
        await say(update, context, translator.message("safety.call_declined"))
        return
    if await services(context).safety.request_call(person(update)):
        await say(update, context, translator.message("safety.call_requested"))
    else:
        await say(update, context, translator.message("safety.no_worker"))
