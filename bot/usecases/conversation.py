"""What the person's input means now, and what the bot answers: one use case for every
transport.

Free text, a voice note, forwarded words, a button, a command: each comes here as a typed
input and leaves as a render-neutral `Reply` (bot/replies.py). Words are screened for
distress first, here, once; then they go to whatever waits for them (bot/usecases/
pending_answers.py); else they answer the dialogue. Telegram and the terminal only map
their input to `handle` and render what it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import assert_never
from zoneinfo import ZoneInfo

from bot.actions import (
    AcceptAgreementButton,
    AckSummaryButton,
    AgreementButton,
    AnswerButton,
    AppointmentButton,
    CallAckButton,
    Callback,
    CallOfferButton,
    CheckinButton,
    ConsentButton,
    ForwardButton,
    HeldWordsButton,
    LanguageButton,
    MenuButton,
    ReminderButton,
    RightsButton,
    SettingsButton,
    StepButton,
    SummaryButton,
    TakeProposalButton,
    WorkerButton,
)
from bot.domain import Person
from bot.engine import TextAnswer, VoiceAnswer
from bot.i18n import Catalogs, Translator, current_language
from bot.pending_states import ChangeDraft, Forwarded, SummaryTopics
from bot.replies import (
    ClosePressed,
    DialogueQuestion,
    Notice,
    Reply,
    reply,
    say,
)
from bot.usecases.appointment_replies import AppointmentReplies
from bot.usecases.checkin_replies import CheckinReplies
from bot.usecases.conversation_inputs import (
    Command,
    CommandName,
    ForwardedWords,
    Input,
    Pressed,
    Words,
)
from bot.usecases.conversation_safety import SafetyReplies
from bot.usecases.dialogue_replies import DialogueReplies
from bot.usecases.dialogues import Dialogues, NoDialogue, Turn
from bot.usecases.inputs import PendingInputs
from bot.usecases.negotiation_replies import NegotiationReplies
from bot.usecases.pending_answers import PendingAnswers
from bot.usecases.persons import Persons
from bot.usecases.reminders import Reminders
from bot.usecases.rights_replies import RightsReplies
from bot.usecases.settings_replies import SettingsReplies
from bot.usecases.summary_replies import SummaryReplies


class Conversation:
    """The person's side of the bot, as use cases: input in, reply out."""

    def __init__(
        self,
        catalogs: Catalogs,
        dialogues: Dialogues,
        inputs: PendingInputs,
        persons: Persons,
        reminders: Reminders,
        safety: SafetyReplies,
        summary: SummaryReplies,
        settings: SettingsReplies,
        checkins: CheckinReplies,
        appointments: AppointmentReplies,
        negotiation: NegotiationReplies,
        rights: RightsReplies,
        pending: PendingAnswers,
        timezone: ZoneInfo,
    ) -> None:
        self._catalogs = catalogs
        self._dialogues = dialogues
        self._inputs = inputs
        self._persons = persons
        self._reminders = reminders
        self._safety = safety
        self._summary = summary
        self._settings = settings
        self._checkins = checkins
        self._appointments = appointments
        self._negotiation = negotiation
        self._pending = pending
        self._timezone = timezone
        self._rights = rights
        self._dialogue = DialogueReplies(catalogs, dialogues, inputs, reminders, timezone)

    @property
    def _tr(self) -> Translator:
        return self._catalogs.translator()

    async def handle(self, person: Person, account: str, said: Input) -> Reply:
        """The reply to one input of this person (`account` keys what waits for their words)."""
        match said:
            case Words(text=text):
                return await self._answer(person, account, TextAnswer(text))
            case VoiceAnswer():
                return await self._answer(person, account, said)
            case ForwardedWords(text=text):
                return await self._forwarded(account, text)
            case Pressed(action=action, label=label):
                return await self._pressed(person, account, action, label)
            case Command(name=name):
                return await self._command(person, account, name)
            case _:
                assert_never(said)

    async def screen(
        self, person: Person | None, account: str, text: str, *, hold: bool = True
    ) -> Reply | None:
        """The help for anyone's words that state distress (a person's are then held for
        their choice); None when they do not. Words the person answers with are screened
        inside `handle`: this is for words that go nowhere else (a worker's, a caption)."""
        return await self._safety.screen(person, account, text, hold=hold)

    async def shown(self, question: DialogueQuestion) -> None:
        """The transport showed this question: from now on, free text answers it."""
        await self._dialogues.shown(Turn((), question.prompt, question.run_id))

    async def menu(self, person: Person, said: Sequence[str] = ()) -> Reply:
        """The menu (what is `said` before it may share its message)."""
        return await self._dialogue.menu(person, said)

    async def turn(self, person: Person, turn: Turn) -> Reply:
        """What a dialogue step says, then its question; the menu when finished."""
        return await self._dialogue.turn(person, turn)

    async def question_again(self, person: Person, account: str) -> Reply:
        """After a command: the question waiting for an answer comes back below it."""
        pending = await self._inputs.peek(account)
        if isinstance(pending, SummaryTopics):
            return await self._summary.ask_topics_again(person, account, pending, self._tr)
        if isinstance(pending, ChangeDraft):
            # The change being written, where it was (nothing when its round has closed).
            return await self._negotiation.reask(person, account, pending, self._tr)
        turn = await self._dialogues.current(person, self._tr)
        if turn is None or turn.prompt is None or turn.run_id is None:
            return Reply()
        return reply(DialogueQuestion(turn.prompt, turn.run_id, seen=True))

    async def _answer(
        self,
        person: Person,
        account: str,
        answer: TextAnswer | VoiceAnswer,
        screened: bool = False,
    ) -> Reply:
        # Help comes first; words that state distress are held for the person's choice.
        if isinstance(answer, TextAnswer) and not screened:
            help = await self._safety.screen(person, account, answer.text)
            if help is not None:
                return help
        pending = await self._inputs.peek(account)
        waiting = await self._pending.answer(person, account, pending, answer, self._tr)
        if waiting is not None:
            return waiting
        try:
            turn = await self._dialogues.answer(person, answer, self._tr)
        except NoDialogue:
            return say(self._tr.message("bot.no_dialogue")) + await self.menu(person)
        return await self.turn(person, turn)

    async def _forwarded(self, account: str, text: str) -> Reply:
        """Someone else's words: asked about, never taken as hers without her say."""
        tr = self._tr
        pending = await self._inputs.peek(account)
        if pending is not None and not isinstance(pending, Forwarded):
            # Something else waits for her words: the forwarded text is not taken for them.
            return say(tr.message("bot.forwarded_not_taken"))
        await self._inputs.expect(account, Forwarded(text))
        return say(
            tr.message("bot.forwarded_question"),
            [
                [(tr.message("bot.forwarded_keep"), ForwardButton("keep"))],
                [(tr.message("bot.forwarded_drop"), ForwardButton("drop"))],
            ],
        )

    def _chosen(self, label: str | None) -> ClosePressed:
        """The pressed message shows the button chosen (✅ …) and loses its buttons."""
        return ClosePressed(self._tr.message("bot.chosen", answer=label) if label else None)

    async def _pressed(
        self, person: Person, account: str, action: Callback | None, label: str | None
    ) -> Reply:
        match action:
            case None:
                return await self._dialogue.stale(person)
            case AnswerButton():
                return await self._dialogue.answer_pressed(person, action, label)
            case MenuButton():
                return await self._dialogue.menu_pressed(person, account, action, label)
            case LanguageButton(language=language):
                closed = reply(Notice(), self._chosen(label))
                if not await self._persons.change_language(person, language):
                    return closed + await self.menu(person)
                current_language.set(language)
                return (
                    closed + say(self._tr.message("bot.language_changed")) + await self.menu(person)
                )
            case ForwardButton():
                return await self._forward_pressed(person, account, action, label)
            case CallOfferButton():
                return reply(Notice(), self._chosen(label)) + await self._safety.call_offer(
                    person, action
                )
            case HeldWordsButton():
                return await self._held_pressed(person, account, action, label)
            case SummaryButton():
                chosen = self._chosen(label).choice
                return await self._summary.pressed(person, account, action, chosen, self._tr)
            case SettingsButton():
                return await self._settings.pressed(person, account, action, self._tr)
            case CheckinButton():
                chosen = self._chosen(label).choice
                return await self._checkins.checkin_pressed(
                    person, account, action, chosen, self._tr
                )
            case ReminderButton():
                return await self._checkins.reminder_pressed(person, action, self._tr)
            case AppointmentButton():
                chosen = self._chosen(label).choice
                return await self._appointments.pressed(person, account, action, chosen, self._tr)
            case (
                WorkerButton()
                | AckSummaryButton()
                | AcceptAgreementButton()
                | TakeProposalButton()
                | CallAckButton()
                | ConsentButton()
            ):
                # Another role's button, in the person's chat: old, or forged.
                return await self._dialogue.stale(person)
            case AgreementButton():
                chosen = self._chosen(label).choice
                return await self._negotiation.pressed(person, account, action, chosen, self._tr)
            case StepButton():
                chosen = self._chosen(label).choice
                return await self._negotiation.step_pressed(
                    person, account, action, chosen, self._tr
                )
            case RightsButton():
                chosen = self._chosen(label).choice
                return await self._rights.pressed(person, action, chosen, self._tr)
            case _:
                assert_never(action)

    async def _forward_pressed(
        self, person: Person, account: str, button: ForwardButton, label: str | None
    ) -> Reply:
        """Keep the forwarded text as her answer, or drop it and ask the question again."""
        pending = await self._inputs.peek(account)
        closed = reply(Notice(), self._chosen(label))
        if not isinstance(pending, Forwarded):
            return closed + say(self._tr.message("bot.stale_button"))
        await self._inputs.clear(account)
        if button.action == "keep":
            return closed + await self._answer(person, account, TextAnswer(pending.text))
        dropped = say(self._tr.message("bot.forwarded_dropped"))
        return closed + dropped + await self.question_again(person, account)

    async def _held_pressed(
        self, person: Person, account: str, button: HeldWordsButton, label: str | None
    ) -> Reply:
        """Keep the words held by the safety step (filed where they were written), or drop
        them and ask again what they would have answered."""
        released = await self._safety.release(person, account, button)
        if released is None:
            return reply(Notice(self._tr.message("safety.stale")), ClosePressed())
        closed = reply(Notice(), self._chosen(label))
        words, said = released
        if words is not None:
            kept = await self._answer(person, account, TextAnswer(words), screened=True)
            return closed + said + kept
        return closed + said + await self._after_dropped(person, account)

    async def _after_dropped(self, person: Person, account: str) -> Reply:
        """After dropped words: the question they would have answered, once more."""
        tr = self._tr
        question = self._safety.waiting_question(await self._inputs.peek(account))
        if question is not None:
            return say(tr.message(question))
        turn = await self._dialogues.current(person, tr)
        if turn is None:
            return await self.menu(person)
        return say(tr.message("safety.ask_again")) + await self.turn(person, turn)

    async def _command(self, person: Person, account: str, name: CommandName) -> Reply:
        tr = self._tr
        match name:
            case "menu":
                return await self.menu(person)
            case "cancel":
                # /annuler: leave the current dialogue; the answers are kept for later.
                pending = await self._inputs.peek(account)
                await self._inputs.clear(account)
                left = await self._dialogues.leave(person) or pending is not None
                return say(tr.message("bot.cancel_done" if left else "bot.cancel_nothing"))
            case "back":
                return await self._back(person, account)
            case "language":
                rows = [
                    [(tr.message(f"bot.language_{code}"), LanguageButton(code))]
                    for code in self._catalogs.languages
                ]
                return say(tr.message("bot.language_question"), rows)
            case "prepare":
                return await self._summary.prepare(person, account, tr)
            case "settings":
                return await self._settings.show(person, tr)
            case "pause":
                return await self._settings.pause(person, tr)
            case "resume":
                return await self._settings.resume(person, tr)
            case "agreed":
                return await self._negotiation.agreed(person, tr)
            case "erase":
                return self._rights.ask_erase(person, tr)
            case _:
                assert_never(name)

    async def _back(self, person: Person, account: str) -> Reply:
        """/retour: the question before, with every answer kept."""
        pending = await self._inputs.peek(account)
        if isinstance(pending, SummaryTopics):
            return await self._summary.back(person, account, pending, self._tr)
        if isinstance(pending, ChangeDraft):
            return await self._negotiation.back(person, account, pending, self._tr)
        try:
            turn = await self._dialogues.back(person, self._tr)
        except NoDialogue:
            return say(self._tr.message("bot.no_dialogue")) + await self.menu(person)
        return await self.turn(person, turn)
