"""Where a person's words go when something other than a dialogue question waits for them:
one `match` on the typed pending state, so a new state is a mypy error here."""

from __future__ import annotations

from typing import assert_never

from bot.domain import Person, VoiceNote
from bot.engine import TextAnswer, VoiceAnswer
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
    PendingState,
    QuietBound,
    SummaryTopics,
)
from bot.replies import Message, Reply, reply, say
from bot.usecases.access import NotYours
from bot.usecases.appointment_replies import AppointmentReplies
from bot.usecases.checkins import CheckIns
from bot.usecases.dates import DateProblem, parse_clock
from bot.usecases.inputs import PendingInputs
from bot.usecases.negotiation_replies import NegotiationReplies
from bot.usecases.settings import RhythmSettings
from bot.usecases.settings_replies import settings_message
from bot.usecases.summary_replies import SummaryReplies


class PendingAnswers:
    """The person's words for what waits: the summary's topics, what they learned at a
    check-in, a quiet-hour bound, why and when after "Je ne peux pas", an agreement's words."""

    def __init__(
        self,
        inputs: PendingInputs,
        summary: SummaryReplies,
        checkins: CheckIns,
        rhythm: RhythmSettings,
        appointments: AppointmentReplies,
        negotiation: NegotiationReplies,
    ) -> None:
        self._inputs = inputs
        self._summary = summary
        self._checkins = checkins
        self._rhythm = rhythm
        self._appointments = appointments
        self._negotiation = negotiation

    async def answer(
        self,
        person: Person,
        account: str,
        pending: PendingState | None,
        answer: TextAnswer | VoiceAnswer,
        tr: Translator,
    ) -> Reply | None:
        """The reply to words for what waits; None when nothing waits for a person's words
        (they then answer the dialogue)."""
        text = answer.text if isinstance(answer, TextAnswer) else None
        voice = answer if isinstance(answer, VoiceAnswer) else None
        match pending:
            case SummaryTopics():
                return await self._summary.topics(person, account, voice or text, tr)
            case LearnedWords(checkin_id=checkin_id):
                if voice is not None:
                    text = tr.message("engine.voice", duration=voice.duration)
                return await self._learned(person, account, checkin_id, text or "", tr)
            case QuietBound(bound=bound):
                if text is None:
                    return say(tr.message("settings.time_not_understood"))
                return await self._quiet_bound(person, account, bound, text, tr)
            case CannotWhy() | CannotWhen():
                said: str | VoiceNote = (
                    text or "" if voice is None else VoiceNote(voice.file_id, voice.duration)
                )
                return await self._appointments.cannot_answer(person, account, pending, said, tr)
            case ChangeDraft(agreement_id=agreement_id):
                if text is None:
                    return say(tr.message("agreement.voice_not_here"))
                return await self._negotiation.change_words(person, account, agreement_id, text, tr)
            case None | Forwarded() | AppointmentWhen() | AgreementProblem() | AgreementSteps():
                # Nothing waits for a person's words here: they answer the dialogue.
                return None
            case _:
                assert_never(pending)

    async def _learned(
        self, person: Person, account: str, checkin_id: int, words: str, tr: Translator
    ) -> Reply:
        """What happened, in the person's words; it feeds the next summary."""
        await self._inputs.clear(account)
        try:
            await self._checkins.learned(person, checkin_id, words)
        except NotYours:
            return Reply()
        return say(tr.message("reminder.checkin_thanks"))

    async def _quiet_bound(
        self, person: Person, account: str, morning: int, text: str, tr: Translator
    ) -> Reply:
        """A typed quiet-hour bound, to the minute; the settings are shown again."""
        try:
            at = parse_clock(text)
        except DateProblem:
            return say(tr.message("settings.time_not_understood"))
        await self._inputs.clear(account)
        await self._rhythm.quiet_bound(person, bool(morning), at)
        text, choices = settings_message(await self._rhythm.as_stored(person), tr)
        return reply(Message(text, choices))
