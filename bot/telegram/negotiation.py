"""Ce que nous avons convenu, in Telegram, for both sides of the negotiation.

The worker writes the problem and the steps, previews, sends. Whoever receives a round
agrees, or changes, removes or adds one step; they preview the difference before it goes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import assert_never

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.domain import Agreement, AgreementStep, StepChange
from bot.i18n import Translator
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
from bot.telegram.callbacks import (
    AgreementAction,
    AgreementButton,
    Callback,
    StepButton,
    StepEdit,
    WorkerButton,
)
from bot.telegram.common import close_with_choice, say, tr
from bot.telegram.render import close_buttons, keyboard
from bot.telegram.roles import caller, services, worker
from bot.usecases.access import NotYours
from bot.usecases.agreement_layout import change_text, rounds_text, steps_text
from bot.usecases.agreements import (
    ASPECTS,
    STEPS_MAX,
    AgreementClosed,
    BadChange,
    Party,
    draft_change,
    steps_from_lines,
)


def _party() -> Party:
    found = caller()
    party = found.worker if found.role == "worker" else found.person
    if party is None:
        raise NotYours
    return party


def _name_or_default(name: str | None, translator: Translator) -> str:
    return name or translator.message("worker.no_pseudonym")


async def _other_name(context: ContextTypes.DEFAULT_TYPE, agreement: Agreement) -> str:
    """Who will receive what this party sends: the worker's name, or the person's."""
    translator = tr(context)
    found = services(context)
    worker = caller().worker
    if caller().role == "worker" and worker is not None:
        name = await found.agreements.person_named(worker, agreement.person_id)
        return _name_or_default(name, translator)
    person = caller().person
    name = None if person is None else await found.summaries.worker_name(person)
    return name or translator.message("summary.your_worker")


def _back_row(translator: Translator, button: Callback) -> list[tuple[str, Callback]]:
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


async def _ask_again(
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
        party = _party()
        if button.action == "drop":
            await close_with_choice(context, query)
            await _forget_change(context)
            await say(update, context, translator.message("agreement.dropped"))
            await _ask_again(
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
            await _ask_words(update, context, current, ChangeDraft(current.id, "add"))
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


async def _ask_words(
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
    back = keyboard([_back_row(translator, AgreementButton("back", current.id))])
    await say(update, context, translator.message(key), reply_markup=back)


async def step_back(update: Update, context: ContextTypes.DEFAULT_TYPE, current: Agreement) -> None:
    """↩︎ Retour (or /retour) in a round: the question before, the draft kept where it can be."""
    found = services(context)
    account = caller().account
    pending = await found.inputs.peek(account)
    if not isinstance(pending, ChangeDraft) or pending.agreement_id != current.id:
        # From "Quelle étape ?" (or anything without a draft): back to the round's question.
        await _ask_again(update, context, current)
        return
    operation = pending.operation
    if operation == "remove":
        # From the removal's preview: which step to remove.
        await found.inputs.clear(account)
        await _ask_which_step(update, context, current, "remove")
    elif pending.after is not None:
        # From the preview: the wording question again.
        await _ask_words(update, context, current, replace(pending, after=None))
    elif operation == "change" and pending.index is not None:
        # From the wording question: which part of the step.
        await found.inputs.clear(account)
        await _ask_which_part(update, context, current, pending.index)
    else:
        await found.inputs.clear(account)
        await _ask_again(update, context, current)


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
    rows.append(_back_row(translator, AgreementButton("back", current.id)))
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
    rows.append(_back_row(translator, AgreementButton(before, current.id)))
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
        current = await found.agreements.open_round(_party(), button.agreement_id)
        await _forget_change(context)
        if button.operation == "remove":
            draft = ChangeDraft(current.id, "remove", button.index)
            draft_change(current.steps, "remove", button.index)
            await found.inputs.expect(account, draft)
            await _preview(update, context, current, draft)
        elif button.aspect == "-":
            if not 0 <= button.index < len(current.steps):
                raise BadChange
            await _ask_which_part(update, context, current, button.index)
        else:
            draft = ChangeDraft(current.id, "change", button.index, button.aspect)
            await _ask_words(update, context, current, draft)
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
        current = await found.agreements.open_round(_party(), agreement_id)
        _change_of(current, draft)
    except (AgreementClosed, NotYours):
        await found.inputs.clear(account)
        await say(update, context, translator.message("agreement.closed"))
        return
    except BadChange:
        # Nothing usable in the words: ask the same question again.
        await _ask_words(update, context, current, replace(draft, after=None))
        return
    await found.inputs.expect(account, draft)
    await _preview(update, context, current, draft)


async def _preview(
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
        _back_row(translator, AgreementButton("back", current.id)),
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
    await found.agreements.counter(_party(), current.id, change)
    await found.inputs.clear(account)
    await close_with_choice(context, query)
    if caller().role == "worker":
        name = await _other_name(context, current)
        await say(update, context, translator.message("agreement.counter_sent", person=name))
    else:
        await say(update, context, translator.message("agreement.amended_sent"))


# The worker records a new agreement: the problem, then the steps, then a preview.


async def start_agreement(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int
) -> None:
    """Ask the worker for the problem's wording."""
    translator = tr(context)
    found = services(context)
    who = await found.summaries.person_of(worker(), person_id)
    await found.inputs.expect(caller().account, AgreementProblem(person_id))
    name = _name_or_default(who.pseudonym, translator)
    await say(update, context, translator.message("worker.agree_problem_question", person=name))


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
            await _ask_steps(update, context, person_id)
        case AgreementSteps(person_id=person_id, problem=problem):
            steps = steps_from_lines(text)
            if not steps:
                await say(update, context, translator.message("worker.agree_no_steps"))
                return True
            await found.inputs.expect(account, AgreementSteps(person_id, problem, tuple(steps)))
            await _worker_preview(update, context, person_id, problem, steps)
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


