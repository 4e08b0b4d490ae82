"""The person's side: greeting, menu, guided dialogues, last versions, language."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import assert_never

from telegram import CallbackQuery, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.actions import (
    AnswerButton,
    Callback,
    ForwardButton,
    LanguageButton,
    MenuButton,
    SummaryButton,
)
from bot.domain import VoiceNote
from bot.engine import PREVIOUS, ButtonPress, TextAnswer, VoiceAnswer
from bot.i18n import current_language
from bot.pending_states import (
    AgreementProblem,
    AgreementSteps,
    AppointmentWhen,
    CannotWhen,
    CannotWhy,
    ChangeDraft,
    Forwarded,
    LearnedWords,
    PendingState,
    QuietBound,
    SummaryTopics,
)
from bot.telegram import (
    agreement_inputs,
    appointments,
    calls,
    checkins,
    negotiation,
    reminders,
    safety,
    settings,
    summary,
)
from bot.telegram.callbacks import encode
from bot.telegram.calls import Markup
from bot.telegram.common import (
    ask_again,
    close_with_choice,
    forget_question,
    retire_question,
    say,
    send_question,
    tr,
)
from bot.telegram.render import (
    close_buttons,
    fewest_messages,
    keyboard,
    prompt_keyboard,
    show_choice,
)
from bot.telegram.roles import caller, person, services
from bot.usecases.dialogues import NoDialogue, StaleButton, Turn

log = logging.getLogger(__name__)

# A forwarded text waiting for the person to say whether it is her answer.


async def menu_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/menu: the three dialogues as buttons."""
    await show_menu(update, context)


async def show_menu(
    update: Update, context: ContextTypes.DEFAULT_TYPE, said: Sequence[str] = ()
) -> None:
    """Send the menu, marking dialogues in progress or done; what is `said` before it shares
    its message when short enough (fewest_messages)."""
    translator = tr(context)
    entries = await services(context).dialogues.menu(person(), translator)
    rows: list[list[tuple[str, Callback]]] = []
    for entry in entries:
        label = translator.message(f"bot.menu_{entry.status}", title=entry.title)
        rows.append([(label, MenuButton("open", entry.dialogue_id))])
    rows.append([(translator.message("summary.menu_button"), SummaryButton("prep", 0, 0))])
    *before, menu = fewest_messages([*said, translator.message("bot.menu")])
    for text in before:
        await say(update, context, text)
    await say(update, context, menu, reply_markup=keyboard(rows))


async def cancel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/annuler: leave the current dialogue; the answers are kept for later."""
    pending = await services(context).inputs.peek(caller().account)
    await services(context).inputs.clear(caller().account)
    left = await services(context).dialogues.leave(person()) or pending is not None
    key = "bot.cancel_done" if left else "bot.cancel_nothing"
    await say(update, context, tr(context).message(key))


async def back_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/retour: the question before, with every answer kept."""
    if await agreement_inputs.back_command(update, context) or await summary.back_command(
        update, context
    ):
        return
    try:
        turn = await services(context).dialogues.back(person(), tr(context))
    except NoDialogue:
        await say(update, context, tr(context).message("bot.no_dialogue"))
        await show_menu(update, context)
        return
    await show_turn(update, context, turn)


async def language_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/langue: choose the language of the bot."""
    translator = tr(context)
    rows = [
        [(translator.message(f"bot.language_{code}"), LanguageButton(code))]
        for code in services(context).catalogs.languages
    ]
    await say(
        update, context, translator.message("bot.language_question"), reply_markup=keyboard(rows)
    )


async def text_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free text: the answer to the current question, or a pointer to the menu."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    if message.forward_origin is not None:
        await _ask_about_forwarded(update, context, message.text)
        return
    await _answer(update, context, TextAnswer(message.text))


async def _ask_about_forwarded(
    update: Update, context: ContextTypes.DEFAULT_TYPE, text: str
) -> None:
    """Someone else's words, forwarded: asked about, never taken as hers without her say."""
    translator = tr(context)
    inputs = services(context).inputs
    pending = await inputs.peek(caller().account)
    if pending is not None and not isinstance(pending, Forwarded):
        # Something else waits for her words: the forwarded text is not taken for them.
        await say(update, context, translator.message("bot.forwarded_not_taken"))
        return
    await inputs.expect(caller().account, Forwarded(text))
    rows: list[list[tuple[str, Callback]]] = [
        [(translator.message("bot.forwarded_keep"), ForwardButton("keep"))],
        [(translator.message("bot.forwarded_drop"), ForwardButton("drop"))],
    ]
    await say(
        update, context, translator.message("bot.forwarded_question"), reply_markup=keyboard(rows)
    )


