"""/mes_donnees and /effacer in the terminal: the export written to files only the user
of this computer may read, and the same confirmation as in Telegram before erasing."""

from __future__ import annotations

import os
from pathlib import Path

from bot.console_output import ConsoleOutput, choice_typed
from bot.domain import Person
from bot.engine import Button
from bot.i18n import Translator
from bot.services import Services
from bot.usecases.export_archive import export_archive

ERASE, KEEP = "erase", "keep"


def _write_private(path: Path, data: bytes) -> None:
    """A new file readable by its owner only: the export holds the person's own words."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


class ConsoleRights:
    """The person's data: all of it to read, or all of it erased."""

    def __init__(self, services: Services, folder: Path, out: ConsoleOutput) -> None:
        self._services = services
        self._folder = folder
        self._out = out
        self._erase_token: str | None = None  # the confirmation asked, awaiting an answer

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

    def ask_erase(self, person: Person, tr: Translator) -> None:
        """/effacer: the question first, as in Telegram."""
        self._erase_token = self._services.rights.erase_token(person)
        self._out.say(tr.message("rights.erase_question"))
        self._out.numbered(choice.label for choice in self._choices(tr))

    def close(self) -> None:
        """Another command came: the question is no longer open."""
        self._erase_token = None

    async def takes(self, person: Person, line: str, tr: Translator) -> bool:
        """Whether the line answered the erase question."""
        if self._erase_token is None:
            return False
        chosen = choice_typed(line, self._choices(tr))
        if chosen is None:
            self._out.say(tr.message("console.erase_choices"))
            return True
        token, self._erase_token = self._erase_token, None
        rights = self._services.rights
        if chosen.value == ERASE and rights.erase_confirmed(person, token):
            await rights.erase(person)
            self._out.say(tr.message("rights.erased"))
        else:
            self._out.say(tr.message("rights.kept"))
        return True

    @staticmethod
    def _choices(tr: Translator) -> list[Button]:
        return [
            Button(tr.message("rights.erase_yes"), ERASE),
            Button(tr.message("rights.erase_no"), KEEP),
        ]
