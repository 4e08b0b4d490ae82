"""The French texts: all in dialogs/, all used keys defined, short enough to read on a phone."""

from __future__ import annotations

import ast
import re
import statistics
from pathlib import Path

from bot.engine import load_dialogues, load_ui_texts
from bot.i18n_extract import extract_dialogs

ROOT = Path(__file__).resolve().parents[2]
DIALOGS = ROOT / "dialogs"
KEY_USE = re.compile(r'(?:message|ui_text)\(\s*"([a-z_]+\.[a-z_0-9]+)"')
FRENCH_MARKS = re.compile(r"[àâçéèêëîïôûùœÀÂÇÉÈÊÎÔÛ]")


def _python_files() -> list[Path]:
    return sorted((ROOT / "bot").rglob("*.py"))


def _all_texts() -> list[str]:
    texts = []
    for path in sorted(DIALOGS.rglob("*.yaml")):
        with path.open("rb") as handle:
            texts += [message for _, _, message, _ in extract_dialogs(handle, {}, [], {})]
    return texts


def test_no_french_literal_in_python_code() -> None:
    offenders = []
    for path in _python_files():
        tree = ast.parse(path.read_text("utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and FRENCH_MARKS.search(node.value)
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert not offenders, "French text belongs in dialogs/:\n" + "\n".join(offenders)


def test_every_ui_key_used_in_code_exists() -> None:
    keys = load_ui_texts(DIALOGS)
    used = set()
    for path in _python_files():
        used |= set(KEY_USE.findall(path.read_text("utf-8")))
    missing = sorted(used - set(keys))
    assert not missing, f"UI texts used but not defined in dialogs/ui/: {missing}"
    for status in ("new", "in_progress", "done"):
        assert f"bot.menu_{status}" in keys


def test_extractor_sees_every_dialogue_text() -> None:
    texts = set(_all_texts())
    for dialogue in load_dialogues(DIALOGS).values():
        assert dialogue.title in texts
        for step in dialogue.steps:
            if getattr(step, "text", None):
                assert step.text in texts, step.id
    assert load_ui_texts(DIALOGS)["bot.help"] in texts


def _sentences(text: str) -> list[str]:
    # A numbers list (/urgence) is lines, not sentences: split on line breaks too.
    parts = re.split(r"[.!?:\n]+", re.sub(r"\{[a-z_0-9]+\}", "X", text))
    return [part for part in parts if part.strip()]


def test_messages_are_short_enough_for_a_phone() -> None:
    long_ones = [t for t in _all_texts() if len(t.split()) > 60]
    assert not long_ones, long_ones
    lengths = [len(s.split()) for text in _all_texts() for s in _sentences(text)]
    assert statistics.median(lengths) <= 12
