"""Invitations issued from a chat as replies, without any transport: the link and its QR
code with the caption naming who it is for; refused kindly past the limit; /inviter_intervenant
only for admins, with a name."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.config import Settings
from bot.replies import Message, PictureAttachment, Reply
from bot.usecases.invitations import MAX_OPEN_PER_WORKER
from tests.clock import ManualClock
from tests.unit.actors import a_worker, opened

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def picture(reply: Reply) -> PictureAttachment:
    [part] = reply.parts
    assert isinstance(part, PictureAttachment)
    return part


async def test_a_worker_invites_a_person_until_the_limit(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        tr = services.catalogs.translator()
        sophie = await a_worker(services, "Sophie", "telegram:101")
        invitations = services.invitation_replies

        named = picture(await invitations.invite_person(sophie, "Amina", "equipage_bot", tr))

        assert named.data.startswith(b"\x89PNG") and named.name == "invitation"
        [link] = [word for word in (named.caption or "").split() if "?start=" in word]
        assert link.startswith("https://t.me/equipage_bot?start=")
        invitation = await services.invitations.check("telegram:201", link.split("=")[1])
        assert invitation is not None and invitation.pseudonym == "Amina"
        date = tr.day(invitation.expires_at, services.settings.timezone)
        assert named.caption == tr.message(
            "worker.invite_caption", pseudonym="Amina", date=date, link=link
        )
        for _ in range(MAX_OPEN_PER_WORKER - 1):
            await services.invitations.invite_person(sophie, None)  # no picture: quicker
        too_many = await invitations.invite_person(sophie, None, "equipage_bot", tr)
        assert too_many.parts == (Message(tr.message("worker.too_many")),)


async def test_only_an_admin_invites_a_worker_and_names_them(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        tr = services.catalogs.translator()
        invitations = services.invitation_replies

        refused = await invitations.invite_worker(False, "Karim", "equipage_bot", tr)
        usage = await invitations.invite_worker(True, "  ", "equipage_bot", tr)
        issued = picture(await invitations.invite_worker(True, "Karim D.", "equipage_bot", tr))

        assert refused.parts == (Message(tr.message("bot.unknown_command")),)
        assert usage.parts == (Message(tr.message("worker.admin_invite_usage")),)
        assert issued.caption is not None and "Karim D." in issued.caption