async def forward_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, button: ForwardButton
) -> None:
    """Keep the forwarded text as her answer, or drop it and ask the question again."""
    inputs = services(context).inputs
    pending = await inputs.peek(caller().account)
    await query.answer()
    await close_with_choice(context, query)
    if not isinstance(pending, Forwarded):
        await say(update, context, tr(context).message("bot.stale_button"))
        return
    await inputs.clear(caller().account)
    if button.action == "keep":
        await _answer(update, context, TextAnswer(pending.text))
        return
    await say(update, context, tr(context).message("bot.forwarded_dropped"))
    await ask_again(update, context)


async def voice_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A voice note is an answer too; we keep its Telegram file id."""
    message = update.effective_message
    if message is None or message.voice is None:
        return
    duration = message.voice.duration
    # PTB 22 gives int or timedelta depending on its PTB_TIMEDELTA switch.
    seconds = int(duration.total_seconds()) if isinstance(duration, timedelta) else int(duration)
    await _answer(update, context, VoiceAnswer(message.voice.file_id, seconds))


async def route_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Words the person chose to keep after the safety step: filed where they wrote them."""
    await _answer(update, context, TextAnswer(text), screened=True)


async def _answer_pending(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    pending: PendingState | None,
    answer: TextAnswer | VoiceAnswer,
) -> bool:
    """The person's words go to what waits for them, if anything does; False if nothing does
    (they then answer the dialogue)."""
    match pending:
        case SummaryTopics():
            words = answer.text if isinstance(answer, TextAnswer) else answer
            await summary.topics_answer(update, context, words)
        case LearnedWords(checkin_id=checkin_id):
            if isinstance(answer, TextAnswer):
                await checkins.learned_answer(update, context, checkin_id, answer.text)
            else:
                await checkins.learned_answer(
                    update,
                    context,
                    checkin_id,
                    tr(context).message("engine.voice", duration=answer.duration),
                )
        case QuietBound(bound=bound):
            if isinstance(answer, TextAnswer):
                await settings.quiet_bound_answer(update, context, bound, answer.text)
            else:
                await say(update, context, tr(context).message("settings.time_not_understood"))
        case CannotWhy() | CannotWhen():
            reply: str | VoiceNote = (
                answer.text
                if isinstance(answer, TextAnswer)
                else VoiceNote(answer.file_id, answer.duration)
            )
            await appointments.cannot_answer(update, context, pending, reply)
        case ChangeDraft(agreement_id=agreement_id):
            if isinstance(answer, TextAnswer):
                await negotiation.change_words(update, context, agreement_id, answer.text)
            else:
                await say(update, context, tr(context).message("agreement.voice_not_here"))
        case None | Forwarded() | AppointmentWhen() | AgreementProblem() | AgreementSteps():
            # Nothing waits for a person's words here: they answer the dialogue.
            return False
        case _:
            assert_never(pending)
    return True


async def _answer(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    answer: TextAnswer | VoiceAnswer,
    screened: bool = False,
) -> None:
    # Help comes first; words that state distress are held for the person's choice.
    text = answer.text if isinstance(answer, TextAnswer) and not screened else None
    if text is not None and await safety.screen(update, context, text):
        return
    pending = await services(context).inputs.peek(caller().account)
    if await _answer_pending(update, context, pending, answer):
        return
    try:
        turn = await services(context).dialogues.answer(person(), answer, tr(context))
    except NoDialogue:
        await say(update, context, tr(context).message("bot.no_dialogue"))
        await show_menu(update, context)
        return
    await show_turn(update, context, turn)


async def answer_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, button: AnswerButton
) -> None:
    """A button of a dialogue question; old or foreign ones get a kind answer."""
    run_id, press = button.run_id, ButtonPress(button.turn, button.value)
    try:
        turn = await services(context).dialogues.press(person(), run_id, press, tr(context))
    except StaleButton:
        await stale_pressed(update, context, query)
        return
    await calls.answer_button(context.bot, query.id)
    if turn.same_question and turn.prompt is not None and turn.run_id is not None:
        await _edit(query, turn.prompt.text, prompt_keyboard(turn.prompt, turn.run_id))
        return
    if query.message is not None:
        forget_question(context, query.message.message_id)
    label = _pressed_label(query, button.value, run_id, press.turn)
    answer = None if button.value == PREVIOUS else turn.chosen or label
    await show_choice(query, tr(context).message("bot.chosen", answer=answer) if answer else None)
    await show_turn(update, context, turn)


