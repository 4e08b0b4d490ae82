"""Check-ins on a step: where the person is, how it went (GAS), what they learned."""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.ext import ContextTypes

from bot.actions import ATTAINMENTS, Callback, CheckinButton, MenuButton
from bot.pending_states import LearnedWords
from bot.telegram.common import close_with_choice, say, tr
from bot.telegram.render import keyboard
from bot.telegram.roles import caller, person, services
from bot.usecases.access import NotYours
from bot.usecases.checkins import ATTAINMENT


async def ask_checkin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Où en êtes-vous avec « … » ? with the four answers."""
    translator = tr(context)
    checkin = await services(context).checkins.open(person())
    if checkin is None:
        await say(update, context, translator.message("reminder.gone"))
        return
    rows: list[list[tuple[str, Callback]]] = [
        [(translator.message(f"reminder.checkin_{answer}"), CheckinButton(answer, checkin.id))]
        for answer in ("done", "in_progress", "not_yet", "change")
    ]
    await say(
        update,
        context,
        translator.message("reminder.checkin_question", step=checkin.step),
        reply_markup=keyboard(rows),
    )


async def checkin_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, button: CheckinButton
) -> None:
    """The person's progress, then (unless they want to change the step) what they learned."""
    found = services(context)
    translator = tr(context)
    who = person()
    await query.answer()
    await close_with_choice(context, query)
    if button.progress == "skip":
        await found.inputs.clear(caller().account)
        await say(update, context, translator.message("reminder.checkin_thanks"))
        return
    try:
        if button.progress in ATTAINMENT:
            await found.checkins.attainment(who, button.checkin_id, button.progress)
        else:
            await found.checkins.progress(who, button.checkin_id, button.progress)
    except NotYours:
        await say(update, context, translator.message("reminder.gone"))
        return
    if button.progress in ("done", "in_progress"):
        # How it went compared with what was expected (GAS), before what was learned.
        rows: list[list[tuple[str, Callback]]] = [
            [(translator.message(f"reminder.gas_{name}"), CheckinButton(name, button.checkin_id))]
            for name in ATTAINMENTS
        ]
        await say(
            update,
            context,
            translator.message("reminder.checkin_gas"),
            reply_markup=keyboard(rows),
        )
        return
    if button.progress == "change":
        ideas = MenuButton("redo", "idees")
        await say(
            update,
            context,
            translator.message("reminder.checkin_change_answer"),
            reply_markup=keyboard([[(translator.message("reminder.checkin_ideas_button"), ideas)]]),
        )
        return
    await found.dialogues.leave(who)
    await found.inputs.expect(caller().account, LearnedWords(button.checkin_id))
    skip = CheckinButton("skip", button.checkin_id)
    await say(
        update,
        context,
        translator.message("reminder.checkin_learned"),
        reply_markup=keyboard([[(translator.message("reminder.skip"), skip)]]),
    )


async def learned_answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, checkin_id: int, words: str
) -> None:
    """What happened, in the person's words; it feeds the next summary."""
    found = services(context)
    await found.inputs.clear(caller().account)
    try:
        await found.checkins.learned(person(), checkin_id, words)
    except NotYours:
        return
    await say(update, context, tr(context).message("reminder.checkin_thanks"))
