"""Answering a round of what was agreed, in Telegram, for both sides of the negotiation.

Whoever receives a round agrees, or changes, removes or adds one step; they preview the
difference before it goes. The worker's first round: agreement_drafting.py; /convenu:
agreed.py; where typed words and /retour go: agreement_inputs.py.
"""

from __future__ import annotations

from dataclasses import replace

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.actions import AgreementAction, AgreementButton, Callback, StepButton, StepEdit
from bot.domain import Agreement, StepChange
from bot.i18n import Translator
from bot.pending_states import (
    ChangeDraft,
)
from bot.telegram.common import close_with_choice, say, tr
from bot.telegram.render import close_buttons, keyboard
from bot.telegram.roles import caller, services
from bot.usecases.access import NotYours
from bot.usecases.agreement_layout import change_text, steps_text
from bot.usecases.agreements import (
    ASPECTS,
    STEPS_MAX,
    AgreementClosed,
    BadChange,
    Party,
    draft_change,
)


def current_party() -> Party:
    found = caller()
    party = found.worker if found.role == "worker" else found.person
    if party is None:
        raise NotYours
    return party


def name_or_default(name: str | None, translator: Translator) -> str:
    return name or translator.message("worker.no_pseudonym")


async def _other_name(context: ContextTypes.DEFAULT_TYPE, agreement: Agreement) -> str:
    """Who will receive what this party sends: the worker's name, or the person's."""
    translator = tr(context)
    found = services(context)
    worker = caller().worker
    if caller().role == "worker" and worker is not None:
        name = await found.agreements.person_named(worker, agreement.person_id)
        return name_or_default(name, translator)
    person = caller().person
    name = None if person is None else await found.summaries.worker_name(person)
    return name or translator.message("summary.your_worker")


def back_row(translator: Translator, button: Callback) -> list[tuple[str, Callback]]:
    return [(translator.message("engine.previous"), button)]


def answer_buttons(agreement: Agreement, translator: Translator) -> InlineKeyboardMarkup:
    """D'accord, or one step changed, removed, added."""
    rows: list[list[tuple[str, Callback]]] = [
        [(translator.message("agreement.ok"), AgreementButton("ok", agreement.id))],
        [(translator.message("agreement.change_step"), AgreementButton("change", agreement.id))],
    ]
    if len(agreement.steps) > 1:
        rows.append(
            [(translator.message("agreement.remove_step"), AgreementButton("remove", agreement.id))]
        )
    if len(agreement.steps) < STEPS_MAX:
        rows.append(
            [(translator.message("agreement.add_step"), AgreementButton("add", agreement.id))]
        )
    return keyboard(rows)


async def ask_again(
    update: Update, context: ContextTypes.DEFAULT_TYPE, agreement: Agreement
) -> None:
    translator = tr(context)
    markup = answer_buttons(agreement, translator)
    await say(update, context, translator.message("agreement.question"), reply_markup=markup)


async def agreement_pressed(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    query: CallbackQuery,
    button: AgreementButton,
) -> None:
    """An answer to a round, from either side; anything stale gets a kind word."""
    found = services(context)
    translator = tr(context)
    await query.answer()
    try:
        party = current_party()
        if button.action == "drop":
            await close_with_choice(context, query)
            await _forget_change(context)
            await say(update, context, translator.message("agreement.dropped"))
            await ask_again(
                update, context, await found.agreements.open_round(party, button.agreement_id)
            )
            return
        current = await found.agreements.open_round(party, button.agreement_id)
        if button.action == "back":
            await close_with_choice(context, query)
            await step_back(update, context, current)
            return
        if button.action == "send":
            await _send_change(update, context, query, current)
            return
        await close_with_choice(context, query)
        await _forget_change(context)
        if button.action == "ok":
            await found.agreements.accept(party, current.id)
            done = "worker.agreement_accepted_done" if caller().role == "worker" else None
            await say(update, context, translator.message(done or "agreement.accepted"))
        elif button.action == "add":
            await ask_words(update, context, current, ChangeDraft(current.id, "add"))
        elif button.action in ("change", "remove"):
            await _ask_which_step(update, context, current, button.action)
    except (AgreementClosed, NotYours, BadChange):
        await close_buttons(query)
        await say(update, context, translator.message("agreement.closed"))


async def _forget_change(context: ContextTypes.DEFAULT_TYPE) -> None:
    """A change being drafted is dropped: the person went elsewhere in the round."""
    found = services(context)
    account = caller().account
    pending = await found.inputs.peek(account)
    if isinstance(pending, ChangeDraft):
        await found.inputs.clear(account)


async def ask_words(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    current: Agreement,
    draft: ChangeDraft,
) -> None:
    """Ask for the new wording of a step's part, or of a new step; Retour goes back one."""
    translator = tr(context)
    await services(context).inputs.expect(caller().account, draft)
    aspect = draft.aspect
    key = f"agreement.ask_{aspect}" if aspect in ASPECTS else "agreement.ask_add"
    back = keyboard([back_row(translator, AgreementButton("back", current.id))])
    await say(update, context, translator.message(key), reply_markup=back)


