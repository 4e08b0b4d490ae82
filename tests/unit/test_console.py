"""The terminal has what Telegram has: /convenu as the person reads it, /mes_donnees written
to private files, /effacer with the same confirmation."""

from __future__ import annotations

import io
import stat
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings
from bot.console import Console
from bot.domain import AgreementStep
from bot.i18n import ui_text
from bot.services import Services
from bot.usecases.persons import console_account
from tests.clock import ManualClock
from tests.unit.actors import a_person, a_worker, finishes, opened

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
NAME = "a001"  # the terminal's account name; its last digits make a chat id for the actors


async def typed(services: Services, lines: list[str], folder: Path) -> str:
    out = io.StringIO()
    given = io.StringIO("\n".join([*lines, "/quitter"]) + "\n")
    await Console(services, NAME, given, out, folder).run()
    return out.getvalue()


async def test_convenu_shows_every_round_as_the_person_reads_it(
    any_settings: Settings, tmp_path: Path
) -> None:
    async with opened(any_settings, ManualClock(NOW)) as services:
        sophie = await a_worker(services, "Sophie", "telegram:100")
        amina = await a_person(services, sophie, console_account(NAME))
        step = AgreementStep("Appeler le bailleur", "Sophie", "vendredi")
        await services.agreements.propose(sophie, amina.id, "Le loyer", [step])
        printed = await typed(services, ["/convenu"], tmp_path)
    assert ui_text("agreement.history_header") in printed
    assert "Appeler le bailleur — Sophie — vendredi" in printed


async def test_convenu_without_any_agreement_says_so(
    any_settings: Settings, tmp_path: Path
) -> None:
    async with opened(any_settings, ManualClock(NOW)) as services:
        printed = await typed(services, ["/convenu"], tmp_path)
    assert ui_text("agreement.none") in printed


async def test_mes_donnees_writes_the_export_to_files_only_their_owner_reads(
    any_settings: Settings, tmp_path: Path
) -> None:
    async with opened(any_settings, ManualClock(NOW)) as services:
        sophie = await a_worker(services, "Sophie", "telegram:100")
        amina = await a_person(services, sophie, console_account(NAME))
        await finishes(services, amina, "probleme")
        export = await services.rights.export(
            amina, services.catalogs.translator(), services.settings.timezone
        )
        printed = await typed(services, ["/mes_donnees"], tmp_path)
    written = sorted(tmp_path.glob(f"{ui_text('rights.export_filename')}-*"))
    assert [path.suffix for path in written] == [".txt", ".zip"]
    assert ui_text("console.export_written").split("\n")[0] in printed
    for path in written:
        assert str(path) in printed
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert written[0].read_text("utf-8") == export.text
    with zipfile.ZipFile(written[1]) as archive:
        assert archive.namelist()


async def test_effacer_asks_first_then_erases_everything(
    any_settings: Settings, tmp_path: Path
) -> None:
    async with opened(any_settings, ManualClock(NOW)) as services:
        sophie = await a_worker(services, "Sophie", "telegram:100")
        amina = await a_person(services, sophie, console_account(NAME))
        await finishes(services, amina, "probleme")
        kept = await typed(services, ["/effacer", "peut-être", "2"], tmp_path)
        assert await services.storage.get_person(amina.id) is not None
        erased = await typed(services, ["/effacer", "1"], tmp_path)
        assert await services.storage.get_person(amina.id) is None
    assert ui_text("rights.erase_question").split("\n")[0] in kept
    assert ui_text("console.erase_choices") in kept and ui_text("rights.kept") in kept
    assert ui_text("rights.erased").split("\n")[0] in erased


async def test_reglages_pause_and_langue_change_what_telegram_changes(
    any_settings: Settings, tmp_path: Path
) -> None:
    async with opened(any_settings, ManualClock(NOW)) as services:
        sophie = await a_worker(services, "Sophie", "telegram:100")
        amina = await a_person(services, sophie, console_account(NAME))
        evening_18 = ui_text("settings.evening").format(hour=18)
        printed = await typed(
            services,
            ["/reglages", evening_18, "/reglages", ui_text("settings.other_morning"), "7h45"],
            tmp_path,
        )
        chosen = await services.storage.get_person(amina.id)
        assert chosen is not None
        assert (chosen.quiet_from, chosen.quiet_from_minute) == (18, 0)
        assert (chosen.quiet_until, chosen.quiet_until_minute) == (7, 45)
        assert ui_text("settings.ask_morning").split("\n")[0] in printed

        await typed(services, ["/pause"], tmp_path)
        paused = await services.storage.get_person(amina.id)
        assert paused is not None and paused.paused
        await typed(services, ["/reprendre", "/langue", ui_text("bot.language_en")], tmp_path)
        resumed = await services.storage.get_person(amina.id)
        assert resumed is not None and not resumed.paused and resumed.language == "en"
