"""`equipage` with a lost or wrong key: one clear French sentence, and no new key written."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.i18n import ui_text
from tests.unit.test_cli import PROBLEME

ROOT = Path(__file__).resolve().parents[2]


def _chat(
    tmp_path: Path, answers: list[str], environ: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input="\n".join(answers) + "\n",
        capture_output=True,
        text=True,
        env=environ,
        cwd=tmp_path,
        timeout=60,
    )


@pytest.fixture
def environ(tmp_path: Path) -> dict[str, str]:
    found = {k: v for k, v in os.environ.items() if not k.startswith(("EQUIPAGE_", "TELEGRAM_"))}
    found["EQUIPAGE_DIALOGS"] = str(ROOT / "dialogs")
    found["EQUIPAGE_LOCALES"] = str(ROOT / "locales")
    found["EQUIPAGE_DATABASE"] = str(tmp_path / "data" / "db.sqlite3")
    return found


def test_a_lost_key_file_is_refused_in_one_sentence(
    tmp_path: Path, environ: dict[str, str]
) -> None:
    assert _chat(tmp_path, PROBLEME[:3], environ).returncode == 0
    key_file = tmp_path / "data" / "equipage.key"
    key_file.unlink()
    refused = _chat(tmp_path, [], environ)
    assert refused.returncode == 2
    assert refused.stderr.strip() == ui_text("config.key_file_missing", path=str(key_file))
    assert not key_file.exists()


def test_a_wrong_key_is_refused_in_one_sentence(tmp_path: Path, environ: dict[str, str]) -> None:
    assert _chat(tmp_path, PROBLEME[:3], environ).returncode == 0
    (tmp_path / "data" / "equipage.key").unlink()
    environ["EQUIPAGE_DATA_KEY"] = base64.urlsafe_b64encode(os.urandom(32)).decode()
    refused = _chat(tmp_path, [], environ)
    assert refused.returncode == 2
    assert refused.stderr.strip() == ui_text("cli.key_wrong")
