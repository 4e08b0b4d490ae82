"""A service rewords dialogs/: the journeys must not notice.

Every text a service may edit (the bot's own messages in dialogs/ui/, and the titles,
questions, options and recaps of the three dialogues) is rewritten here in capitals, which
keeps no fragment of the shipped wording; then a whole journey runs against the rewritten
copy, reading what it expects from that copy as every end-to-end test does. A test that
typed a French fragment (or a code path that hard-coded one) fails here.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from bot import i18n
from bot.config import Settings
from bot.engine import load_dialogues, load_ui_texts
from bot.engine.strict_yaml import read_yaml
from bot.i18n import Catalogs, ui_text
from tests.conftest import ROOT, running_bot
from tests.e2e import helpers
from tests.e2e.helpers import (
    choose_a_first_step,
    eventually,
    expect,
    finish_forces,
    finish_probleme,
    person_joins,
    services_of,
    ui_start,
    worker_joins,
)
from tests.fakegram import FakeTelegram

# Texts a service edits. Date patterns, and what operators or developers read (command line,
# doctor, loader errors, configuration), are not part of a journey.
NOT_REWORDED = ("format.", "cli.", "doctor.", "loader.", "config.")
# The keys of a dialogue file whose values are words the person reads.
WORDED_KEYS = {"title", "intro", "outro", "text", "label", "again", "low", "high"}
_PLACEHOLDER = re.compile(r"(\{[^{}]*\})")


def shout(text: str) -> str:
    """The same text in capitals, its {placeholders} untouched."""
    return "".join(
        part if _PLACEHOLDER.fullmatch(part) else part.upper() for part in _PLACEHOLDER.split(text)
    )


def _shout_words(node: object) -> object:
    if isinstance(node, dict):
        return {
            key: shout(value)
            if key in WORDED_KEYS and isinstance(value, str)
            else _shout_words(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_shout_words(item) for item in node]
    return node


def _write(path: Path, data: object) -> None:
    # Read back by the bot's own strict loader: strings that look like booleans are quoted.
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def reworded_copy(target: Path) -> Path:
    """dialogs/ copied to `target`, every line a service may edit reworded."""
    shutil.copytree(ROOT / "dialogs", target)
    for path in sorted((target / "ui").glob("*.yaml")):
        texts = read_yaml(path) or {}
        stem = path.stem
        changed = {
            key: value if f"{stem}.{key}".startswith(NOT_REWORDED) else shout(value)
            for key, value in texts.items()
        }
        path.write_text(
            yaml.safe_dump(changed, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    for path in sorted(target.glob("*.yaml")):
        dialogue = read_yaml(path)
        reworded = _shout_words(dialogue)
        path.write_text(
            yaml.safe_dump(reworded, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return target


@pytest.fixture
def reworded(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """Settings on a reworded dialogs/ folder; the tests' helpers read that folder too."""
    folder = reworded_copy(tmp_path / "dialogs")
    catalogs = Catalogs.load(folder, ROOT / "locales")
    monkeypatch.setattr(helpers, "DIALOGUES", load_dialogues(folder))
    monkeypatch.setattr(helpers, "UI_TEXTS", load_ui_texts(folder))
    monkeypatch.setattr(helpers, "FRENCH", catalogs.translator("fr"))
    monkeypatch.setattr(i18n, "_default_catalogs", lambda: catalogs)
    yield replace(settings, dialogs_dir=folder)


def test_the_reworded_copy_keeps_no_shipped_wording(tmp_path: Path) -> None:
    """The check is worth something only if the copy really says everything differently."""
    folder = reworded_copy(tmp_path / "dialogs")
    shipped, copied = load_ui_texts(ROOT / "dialogs"), load_ui_texts(folder)
    edited = [key for key in shipped if not key.startswith(NOT_REWORDED)]
    assert len(edited) > 200

    def worded(text: str) -> bool:
        return bool(re.search(r"[a-zà-ÿ]{2,}", _PLACEHOLDER.sub("", text)))

    assert not [key for key in edited if worded(copied[key])]
    for dialogue in load_dialogues(folder).values():
        texts = [dialogue.title, dialogue.intro, dialogue.outro]
        texts += [text for step in dialogue.steps for text in (step.text, step.label)]
        texts += [option.label for step in dialogue.steps for option in step.options]
        assert not [text for text in texts if worded(text)], dialogue.id


async def test_a_whole_journey_runs_on_reworded_dialogues(
    fake_telegram: FakeTelegram, reworded: Settings
) -> None:
    async with running_bot(reworded) as app:
        severine, _ = await worker_joins(fake_telegram, app)
        amina = await person_joins(fake_telegram, app, "Amina", worker_user=severine)
        await severine.next_message()  # "Une personne a rejoint…"
        await finish_probleme(amina, "Je dors chez ma sœur")
        await choose_a_first_step(amina, "jeudi 10h")
        # The last words, when the reminder comes and the menu: one message.
        told = await expect(amina, ui_start("reminder.step_when"))
        assert ui_start("bot.menu") in told.text
        await finish_forces(amina, 6)

        await amina.send("/preparer")
        await expect(amina, ui_start("summary.topics_question"))
        await amina.send("Le loyer")
        await expect(amina, ui_start("summary.preview_header"))
        control = await eventually(fake_telegram, amina, helpers.ui_piece("summary.control"))
        await amina.click(ui_text("summary.send"), message=control)
        await eventually(fake_telegram, amina, ui_start("summary.sent"))
        await eventually(fake_telegram, amina, ui_text("summary.delivered", worker="Séverine D."))
        summary = await fake_telegram.wait_for(
            lambda: next((m for m in severine.messages if m.button_labels), None)
        )
        await severine.click(ui_text("worker.ack"), message=summary)
        await eventually(
            fake_telegram, amina, ui_text("summary.acknowledged", worker="Séverine D.")
        )

        await amina.send("/urgence")
        await eventually(fake_telegram, amina, ui_start("bot.emergency"))
        stored = await services_of(app).storage.sent_summaries(
            (await services_of(app).storage.all_persons())[0].id
        )
        assert [s.status for s in stored] == ["acknowledged"]
