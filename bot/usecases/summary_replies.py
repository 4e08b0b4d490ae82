"""The person's summary (Préparer mon rendez-vous) as replies: prepare, the topics, the
preview and its buttons, for any transport to render."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.actions import SummaryButton
from bot.domain import Person, VoiceNote
from bot.engine import VoiceAnswer
from bot.i18n import Translator
from bot.pending_states import SummaryTopics
from bot.replies import ClosePressed, EditPressed, Message, Notice, Reply, Rows, reply, say
from bot.usecases import summary_layout
from bot.usecases.clock import Clock
from bot.usecases.dialogues import Dialogues
from bot.usecases.inputs import PendingInputs
from bot.usecases.summaries import NothingToSummarise, Summaries
from bot.usecases.summary_content import SummaryView


class SummaryReplies:
    """What the person sees of their summary, step by step."""

    def __init__(
        self,
        summaries: Summaries,
        dialogues: Dialogues,
        inputs: PendingInputs,
        clock: Clock,
        timezone: ZoneInfo,
    ) -> None:
        self._summaries = summaries
        self._dialogues = dialogues
        self._inputs = inputs
        self._clock = clock
        self._timezone = timezone

    async def prepare(self, person: Person, account: str, tr: Translator) -> Reply:
        """/preparer: assemble the summary; ask what to talk about; show exactly what would go."""
        await self._dialogues.leave(person)
        try:
            view = await self._summaries.prepare(person, tr)
        except NothingToSummarise:
            return say(tr.message("summary.nothing"))
        said = say(tr.message("summary.updated")) if view.updated else Reply()
        if not view.topics_asked:
            return said + await self.ask_topics(account, view.summary_id, view.revision, tr)
        return said + await self.preview(person, view, tr)

    async def ask_topics(
        self, account: str, summary_id: int, revision: int, tr: Translator
    ) -> Reply:
        """ "De quoi voulez-vous parler ?": words, a voice note, or Passer."""
        await self._inputs.expect(account, SummaryTopics(summary_id))
        skip = SummaryButton("skip", summary_id, revision)
        return say(tr.message("summary.topics_question"), [[(tr.message("summary.skip"), skip)]])

    async def ask_topics_again(
        self, person: Person, account: str, pending: SummaryTopics, tr: Translator
    ) -> Reply:
        """The topics question once more (after a command), on the current revision."""
        view = await self._summaries.current(person)
        revision = view.revision if view else 0
        return await self.ask_topics(account, pending.summary_id, revision, tr)

    async def back(
        self, person: Person, account: str, pending: SummaryTopics, tr: Translator
    ) -> Reply:
        """/retour at "De quoi voulez-vous parler ?": it is the first question."""
        return say(tr.message("engine.no_previous")) + await self.ask_topics_again(
            person, account, pending, tr
        )

    async def topics(
        self, person: Person, account: str, words: str | VoiceAnswer | None, tr: Translator
    ) -> Reply:
        """The person said (or skipped) what they want to talk about: the preview."""
        await self._inputs.clear(account)
        said = VoiceNote(words.file_id, words.duration) if isinstance(words, VoiceAnswer) else words
        view = await self._summaries.set_topics(person, said)
        if view is None:
            return await self.prepare(person, account, tr)
        return await self.preview(person, view, tr)

    async def preview(self, person: Person, view: SummaryView, tr: Translator) -> Reply:
        """The full summary, then the control message."""
        worker_name = await self._worker_name(person, tr)
        now = tr.date_time(self._clock.now(), self._timezone)
        text = summary_layout.preview_text(view, tr, worker_name, now)
        control = summary_layout.control_text(view, tr, worker_name)
        return reply(Message(text), Message(control, _control_rows(view, tr)))

    async def pressed(
        self,
        person: Person,
        account: str,
        button: SummaryButton,
        chosen: str | None,
        tr: Translator,
    ) -> Reply:
        """Toggle a part (the control message changes in place), send, skip topics, or keep;
        `chosen` is the pressed button's choice as shown under its message."""
        closed = reply(Notice(), ClosePressed(chosen))
        match button.action:
            case "prep":
                return reply(Notice()) + await self.prepare(person, account, tr)
            case "skip":
                pending = await self._inputs.peek(account)
                if pending != SummaryTopics(button.summary_id):
                    return closed
                return closed + await self.topics(person, account, None, tr)
            case "toggle":
                return await self._toggle(person, button, tr)
            case "back":
                return closed + await self.ask_topics(
                    account, button.summary_id, button.revision, tr
                )
            case "later":
                return closed + say(tr.message("summary.kept"))
            case "send":
                return await self._send(person, account, button, closed, tr)

    async def _toggle(self, person: Person, button: SummaryButton, tr: Translator) -> Reply:
        view = await self._summaries.toggle(person, button.summary_id, button.revision, button.part)
        if view is None:
            return reply(Notice(tr.message("bot.stale_button")), ClosePressed())
        text = summary_layout.control_text(view, tr, await self._worker_name(person, tr))
        return reply(Notice(), EditPressed(text, _control_rows(view, tr)))

    async def _send(
        self, person: Person, account: str, button: SummaryButton, closed: Reply, tr: Translator
    ) -> Reply:
        result = await self._summaries.send(person, button.summary_id, button.revision)
        if result == "nothing_chosen":
            return reply(Notice(tr.message("summary.nothing_chosen")))
        if result == "changed":
            changed = reply(Notice(), ClosePressed(), Message(tr.message("summary.changed")))
            try:
                current = await self._summaries.prepare(person, tr)
            except NothingToSummarise:
                return changed
            return changed + await self.preview(person, current, tr)
        return closed + say(tr.message(f"summary.{result}"))

    async def _worker_name(self, person: Person, tr: Translator) -> str:
        name = await self._summaries.worker_name(person)
        return name or tr.message("summary.your_worker")


def _control_rows(view: SummaryView, tr: Translator) -> Rows:
    """Which parts go (one button each), Envoyer and Plus tard, then back to the topics."""
    rows: list[tuple[tuple[str, SummaryButton], ...]] = [
        (
            (
                summary_layout.part_label(part, tr),
                SummaryButton("toggle", view.summary_id, view.revision, part.key),
            ),
        )
        for part in summary_layout.parts(view, tr)
    ]
    rows.append(
        (
            (tr.message("summary.send"), SummaryButton("send", view.summary_id, view.revision)),
            (tr.message("summary.later"), SummaryButton("later", view.summary_id, view.revision)),
        )
    )
    # Back to "De quoi voulez-vous parler ?", to say it again.
    back = SummaryButton("back", view.summary_id, view.revision)
    rows.append(((tr.message("engine.previous"), back),))
    return tuple(rows)
