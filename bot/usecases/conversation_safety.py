"""The safety step as replies: the help for words that state distress, the call offer, the
question whether to keep the words held meanwhile, and the answers to those buttons."""

from __future__ import annotations

from typing import assert_never
from zoneinfo import ZoneInfo

from bot.actions import CallOfferButton, HeldWordsButton
from bot.domain import Person
from bot.i18n import Catalogs, Translator
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
from bot.replies import Message, Reply, say
from bot.usecases.safety import Safety, SafetyHelp, StaleHold, help_messages


def help_reply(help: SafetyHelp, tr: Translator) -> Reply:
    """Numbers (the whole block or a calmer repeat), the call offer, the keep question."""
    parts = [Message(text) for text in help_messages(help, tr)]
    if help.offer_call:
        rows = (
            ((tr.message("safety.offer_yes"), CallOfferButton("call")),),
            ((tr.message("safety.offer_no"), CallOfferButton("no")),),
        )
        parts.append(Message(tr.message("safety.offer"), rows))
    if help.held_id is not None:
        keep = (
            (tr.message("safety.keep_yes"), HeldWordsButton("keep", help.held_id)),
            (tr.message("safety.keep_no"), HeldWordsButton("drop", help.held_id)),
        )
        parts.append(Message(tr.message("safety.keep_question"), (keep,)))
    return Reply(tuple(parts))


class SafetyReplies:
    """What anyone's words bring up, and the person's answers to the help."""

    def __init__(self, safety: Safety, catalogs: Catalogs, timezone: ZoneInfo) -> None:
        self._safety = safety
        self._catalogs = catalogs
        self._timezone = timezone

    async def screen(
        self, person: Person | None, account: str, text: str, *, hold: bool = True
    ) -> Reply | None:
        """The help when these words state distress (a person's words are then held for
        their choice, not routed); None when they do not."""
        help = await self._safety.screen(account, text, person=person, hold=hold)
        return None if help is None else help_reply(help, self._catalogs.translator())

    async def call_offer(self, person: Person, button: CallOfferButton) -> Reply:
        """The person's answer to "shall your worker call you?"."""
        tr = self._catalogs.translator()
        if button.action != "call":
            return say(tr.message("safety.call_declined"))
        promise = await self._safety.request_call(person)
        if promise is None:
            return say(tr.message("safety.no_worker"))
        text = tr.message("safety.call_sent")
        if promise.seen_from is not None:
            when = tr.date_time(promise.seen_from, self._timezone)
            text += "\n" + tr.message("safety.call_off_hours", date=when)
        return say(text)

    async def release(
        self, person: Person, account: str, button: HeldWordsButton
    ) -> tuple[str | None, Reply] | None:
        """Keep or drop the held words: the words kept (None when dropped) and what to say
        of it; None when nothing is held for that button any more."""
        tr = self._catalogs.translator()
        keep = button.action == "keep"
        try:
            words = await self._safety.release(account, person, button.held_id, keep)
        except StaleHold:
            return None
        return words, say(tr.message("safety.kept" if words is not None else "safety.dropped"))

    @staticmethod
    def waiting_question(pending: PendingState | None) -> str | None:
        """The catalogue key of the question waiting for free words, asked again after
        dropped words; None where the question is not asked again that way."""
        match pending:
            case SummaryTopics():
                return "summary.topics_question"
            case LearnedWords():
                return "reminder.checkin_learned"
            case ChangeDraft():
                return "agreement.change_question"
            case (
                None
                | QuietBound()
                | CannotWhy()
                | CannotWhen()
                | AppointmentWhen()
                | AgreementProblem()
                | AgreementSteps()
                | Forwarded()
            ):
                return None
            case _:
                assert_never(pending)
