"""/mes_donnees and /effacer as replies: the person's data to read; a clear confirmation
first, then everything erased, or kept."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.actions import RightsButton
from bot.domain import Person
from bot.i18n import Translator
from bot.replies import ClosePressed, DocumentAttachment, Notice, Reply, reply, say
from bot.usecases.rights import Export, Rights


class RightsReplies:
    """The person's rights to read all of their data, and to have it all erased."""

    def __init__(self, rights: Rights, timezone: ZoneInfo) -> None:
        self._rights = rights
        self._tz = timezone

    async def export(self, person: Person, tr: Translator) -> tuple[Export, Reply]:
        """/mes_donnees: the export, and the reply: a few words, then the file to read. The
        archive follows from the transport, which holds the recordings (and their files)."""
        export = await self._rights.export(person, tr, self._tz)
        name = tr.message("rights.export_filename")
        text = DocumentAttachment(export.text.encode("utf-8"), f"{name}.txt")
        return export, say(tr.message("rights.export_intro")) + reply(text)

    def ask_erase(self, person: Person, tr: Translator) -> Reply:
        """/effacer: the question, its "erase" button bound to a token issued now."""
        token = self._rights.erase_token(person)
        return say(
            tr.message("rights.erase_question"),
            [
                [(tr.message("rights.erase_yes"), RightsButton("erase", token))],
                [(tr.message("rights.erase_no"), RightsButton("keep"))],
            ],
        )

    async def pressed(
        self, person: Person, button: RightsButton, chosen: str | None, tr: Translator
    ) -> Reply:
        """Erase everything, or keep it; a confirmation we did not issue asks again."""
        closed = reply(Notice(), ClosePressed(chosen))
        if button.action != "erase":
            return closed + say(tr.message("rights.kept"))
        if not self._rights.erase_confirmed(person, button.token):
            # Not the confirmation we issued (forged, or too old): ask again, erase nothing.
            return closed + self.ask_erase(person, tr)
        await self._rights.erase(person)
        return closed + say(tr.message("rights.erased"))