async def _worker_preview(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person_id: int,
    problem: str,
    steps: list[AgreementStep],
) -> None:
    """Exactly what the person will get, with Envoyer and Réécrire les étapes."""
    found = services(context)
    translator = tr(context)
    try:
        who = await found.summaries.person_of(worker(), person_id)
    except NotYours:
        await found.inputs.clear(caller().account)
        await say(update, context, translator.message("worker.not_yours"))
        return
    name = _name_or_default(who.pseudonym, translator)
    text = "\n".join(
        [
            translator.message("worker.agree_preview", person=name),
            translator.message("agreement.proposed_problem", problem=problem),
            steps_text(steps, translator),
        ]
    )
    rows: list[list[tuple[str, Callback]]] = [
        [(translator.message("worker.agree_send"), WorkerButton("agsend", person_id))],
        [(translator.message("worker.agree_redo"), WorkerButton("agredo", person_id))],
    ]
    await say(update, context, text, reply_markup=keyboard(rows))


async def reask(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    pending: ChangeDraft | AgreementProblem | AgreementSteps,
) -> bool:
    """After a command, the agreement question waiting for words comes back; False if none."""
    found = services(context)
    try:
        if isinstance(pending, ChangeDraft):
            current = await found.agreements.open_round(_party(), pending.agreement_id)
            if pending.after is not None or pending.operation == "remove":
                await _preview(update, context, current, pending)
            else:
                await _ask_words(update, context, current, pending)
        elif caller().role != "worker":
            return False
        elif isinstance(pending, AgreementProblem):
            await start_agreement(update, context, pending.person_id)
        elif pending.steps is not None:
            steps = list(pending.steps)
            await _worker_preview(update, context, pending.person_id, pending.problem, steps)
        else:
            await _ask_steps(update, context, pending.person_id)
    except (AgreementClosed, NotYours, BadChange):
        await found.inputs.clear(caller().account)
    return True


async def send_proposal(update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int) -> None:
    """Envoyer, under the worker's preview: the round goes to the person."""
    found = services(context)
    translator = tr(context)
    account = caller().account
    pending = await found.inputs.peek(account)
    if not isinstance(pending, AgreementSteps) or pending.person_id != person_id:
        raise AgreementClosed
    steps = list(pending.steps or ())
    if not steps:
        raise AgreementClosed
    await found.agreements.propose(worker(), person_id, pending.problem, steps)
    await found.inputs.clear(account)
    who = await found.summaries.person_of(worker(), person_id)
    name = _name_or_default(who.pseudonym, translator)
    await say(update, context, translator.message("worker.agree_sent", person=name))


async def rewrite_steps(update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int) -> None:
    """Réécrire les étapes: the problem is kept, the steps are asked again."""
    found = services(context)
    account = caller().account
    pending = await found.inputs.peek(account)
    if not isinstance(pending, AgreementSteps) or pending.person_id != person_id:
        raise AgreementClosed
    query = update.callback_query
    if query is not None:
        await close_with_choice(context, query)
    await found.inputs.expect(account, AgreementSteps(person_id, pending.problem))
    await _ask_steps(update, context, person_id)


async def _ask_steps(update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int) -> None:
    """The steps, one per line; Retour goes back to the problem's wording."""
    translator = tr(context)
    back = keyboard([_back_row(translator, WorkerButton("agback", person_id))])
    await say(update, context, translator.message("worker.agree_steps_question"), reply_markup=back)


async def worker_step_back(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person_id: int
) -> None:
    """↩︎ Retour while the worker writes an agreement: the question before, words kept."""
    found = services(context)
    translator = tr(context)
    account = caller().account
    query = update.callback_query
    if query is not None:
        await close_with_choice(context, query)
    pending = await found.inputs.peek(account)
    match pending:
        case AgreementSteps(person_id=person) if person == person_id and pending.steps is not None:
            # From the preview: the steps again, the problem kept.
            await rewrite_steps(update, context, person_id)
        case AgreementSteps(person_id=person) if person == person_id:
            # From the steps: the problem again.
            await start_agreement(update, context, person_id)
        case AgreementProblem(person_id=person) if person == person_id:
            await say(update, context, translator.message("engine.no_previous"))
            await start_agreement(update, context, person_id)
        case _:
            raise AgreementClosed


async def back_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """/retour inside an agreement being written or answered; False if none is."""
    found = services(context)
    pending = await found.inputs.peek(caller().account)
    try:
        match pending:
            case ChangeDraft(agreement_id=agreement_id):
                current = await found.agreements.open_round(_party(), agreement_id)
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


# /convenu, for both roles: every round as a difference, then the open question if any.


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
                    _name_or_default(entry.pseudonym, translator),
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
    name = _name_or_default(who.pseudonym, translator)
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
        await _ask_again(update, context, last)
