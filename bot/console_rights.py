"""/mes_donnees in the terminal: the export written to files only the user of this computer
may read (/effacer is the conversation use case's, as in Telegram)."""

from __future__ import annotations

import os
from pathlib import Path

from bot.console_output import ConsoleOutput
from bot.domain import Person
from bot.i18n import Translator
from bot.services import Services
from bot.usecases.export_archive import export_archive


def _write_private(path: Path, data: bytes) -> None:
    """A new file readable by its owner only: the export holds the person's own words."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


class ConsoleRights:
    """The person's data, all of it, to read."""

    def __init__(self, services: Services, folder: Path, out: ConsoleOutput) -> None:
        self._services = services
        self._folder = folder
        self._out = out

    async def export(self, person: Person, tr: Translator) -> None:
        """/mes_donnees: a file to read, and the archive (voice notes stay in Telegram)."""
        export = await self._services.rights.export(person, tr, self._services.settings.timezone)
        stamp = self._services.clock.now().astimezone(self._services.settings.timezone)
        name = f"{tr.message('rights.export_filename')}-{stamp:%Y%m%d-%H%M%S}"
        text, archive = self._folder / f"{name}.txt", self._folder / f"{name}.zip"
        _write_private(text, export.text.encode("utf-8"))
        _write_private(archive, export_archive(export, {}, name))
        files = "\n".join(f"  {path}" for path in (text, archive))
        self._out.say(tr.message("console.export_written", files=files))
