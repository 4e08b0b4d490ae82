"""The gettext catalogues: in step with dialogs/, complete, and safe to format."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from bot.i18n import Catalogs

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
PLACEHOLDER = re.compile(r"\{[a-z_0-9]*\}")


def _ids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {str(message.id) for message in read_po(handle) if message.id}


def test_template_is_in_step_with_the_texts(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    command = ["extract", "-F", "babel.cfg", "--no-location", "-o", str(fresh), "."]
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", *command],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    assert _ids(fresh) == _ids(LOCALES / "messages.pot"), "run `make catalogs`"


def test_every_language_has_every_text_and_english_is_translated() -> None:
    template = _ids(LOCALES / "messages.pot")
    for language in ("fr", "en"):
        assert _ids(LOCALES / language / "LC_MESSAGES" / "messages.po") == template, language
    with (LOCALES / "en" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        assert message.string, f"untranslated: {message.id!r}"
        assert not message.fuzzy, f"fuzzy: {message.id!r}"
        source, target = str(message.id), str(message.string)
        assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(target)), source


def test_catalogues_compile_at_start_up() -> None:
    catalogs = Catalogs.load(ROOT / "dialogs", LOCALES)
    assert catalogs.languages == ("fr", "en")
    assert catalogs.translator("en").message("bot.cancel_nothing") != catalogs.translator(
        "fr"
    ).message("bot.cancel_nothing")
