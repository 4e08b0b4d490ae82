"""The person's summary (Préparer mon rendez-vous)."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.actions import SummaryButton
from bot.domain import VoiceNote
from bot.engine import VoiceAnswer
from bot.i18n import Translator
from bot.pending_states import SummaryTopics
from bot.telegram.common import close_with_choice, say, tr
from bot.telegram.render import close_buttons, keyboard
from bot.telegram.roles import caller, person, services
from bot.usecases import summary_layout
from bot.usecases.summaries import NothingToSummarise, SummaryView
from bot.usecases.summary_layout import preview_text


async def prepare_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/preparer: assemble the summary; ask what to talk about; show exactly what would go."""
    found = services(context)
    translator = tr(context)
    who = person()
    await found.dialogues.leave(who)
    try:
        view = await found.summaries.prepare(who, translator)
    except NothingToSummarise:
        await say(update, context, translator.message("summary.nothing"))
        return
    if view.updated:
        await say(update, context, translator.message("summary.updated"))
    if not view.topics_asked:
        await _ask_topics(update, context, view.summary_id, view.revision)
        return
    await show_preview(update, context, view)


async def _ask_topics(
    update: Update, context: ContextTypes.DEFAULT_TYPE, summary_id: int, revision: int
) -> None:
    """ "De quoi voulez-vous parler ?": words, a voice note, or Passer."""
    translator = tr(context)
    await services(context).inputs.expect(caller().account, SummaryTopics(summary_id))
    skip = SummaryButton("skip", summary_id, revision)
    await say(
        update,
        context,
        translator.message("summary.topics_question"),
        reply_markup=keyboard([[(translator.message("summary.skip"), skip)]]),
    )


async def reask(update: Update, context: ContextTypes.DEFAULT_TYPE, pending: SummaryTopics) -> bool:
    """After a command, "De quoi voulez-vous parler ?" comes back if it waits; False if not."""
    if caller().role != "person":
        return False
    view = await services(context).summaries.current(person())
    await _ask_topics(update, context, pending.summary_id, view.revision if view else 0)
    return True


async def back_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """/retour at "De quoi voulez-vous parler ?": it is the first question; False if not there."""
    pending = await services(context).inputs.peek(caller().account)
    if not isinstance(pending, SummaryTopics):
        return False
    await say(update, context, tr(context).message("engine.no_previous"))
    view = await services(context).summaries.current(person())
    await _ask_topics(update, context, pending.summary_id, view.revision if view else 0)
    return True


async def topics_answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, words: str | VoiceAnswer | None
) -> None:
    """The person said (or skipped) what they want to talk about: show the preview."""
    found = services(context)
    await found.inputs.clear(caller().account)
    said = VoiceNote(words.file_id, words.duration) if isinstance(words, VoiceAnswer) else words
    view = await found.summaries.set_topics(person(), said)
    if view is None:
        await prepare_command(update, context)
        return
    await show_preview(update, context, view)


async def _worker_name(context: ContextTypes.DEFAULT_TYPE, translator: Translator) -> str:
    who = caller().person
    name = None if who is None else await services(context).summaries.worker_name(who)
    return name or translator.message("summary.your_worker")


def control(
    view: SummaryView, translator: Translator, worker_name: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The short message with the choices: which parts go, Envoyer, Plus tard."""
    text = summary_layout.control_text(view, translator, worker_name)
    rows = [
        [
            (
                summary_layout.part_label(part, translator),
                SummaryButton("toggle", view.summary_id, view.revision, part.key),
            )
        ]
        for part in summary_layout.parts(view, translator)
    ]
    rows.append(
        [
            (
                translator.message("summary.send"),
                SummaryButton("send", view.summary_id, view.revision),
            ),
            (
                translator.message("summary.later"),
                SummaryButton("later", view.summary_id, view.revision),
            ),
        ]
    )
    # Back to "De quoi voulez-vous parler ?", to say it again.
    back = SummaryButton("back", view.summary_id, view.revision)
    rows.append([(translator.message("engine.previous"), back)])
    return text, keyboard(rows)


async def show_preview(
    update: Update, context: ContextTypes.DEFAULT_TYPE, view: SummaryView
) -> None:
    """The full summary, then the control message."""
    translator = tr(context)
    worker_name = await _worker_name(context, translator)
    found = services(context)
    now = translator.date_time(found.clock.now(), found.settings.timezone)
    await say(update, context, preview_text(view, translator, worker_name, now))
    text, markup = control(view, translator, worker_name)
    await say(update, context, text, reply_markup=markup)


async def summary_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, button: SummaryButton
) -> None:
    """Toggle a part (the control message changes in place), send, skip topics, or keep."""
    found = services(context)
    translator = tr(context)
    who = person()
    if button.action == "prep":
        await query.answer()
        await prepare_command(update, context)
        return
    if button.action == "skip":
        await query.answer()
        await close_with_choice(context, query)
        pending = await found.inputs.peek(caller().account)
        if pending == SummaryTopics(button.summary_id):
            await topics_answer(update, context, None)
        return
    if button.action == "toggle":
        view = await found.summaries.toggle(who, button.summary_id, button.revision, button.part)
        if view is None:
            await query.answer(translator.message("bot.stale_button"))
            await close_buttons(query)
            return
        await query.answer()
        text, markup = control(view, translator, await _worker_name(context, translator))
        try:
            await query.edit_message_text(text, reply_markup=markup)
        except BadRequest as error:
            if "not modified" not in str(error):
                raise
        return
    if button.action == "back":
        await query.answer()
        await close_with_choice(context, query)
        await _ask_topics(update, context, button.summary_id, button.revision)
        return
    if button.action == "later":
        await query.answer()
        await close_with_choice(context, query)
        await say(update, context, translator.message("summary.kept"))
        return
    result = await found.summaries.send(who, button.summary_id, button.revision)
    if result == "nothing_chosen":
        await query.answer(translator.message("summary.nothing_chosen"))
        return
    await query.answer()
    if result == "changed":
        await close_buttons(query)
        await say(update, context, translator.message("summary.changed"))
        try:
            current = await found.summaries.prepare(who, translator)
        except NothingToSummarise:
            return
        await show_preview(update, context, current)
        return
    await close_with_choice(context, query)
    await say(update, context, translator.message(f"summary.{result}"))
