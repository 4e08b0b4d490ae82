"""/mes_donnees as a reply, without any transport: a few words, then the file to read, which
holds the export itself (the archive with recordings is the transport's)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.config import Settings
from bot.replies import DocumentAttachment, Message
from tests.clock import ManualClock
from tests.unit.actors import a_person, a_worker, finishes, opened

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def test_the_export_reply_is_a_few_words_then_the_file_to_read(settings: Settings) -> None:
    async with opened(settings, ManualClock(NOW)) as services:
        tr = services.catalogs.translator()
        sophie = await a_worker(services, "Sophie", "telegram:101")
        amina = await a_person(services, sophie, "telegram:201")
        await finishes(services, amina, "probleme")

        export, told = await services.conversations.rights.export(amina, tr)

        intro, document = told.parts
        assert intro == Message(tr.message("rights.export_intro"))
        assert isinstance(document, DocumentAttachment)
        assert document.file_name == f"{tr.message('rights.export_filename')}.txt"
        assert document.data.decode("utf-8") == export.text
        assert "Avec mes mots" in export.text  # her own answers