def _pressed_label(query: CallbackQuery, value: str, run_id: int, turn: int) -> str | None:
    """The label of the button that was pressed, read from the message it was on."""
    markup = getattr(query.message, "reply_markup", None)
    wanted = encode(AnswerButton(run_id, turn, value))
    for row in getattr(markup, "inline_keyboard", ()):
        for key in row:
            if key.callback_data == wanted:
                return str(key.text)
    return None


async def stale_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery
) -> None:
    """Answer an unusable button and bring back the live question, so nobody is stuck."""
    await query.answer(tr(context).message("bot.stale_button"))
    if query.message is not None:
        forget_question(context, query.message.message_id)
    await close_buttons(query)
    turn = await services(context).dialogues.current(person(), tr(context))
    if turn is not None:
        await show_turn(update, context, turn)
    else:
        await show_menu(update, context)


async def menu_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, button: MenuButton
) -> None:
    """Open (start or resume), show the last version, or redo a dialogue."""
    action, dialogue_id = button.action, button.dialogue_id
    dialogues = services(context).dialogues
    if not dialogues.exists(dialogue_id):
        await stale_pressed(update, context, query)
        return
    if action == "menu":
        await query.answer()
        await show_menu(update, context)
        return
    await query.answer()
    await close_with_choice(context, query)
    translator = tr(context)
    who = person()
    if action == "open":
        menu = {entry.dialogue_id: entry.status for entry in await dialogues.menu(who, translator)}
        if menu.get(dialogue_id) == "done":
            await _show_version(update, context, dialogue_id)
            return
    if action in ("open", "redo"):
        await services(context).inputs.clear(caller().account)
        await show_turn(update, context, await dialogues.open(who, dialogue_id, translator))
        return
    await _show_version(update, context, dialogue_id)


async def _show_version(
    update: Update, context: ContextTypes.DEFAULT_TYPE, dialogue_id: str
) -> None:
    """What the person last said in a finished dialogue, with Redo and Menu buttons."""
    translator = tr(context)
    version = await services(context).dialogues.latest(person(), dialogue_id, translator)
    if version is None:
        await show_menu(update, context)
        return
    when = translator.date_time(version.finished_at, services(context).settings.timezone)
    lines = [translator.message("bot.version_header", title=version.title, date=when)]
    lines += [f"• {label} : {value}" for label, value in version.lines]
    buttons = keyboard(
        [
            [(translator.message("bot.redo"), MenuButton("redo", dialogue_id))],
            [(translator.message("bot.back_to_menu"), MenuButton("menu", dialogue_id))],
        ]
    )
    await say(update, context, "\n".join(lines), reply_markup=buttons)


async def language_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, button: LanguageButton
) -> None:
    """Switch the person's language, then show the menu in it."""
    language = button.language
    changed = await services(context).persons.change_language(person(), language)
    await query.answer()
    await close_with_choice(context, query)
    if changed:
        current_language.set(language)
        await say(update, context, tr(context).message("bot.language_changed"))
    await show_menu(update, context)


async def show_turn(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """Send what a dialogue step says, then its question with buttons; the menu when finished.

    The question shown before (answered by typing, or shown again here) loses its buttons.
    A finished dialogue's last words (and when its step's reminder comes) go with the menu,
    in one message when short enough: the menu is the one question then."""
    await retire_question(update, context)
    if turn.finished:
        said = list(turn.messages)
        if turn.run_id is not None:
            notice = await reminders.step_reminder_text(context, turn.run_id)
            said += [notice] if notice is not None else []
        await show_menu(update, context, said)
        return
    for text in turn.messages:
        await say(update, context, text)
    if turn.prompt is not None and turn.run_id is not None:
        await send_question(update, context, turn.prompt, turn.run_id)
        # Only now, Telegram having accepted it, may free text answer this question.
        await services(context).dialogues.shown(turn)


async def _edit(query: CallbackQuery, text: str, markup: Markup | None) -> None:
    message = query.message
    if message is None:
        return
    try:
        await calls.edit_text(query.get_bot(), message.chat.id, message.message_id, text, markup)
    except BadRequest as error:
        if "not modified" not in str(error):
            raise
