"""How an agreement reads: its steps, one round's difference, every round in order."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.domain import Agreement, AgreementStep, StepChange
from bot.i18n import Translator


def step_words(step: AgreementStep) -> str:
    """What, who and when on one line, leaving out what was not said."""
    return " — ".join(part for part in (step.what, step.who, step.when) if part)


def steps_text(steps: Sequence[AgreementStep], tr: Translator) -> str:
    """Every step, numbered from 1."""
    return "\n".join(
        tr.message("agreement.step_line", number=number, step=step_words(step))
        for number, step in enumerate(steps, start=1)
    )


def change_text(change: StepChange, tr: Translator) -> str:
    """One round's difference, e.g. "Étape 1 : mercredi → jeudi matin"."""
    number = change.index + 1
    if change.operation == "add":
        return tr.message("agreement.diff_add", number=number, after=change.after)
    if change.operation == "remove":
        return tr.message("agreement.diff_remove", number=number, before=change.before)
    if not change.before:
        return tr.message("agreement.diff_set", number=number, after=change.after)
    return tr.message(
        "agreement.diff_change", number=number, before=change.before, after=change.after
    )


def round_text(
    number: int, agreement: Agreement, tr: Translator, timezone: ZoneInfo, reader: str
) -> str:
    """One round: a whole proposal in full, an answer as its difference only."""
    suffix = "_for_worker" if reader == "worker" else ""
    common = {
        "number": number,
        "date": tr.day(agreement.created_at, timezone),
        "author": tr.message(f"agreement.by_{agreement.author}{suffix}"),
        "status": tr.message(f"agreement.status_{agreement.status}"),
    }
    if agreement.change is None:
        return tr.message(
            "agreement.round_whole",
            problem=agreement.problem,
            steps=steps_text(agreement.steps, tr),
            **common,
        )
    return tr.message("agreement.round_change", change=change_text(agreement.change, tr), **common)


def rounds_text(
    header: str,
    rounds: Sequence[Agreement],
    tr: Translator,
    timezone: ZoneInfo,
    reader: str,
) -> str:
    """Every round, numbered, then the steps as they stand in the last one."""
    blocks = [header]
    blocks += [
        round_text(number, agreement, tr, timezone, reader)
        for number, agreement in enumerate(rounds, start=1)
    ]
    if rounds and rounds[-1].change is not None:
        blocks.append(tr.message("agreement.steps_now", steps=steps_text(rounds[-1].steps, tr)))
    return "\n\n".join(blocks)


def proposal_text(agreement: Agreement, worker_name: str, tr: Translator) -> str:
    """A round as the person receives it: in full, or its difference and the steps it leaves."""
    if agreement.change is None:
        return tr.message(
            "agreement.proposed",
            worker=worker_name,
            problem=agreement.problem,
            steps=steps_text(agreement.steps, tr),
        )
    return "\n\n".join(
        [
            tr.message(
                "agreement.proposed_change",
                worker=worker_name,
                change=change_text(agreement.change, tr),
            ),
            tr.message("agreement.now_reads", steps=steps_text(agreement.steps, tr)),
        ]
    )


def amendment_text(agreement: Agreement, person_name: str, tr: Translator) -> str:
    """A person's round as the worker receives it: the difference, then all the steps."""
    change = change_text(agreement.change, tr) if agreement.change else ""
    return "\n\n".join(
        [
            tr.message("worker.agreement_amended", person=person_name, change=change),
            tr.message("agreement.now_reads", steps=steps_text(agreement.steps, tr)),
        ]
    )