async def step_back(update: Update, context: ContextTypes.DEFAULT_TYPE, current: Agreement) -> None:
    """↩︎ Retour (or /retour) in a round: the question before, the draft kept where it can be."""
    found = services(context)
    account = caller().account
    pending = await found.inputs.peek(account)
    if not isinstance(pending, ChangeDraft) or pending.agreement_id != current.id:
        # From "Quelle étape ?" (or anything without a draft): back to the round's question.
        await ask_again(update, context, current)
        return
    operation = pending.operation
    if operation == "remove":
        # From the removal's preview: which step to remove.
        await found.inputs.clear(account)
        await _ask_which_step(update, context, current, "remove")
    elif pending.after is not None:
        # From the preview: the wording question again.
        await ask_words(update, context, current, replace(pending, after=None))
    elif operation == "change" and pending.index is not None:
        # From the wording question: which part of the step.
        await found.inputs.clear(account)
        await _ask_which_part(update, context, current, pending.index)
    else:
        await found.inputs.clear(account)
        await ask_again(update, context, current)


async def _ask_which_step(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    current: Agreement,
    operation: StepEdit,
) -> None:
    translator = tr(context)
    if operation == "change" and len(current.steps) == 1:
        await _ask_which_part(update, context, current, 0)
        return
    rows: list[list[tuple[str, Callback]]] = [
        [
            (
                translator.message("agreement.step_button", number=index + 1),
                StepButton(operation, current.id, index),
            )
        ]
        for index in range(len(current.steps))
    ]
    rows.append(back_row(translator, AgreementButton("back", current.id)))
    text = "\n\n".join(
        [steps_text(current.steps, translator), translator.message("agreement.which_step")]
    )
    await say(update, context, text, reply_markup=keyboard(rows))


async def _ask_which_part(
    update: Update, context: ContextTypes.DEFAULT_TYPE, current: Agreement, index: int
) -> None:
    translator = tr(context)
    rows: list[list[tuple[str, Callback]]] = [
        [
            (
                translator.message(f"agreement.part_{aspect}"),
                StepButton("change", current.id, index, aspect),
            )
        ]
        for aspect in ASPECTS
    ]
    # Back to "Quelle étape ?", or to the round's question when there is only one step.
    before: AgreementAction = "change" if len(current.steps) > 1 else "back"
    rows.append(back_row(translator, AgreementButton(before, current.id)))
    await say(
        update,
        context,
        translator.message("agreement.which_part", number=index + 1),
        reply_markup=keyboard(rows),
    )


async def step_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, button: StepButton
) -> None:
    """A step chosen (and which part of it): ask for the words, or preview a removal."""
    found = services(context)
    translator = tr(context)
    account = caller().account
    await query.answer()
    await close_with_choice(context, query)
    try:
        current = await found.agreements.open_round(current_party(), button.agreement_id)
        await _forget_change(context)
        if button.operation == "remove":
            draft = ChangeDraft(current.id, "remove", button.index)
            draft_change(current.steps, "remove", button.index)
            await found.inputs.expect(account, draft)
            await preview_change(update, context, current, draft)
        elif button.aspect == "-":
            if not 0 <= button.index < len(current.steps):
                raise BadChange
            await _ask_which_part(update, context, current, button.index)
        else:
            draft = ChangeDraft(current.id, "change", button.index, button.aspect)
            await ask_words(update, context, current, draft)
    except (AgreementClosed, NotYours, BadChange):
        await say(update, context, translator.message("agreement.closed"))


def _change_of(current: Agreement, draft: ChangeDraft) -> StepChange:
    """The draft kept in the pending input, checked against the round it changes."""
    if draft.operation is None:
        raise BadChange
    return draft_change(
        current.steps,
        draft.operation,
        0 if draft.index is None else draft.index,
        draft.aspect,
        draft.after or "",
    )


async def change_words(
    update: Update, context: ContextTypes.DEFAULT_TYPE, agreement_id: int, words: str
) -> None:
    """The new wording of a step (or a new step): show exactly what the other side will get."""
    found = services(context)
    translator = tr(context)
    account = caller().account
    pending = await found.inputs.peek(account)
    kept = pending if isinstance(pending, ChangeDraft) else ChangeDraft(agreement_id)
    draft = replace(kept, agreement_id=agreement_id, after=words)
    try:
        current = await found.agreements.open_round(current_party(), agreement_id)
        _change_of(current, draft)
    except (AgreementClosed, NotYours):
        await found.inputs.clear(account)
        await say(update, context, translator.message("agreement.closed"))
        return
    except BadChange:
        # Nothing usable in the words: ask the same question again.
        await ask_words(update, context, current, replace(draft, after=None))
        return
    await found.inputs.expect(account, draft)
    await preview_change(update, context, current, draft)


async def preview_change(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    current: Agreement,
    draft: ChangeDraft,
) -> None:
    translator = tr(context)
    change = _change_of(current, draft)
    text = translator.message(
        "agreement.preview",
        name=await _other_name(context, current),
        change=change_text(change, translator),
    )
    rows: list[list[tuple[str, Callback]]] = [
        [
            (translator.message("agreement.send"), AgreementButton("send", current.id)),
            (translator.message("agreement.drop"), AgreementButton("drop", current.id)),
        ],
        back_row(translator, AgreementButton("back", current.id)),
    ]
    await say(update, context, text, reply_markup=keyboard(rows))


async def _send_change(
    update: Update, context: ContextTypes.DEFAULT_TYPE, query: CallbackQuery, current: Agreement
) -> None:
    found = services(context)
    translator = tr(context)
    account = caller().account
    pending = await found.inputs.peek(account)
    if not isinstance(pending, ChangeDraft) or pending.agreement_id != current.id:
        raise AgreementClosed
    change = _change_of(current, pending)
    await found.agreements.counter(current_party(), current.id, change)
    await found.inputs.clear(account)
    await close_with_choice(context, query)
    if caller().role == "worker":
        name = await _other_name(context, current)
        await say(update, context, translator.message("agreement.counter_sent", person=name))
    else:
        await say(update, context, translator.message("agreement.amended_sent"))
