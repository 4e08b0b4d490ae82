"""/inviter and /inviter_intervenant as replies: a single-use link and its QR code, to show
during an appointment (the transport gives the bot's name the link opens)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain import Worker
from bot.i18n import Translator
from bot.pictures.qr import qr_png
from bot.replies import PictureAttachment, Reply, reply, say
from bot.usecases.invitations import (
    Invitations,
    NotAllowed,
    TooManyOpenInvitations,
    invitation_link,
)

# Longest worker name kept from /inviter_intervenant's words.
NAME_LIMIT = 80


class InvitationReplies:
    """Invitations issued from a chat: a person's by their worker, a worker's by an admin."""

    def __init__(self, invitations: Invitations, timezone: ZoneInfo) -> None:
        self._invitations = invitations
        self._tz = timezone

    async def invite_person(
        self, worker: Worker, pseudonym: str | None, bot_username: str, tr: Translator
    ) -> Reply:
        """/inviter [prénom]: the link and its QR code; refused kindly past the limit of
        open invitations, or for a worker whose access closed."""
        try:
            issued = await self._invitations.invite_person(worker, pseudonym)
        except TooManyOpenInvitations:
            return say(tr.message("worker.too_many"))
        except NotAllowed:
            return say(tr.message("worker.not_allowed"))
        link = invitation_link(bot_username, issued.code)
        date = tr.day(issued.invitation.expires_at, self._tz)
        named = issued.invitation.pseudonym
        if named:
            caption = tr.message("worker.invite_caption", pseudonym=named, date=date, link=link)
        else:
            caption = tr.message("worker.invite_caption_anonymous", date=date, link=link)
        return _qr(link, caption)

    async def invite_worker(
        self, is_admin: bool, name: str, bot_username: str, tr: Translator
    ) -> Reply:
        """/inviter_intervenant Nom (admins only; to anyone else, a command we do not know):
        a new worker and their link."""
        if not is_admin:
            return say(tr.message("bot.unknown_command"))
        name = name.strip()
        if not name:
            return say(tr.message("worker.admin_invite_usage"))
        worker, issued = await self._invitations.invite_worker(name[:NAME_LIMIT], None)
        link = invitation_link(bot_username, issued.code)
        date = tr.day(issued.invitation.expires_at, self._tz)
        caption = tr.message("worker.admin_invite_caption", name=worker.name, date=date, link=link)
        return _qr(link, caption)


def _qr(link: str, caption: str) -> Reply:
    return reply(PictureAttachment(qr_png(link), "invitation", caption))
