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


def _texts_by_file() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(DIALOGS.rglob("*.yaml")):
        with path.open("rb") as handle:
            texts = [message for _, _, message, _ in extract_dialogs(handle, {}, [], {})]
        if texts:
            found[str(path.relative_to(DIALOGS))] = texts
    return found


def test_messages_are_short_enough_for_a_phone() -> None:
    long_ones = [t for t in _all_texts() if len(t.split()) > 60]
    assert not long_ones, long_ones
    lengths = [len(s.split()) for text in _all_texts() for s in _sentences(text)]
    assert statistics.median(lengths) <= 12


def test_every_text_file_keeps_to_plain_french_limits() -> None:
    """STYLE/METHOD, per file: one question per message, no message over 60 words, and a
    median sentence of at most 12 words — so one file cannot hide behind the others."""
    for name, texts in _texts_by_file().items():
        two_questions = [text for text in texts if text.count("?") > 1]
        assert not two_questions, f"{name}: one question per message: {two_questions}"
        too_long = [text for text in texts if len(text.split()) > 60]
        assert not too_long, f"{name}: over 60 words: {too_long}"
        lengths = [len(part.split()) for text in texts for part in _sentences(text)]
        assert statistics.median(lengths) <= 12, f"{name}: median sentence over 12 words"


def test_no_plural_written_with_parentheses() -> None:
    """ "semaine(s)" reads like a form: a plural is written out, or the count is put last."""
    offenders = [text for text in _all_texts() if re.search(r"\w\(s\)", text)]
    assert not offenders, offenders
