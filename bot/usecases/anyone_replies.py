"""What anyone's chat gets, whoever they are (a person, a worker, a stranger): /aide by role,
/urgence, a command we do not know, a message we cannot read, an edited message, a button
not theirs. One use
case for every transport; each only renders the reply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.domain import Person, Worker
from bot.i18n import Catalogs, Translator
from bot.replies import ClosePressed, Notice, Reply, reply, say
from bot.usecases.conversation import Conversation
from bot.usecases.worker_conversation import WorkerConversation

Role = Literal["person", "worker", "stranger"]

HELP_BY_ROLE: dict[Role, str] = {
    "person": "bot.help",
    "worker": "worker.help",
    "stranger": "join.stranger",
}


@dataclass(frozen=True)
class Someone:
    """Who wrote: their account, and the person or worker behind it (neither: a stranger)."""

    account: str
    person: Person | None = None
    worker: Worker | None = None
    # A worker whose access an admin closed: told so, rather than "ask for a link".
    closed_worker: bool = False

    @property
    def role(self) -> Role:
        if self.person is not None:
            return "person"
        return "worker" if self.worker is not None else "stranger"


class AnyoneReplies:
    """The inputs every role may send, and what they get back."""

    def __init__(
        self, catalogs: Catalogs, person: Conversation, worker: WorkerConversation
    ) -> None:
        self._catalogs = catalogs
        self._person = person
        self._worker = worker

    @property
    def _tr(self) -> Translator:
        return self._catalogs.translator()

    async def help(self, who: Someone) -> Reply:
        """/aide: a few short lines on what this role can do, then the question waiting."""
        return say(self._tr.message(HELP_BY_ROLE[who.role])) + await self.question_again(who)

    async def emergency(self, who: Someone) -> Reply:
        """/urgence: the French emergency numbers, at any moment, even mid-dialogue."""
        return say(self._tr.message("bot.emergency")) + await self.question_again(who)

    async def unknown_command(self, who: Someone) -> Reply:
        """Any command we do not know: said kindly, with a pointer to /aide."""
        return say(self._tr.message("bot.unknown_command")) + await self.question_again(who)

    async def unsupported(self, who: Someone, words: str | None) -> Reply:
        """A sticker, a photo, a location…: we only read text and voice notes (a caption is
        screened for distress all the same)."""
        return await self._screened(who, words) + say(self._tr.message("bot.unsupported"))

    async def edited(self, who: Someone, words: str | None) -> Reply:
        """An edited message does not change a stored answer: how to correct instead (its
        new words are screened for distress first)."""
        return await self._screened(who, words) + say(self._tr.message("bot.edited"))

    def refused_button(self) -> Reply:
        """A button this caller may not press (another role's, old, or forged): a kind
        word on the button, and the pressed message loses its buttons."""
        return reply(Notice(self._tr.message("bot.stale_button")), ClosePressed())

    async def question_again(self, who: Someone) -> Reply:
        """After a command, the question waiting for an answer comes back, below it: a
        dialogue's, or one waiting for free words (the summary's topics, an agreement's)."""
        if who.worker is not None and who.person is None:
            return await self._worker.question_again(who.worker, who.account, self._tr)
        if who.person is not None:
            return await self._person.question_again(who.person, who.account)
        return Reply()

    async def _screened(self, who: Someone, words: str | None) -> Reply:
        """Every message's words go through the safety step, whatever else happens to them
        (not held: they answer nothing)."""
        if not words:
            return Reply()
        help = await self._person.screen(who.person, who.account, words, hold=False)
        return help if help is not None else Reply()
