"""/start, invitation links and consent as replies: the greeting for each role, a worker's
link opened (their access, their commands), a person's link opened (who invites them, what
is kept, the consent question) and the answers to that question."""

from __future__ import annotations

import logging

from bot.actions import ConsentButton
from bot.domain import Invitation
from bot.i18n import Catalogs, Translator
from bot.replies import ClosePressed, Notice, Reply, WorkerCommandMenu, reply, say
from bot.usecases.anyone_replies import Someone
from bot.usecases.consent import Consent, InvitationGone, RoleTaken
from bot.usecases.conversation import Conversation
from bot.usecases.invitations import Invitations
from bot.usecases.workers import Workers

log = logging.getLogger(__name__)


class JoiningReplies:
    """How anyone comes in: by an invitation, with the person's consent first."""

    def __init__(
        self,
        catalogs: Catalogs,
        invitations: Invitations,
        consent: Consent,
        workers: Workers,
        conversation: Conversation,
    ) -> None:
        self._catalogs = catalogs
        self._invitations = invitations
        self._consent = consent
        self._workers = workers
        self._conversation = conversation

    @property
    def _tr(self) -> Translator:
        return self._catalogs.translator()

    async def start(self, who: Someone, code: str | None, chat_id: int, language: str) -> Reply:
        """/start [code]: open an invitation (`language`: the new member's, `chat_id`: where
        they are reached), or greet according to who is writing."""
        if code is not None:
            return await self._open(who, code, chat_id, language)
        if who.person is not None:
            greeting = say(self._tr.message("bot.greeting"))
            return greeting + await self._conversation.menu(who.person)
        if who.worker is not None:
            return say(self._tr.message("worker.help"))
        return await self.stranger(who, None)

    async def stranger(self, who: Someone, words: str | None) -> Reply:
        """Anything from someone without an invitation: help first if they are in danger,
        then how Équipage is used (a worker whose access closed is told so)."""
        help = None
        if words:
            help = await self._conversation.screen(who.person, who.account, words)
        key = "worker.not_allowed" if who.closed_worker else "join.stranger"
        return (help or Reply()) + say(self._tr.message(key))

    async def _open(self, who: Someone, code: str, chat_id: int, language: str) -> Reply:
        tr = self._tr
        if self._invitations.limiter.blocked(who.account):
            return say(tr.message("join.slow_down"))
        invitation = await self._invitations.check(who.account, code)
        if invitation is None:
            return say(tr.message("join.invalid"))
        if invitation.kind == "worker":
            return await self._worker_invitation(who, invitation, chat_id, language)
        return await self._person_invitation(who, invitation)

    async def _worker_invitation(
        self, who: Someone, invitation: Invitation, chat_id: int, language: str
    ) -> Reply:
        tr = self._tr
        if who.person is not None:
            return say(tr.message("join.worker_link_for_person"))
        if who.worker is not None:
            return say(tr.message("join.already_worker"))
        try:
            joined = await self._workers.join(
                invitation, who.account, chat_id=chat_id, language=language
            )
        except (InvitationGone, RoleTaken):
            return say(tr.message("join.invalid"))
        return reply(
            WorkerCommandMenu(language),
            *say(tr.message("join.worker_welcome", name=joined.name)).parts,
            *say(tr.message("worker.help")).parts,
        )

    async def _person_invitation(self, who: Someone, invitation: Invitation) -> Reply:
        tr = self._tr
        if who.person is not None:
            already = say(tr.message("join.already_person"))
            return already + await self._conversation.menu(who.person)
        if who.worker is not None:
            return say(tr.message("join.person_link_for_worker"))
        offer = await self._consent.offer(invitation, who.account)
        if offer.structure:
            intro = tr.message(
                "consent.intro_with_structure", worker=offer.worker_name, structure=offer.structure
            )
        else:
            intro = tr.message("consent.intro", worker=offer.worker_name)
        told = say(intro) + say(tr.message("consent.summary"))
        return told + self._question(offer.invitation_id, offer.token)

    def _question(self, invitation_id: int, token: str) -> Reply:
        tr = self._tr
        rows = [
            [(tr.message("consent.accept"), ConsentButton("accept", invitation_id, token))],
            [(tr.message("consent.more"), ConsentButton("more", invitation_id, token))],
            [(tr.message("consent.refuse"), ConsentButton("refuse", invitation_id, token))],
        ]
        return say(tr.message("consent.question"), rows)

    async def consent_pressed(
        self,
        who: Someone,
        button: ConsentButton,
        chosen: str | None,
        chat_id: int,
        language: str,
    ) -> Reply:
        """Accept (consent recorded, linked to the worker), learn more, or refuse (nothing
        stored); `chosen` shows under the question, its buttons gone."""
        tr = self._tr
        if who.person is not None:
            # An old consent screen, tapped by someone already in: whatever the button, say so.
            already = reply(Notice(), ClosePressed(), *say(tr.message("join.already_person")).parts)
            return already + await self._conversation.menu(who.person)
        closed = reply(Notice(), ClosePressed(chosen))
        if button.action == "refuse":
            log.info("consent_refused")
            return closed + say(tr.message("consent.refused"))
        if button.action == "more":
            return closed + await self._explain(who, button)
        try:
            person, _ = await self._consent.accept(
                button.invitation_id, button.token, who.account, chat_id=chat_id, language=language
            )
        except InvitationGone:
            return closed + say(tr.message("join.invalid"))
        except RoleTaken:
            return closed + say(tr.message("join.person_link_for_worker"))
        welcome = say(tr.message("consent.welcome")) + say(tr.message("bot.greeting"))
        return closed + welcome + await self._conversation.menu(person)

    async def _explain(self, who: Someone, button: ConsentButton) -> Reply:
        """The longer consent text, one short message per topic, then the same question."""
        tr = self._tr
        try:
            offer = await self._consent.reopen(button.invitation_id, button.token, who.account)
        except InvitationGone:
            return say(tr.message("join.invalid"))
        service = offer.structure or tr.message("consent.details_service_default")
        told = say(tr.message("consent.details_who", service=service))
        for topic in ("what", "shared", "rights"):
            told += say(tr.message(f"consent.details_{topic}"))
        return told + self._question(offer.invitation_id, offer.token)
