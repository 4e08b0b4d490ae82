"""The `equipage` command: clear sentences instead of tracebacks, and the terminal dialogues."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.i18n import ui_text
from tests.e2e.helpers import asked, title

ROOT = Path(__file__).resolve().parents[2]
# The buttons' labels, as the catalogue words them: the terminal takes a label as a press.
LABELS = ("engine.done", "engine.skip", "engine.recap_yes", "engine.yes", "engine.no")
DONE, SKIP, RECAP_YES, YES, NO = (ui_text(key) for key in LABELS)

# Answers for the three dialogues, as someone would type them (numbers pick buttons).
PROBLEME = [
    "1",
    "Je n'ai plus de logement <b>&</b> {0}",
    "Logement",
    "1",
    DONE,
    "Un endroit à moi",
    SKIP,
    "3",
    "Ma sœur",
    "8",
    "Logement",
    RECAP_YES,
]
IDEES = [
    "2",
    "J'ai appelé la CAF",
    "Demander un rendez-vous",
    SKIP,
    "Ma voisine",
    NO,
    "1",
    "5",
    "Un plus petit pas",
    "Mardi",
    RECAP_YES,
    YES,
]
FORCES = ["3", *(["6", SKIP] * 8), "Cuisiner", "J'ai demandé", "Mon frère", RECAP_YES]


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("EQUIPAGE_DIALOGS", str(ROOT / "dialogs"))
    monkeypatch.setenv("EQUIPAGE_DATABASE", str(tmp_path / "data" / "db.sqlite3"))
    monkeypatch.setenv("EQUIPAGE_DATA_KEY", base64.urlsafe_b64encode(os.urandom(32)).decode())
    return tmp_path


def test_run_without_a_token_says_how_to_get_one(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run"]) == 2
    error = capsys.readouterr().err
    assert "BotFather" in error and "TELEGRAM_BOT_TOKEN" in error and "equipage chat" in error
    assert "Traceback" not in error and error.count("\n") == 1


def test_a_bad_setting_is_one_sentence(
    environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EQUIPAGE_DATA_KEY", "trop-courte")
    assert main(["run"]) == 2
    assert "EQUIPAGE_DATA_KEY doit contenir 32 octets" in capsys.readouterr().err


def test_a_broken_dialogue_file_names_the_file_and_step(
    environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = environment / "dialogs"
    (broken / "ui").mkdir(parents=True)
    for source in (ROOT / "dialogs" / "ui").glob("*.yaml"):
        (broken / "ui" / source.name).write_text(source.read_text("utf-8"), "utf-8")
    (broken / "safety").mkdir()
    for source in (ROOT / "dialogs" / "safety").glob("*.yaml"):
        (broken / "safety" / source.name).write_text(source.read_text("utf-8"), "utf-8")
    text = (ROOT / "dialogs" / "probleme.yaml").read_text("utf-8")
    (broken / "probleme.yaml").write_text(text.replace("goto: tenir", "goto: nulle_part"), "utf-8")
    monkeypatch.setenv("EQUIPAGE_DIALOGS", str(broken))
    assert main(["chat"]) == 2
    error = capsys.readouterr().err
    assert "probleme.yaml" in error and "nulle_part" in error


def test_chat_walks_the_three_dialogues_from_piped_answers(environment: Path) -> None:
    out = _chat([*PROBLEME, *IDEES, *FORCES, "/quitter"])
    assert out.count(ui_text("bot.menu")) >= 4, out
    assert "Je n'ai plus de logement <b>&</b> {0}" in out  # the recap, verbatim
    for dialogue_id in ("probleme", "idees", "forces"):
        assert f"{title(dialogue_id)} ✔" in out
    assert ui_text("engine.not_understood") not in out, out


def _chat(answers: list[str]) -> str:
    finished = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input="\n".join(answers) + "\n",
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ),
        timeout=60,
    )
    return finished.stdout


def test_chat_resumes_where_the_last_session_stopped(environment: Path) -> None:
    _chat(PROBLEME[:3])
    resumed = _chat([])
    assert asked("probleme", "concernes") in resumed.split(ui_text("bot.menu"))[0]


def test_rotate_key_replaces_the_key_file_and_the_data_stays_readable(
    environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("EQUIPAGE_DATA_KEY")
    _chat(PROBLEME[:3])
    key_file = environment / "data" / "equipage.key"
    before = key_file.read_text("ascii")
    assert main(["admin", "rotate-key"]) == 0
    assert "rechiffré" in capsys.readouterr().out
    after = key_file.read_text("ascii")
    assert after != before and len(after.split()) == 1
    kept = list(key_file.parent.glob("equipage.key.avant-*"))
    assert len(kept) == 1 and kept[0].read_text("ascii") == before
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert "C'est un problème pour qui ?" in _chat([])


def test_purge_dry_run_erases_nothing(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _chat(PROBLEME[:3])
    assert main(["admin", "purge", "--dry-run"]) == 0
    assert ui_text("cli.purge_dry_run", count=0, days=730) in capsys.readouterr().out


def test_rotate_key_refuses_while_a_bot_runs_on_the_same_data(
    environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.storage.lock import DataLock

    monkeypatch.delenv("EQUIPAGE_DATA_KEY")
    _chat(PROBLEME[:3])
    key_file = environment / "data" / "equipage.key"
    before = key_file.read_text("ascii")
    running = DataLock(environment / "data" / "db.sqlite3")
    assert running.acquire()
    try:
        assert main(["admin", "rotate-key"]) == 1
        assert "Arrêtez d'abord le bot" in capsys.readouterr().out
        assert key_file.read_text("ascii") == before
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:token")
        assert main(["run"]) == 2  # and a second bot on the same data refuses to start
        assert "Un autre bot Équipage utilise déjà ces données" in capsys.readouterr().err
    finally:
        running.release()


def _exits(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    printed = capsys.readouterr()
    return int(stopped.value.code or 0), printed.out, printed.err


def test_help_usage_and_errors_are_french(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _exits(["--help"], capsys)
    assert code == 0
    assert out.startswith(ui_text("cli.argparse_usage")) and ui_text("cli.argparse_help") in out
    assert "usage:" not in out and "show this help" not in out

    code, out, _ = _exits(["admin", "invite-worker", "--help"], capsys)
    assert "--nom" in out and "--name" not in out

    code, _, err = _exits(["admin", "invite-worker"], capsys)
    assert code == 2
    assert ui_text("cli.argparse_required") % "--nom" in err and "--name" not in err
    assert "error:" not in err and "required" not in err

    code, _, err = _exits(["admin", "audit", "--personne", "abc"], capsys)
    assert code == 2 and ui_text("cli.argparse_invalid_value") % {"value": "abc"} in err

    code, _, err = _exits(["admin", "nimporte"], capsys)
    assert code == 2 and "invalid choice" not in err


def test_version(environment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    code, out, _ = _exits(["--version"], capsys)
    assert code == 0 and out.strip() == ui_text("cli.version", version=version("equipage"))


def test_old_english_option_names_still_work_for_one_release(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["admin", "purge", "--dry-run"]) == 0
    assert main(["admin", "audit", "--person", "1"]) == 1
    assert ui_text("cli.unknown_person") in capsys.readouterr().out


def test_stats_leave_out_terminal_trials(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _chat([*PROBLEME, "/quitter"])
    assert main(["admin", "stats"]) == 0
    assert ui_text("cli.stats_none") in capsys.readouterr().out


def test_doctor_shows_the_key_file_mode_as_chmod_does(
    environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("EQUIPAGE_DATA_KEY")
    _chat(PROBLEME[:3])
    main(["doctor"])
    out = capsys.readouterr().out
    assert "600" in out and "0o600" not in out


def test_schedule_lists_what_is_planned_for_a_person(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.i18n import ui_text

    assert main(["admin", "schedule", "--personne", "1"]) == 0
    assert capsys.readouterr().out == ui_text("cli.schedule_none") + "\n"
    _chat(IDEES)  # a first step, with "Oui" to the reminder
    capsys.readouterr()
    assert main(["admin", "schedule", "--personne", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    planned = ui_text("cli.schedule_pending")
    kinds = [line.split(" : ", 1)[1] for line in lines]
    # The step's reminder comes before its check-in, both still to come.
    assert kinds == [f"step, {planned}", f"checkin_step, {planned}"], lines


def test_chat_reads_several_numbers_as_several_ticks_and_goes_back(environment: Path) -> None:
    """ "1 2" or "1,2" on a multiple choice ticks both; /retour goes back one question."""
    out = _chat([*PROBLEME[:3], "1 2", "Valider", "/retour", "/quitter"])
    mark = ui_text("engine.selected", label="").strip()
    before_valider = out.split("Imaginez que ça va mieux")[0]
    last_shown = before_valider.split("C'est un problème pour qui ?")[-1]
    # Both ticked in the question shown again; nothing taken as the words of "Autre".
    assert last_shown.count(mark) == 2, out
    assert "Je n'ai pas compris" not in out, out
    # Back from the next question to this one, both still ticked.
    after_back = out.split("Imaginez que ça va mieux")[-1]
    assert "C'est un problème pour qui ?" in after_back and after_back.count(mark) == 2, out
