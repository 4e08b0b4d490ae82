"""The distress reader measured on labelled sentences written the way people write.

The corpus (tests/safety_corpus/*.tsv) was written apart from the lists in dialogs/safety/,
without looking at them. Run `pytest -s tests/unit/test_safety_corpus.py` for the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.usecases.distress import DistressReader
from bot.usecases.distress_lists import load_reader

ROOT = Path(__file__).resolve().parents[2]
READER = load_reader(ROOT / "dialogs")
CORPUS = ROOT / "tests" / "safety_corpus"
LEVELS = ("life", "violence", "child", "shelter", "general")
MIN_RECALL = 0.95
MAX_FALSE_ALARMS = 0.02


@dataclass
class Figures:
    """Counts over one language's corpus."""

    distress: int = 0
    detected: int = 0
    everyday: int = 0
    alarms: int = 0
    by_level: dict[str, list[int]] = field(default_factory=dict)  # level: [total, found, right]
    alarms_by_level: dict[str, int] = field(default_factory=dict)  # level shown on everyday
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    wrong_level: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.detected / self.distress

    @property
    def false_alarm_rate(self) -> float:
        return self.alarms / self.everyday

    def report(self, language: str) -> str:
        lines = [
            f"[{language}] distress {self.detected}/{self.distress} found"
            f" (recall {self.recall:.3f}); everyday {self.alarms}/{self.everyday} alarms"
            f" ({self.false_alarm_rate:.1%})"
        ]
        for level in LEVELS:
            if level in self.by_level:
                total, found, right = self.by_level[level]
                lines.append(
                    f"  {level:9} {total:3} sentences: help shown {found / total:.3f},"
                    f" this level shown {right / total:.3f}"
                )
        for level in LEVELS:
            shown = self.alarms_by_level.get(level, 0)
            lines.append(
                f"  {level:9} shown on {shown}/{self.everyday} everyday sentences"
                f" ({shown / self.everyday:.1%})"
            )
        lines += [f"  missed: {text}" for text in self.misses]
        lines += [f"  false alarm: {text}" for text in self.false_alarms]
        lines += [f"  other level: {text}" for text in self.wrong_level]
        return "\n".join(lines)


def labelled(language: str) -> list[tuple[set[str], str]]:
    rows = []
    for line in (CORPUS / f"{language}.tsv").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, text = line.split("\t")
            rows.append((set(label.split("+")), text))
    return rows


def measure(reader: DistressReader, language: str) -> Figures:
    figures = Figures()
    for expected, text in labelled(language):
        found = reader.read(text)
        shown = set(found.levels) | ({"child"} if found.child else set())
        if expected == {"none"}:
            figures.everyday += 1
            if found:
                figures.alarms += 1
                figures.false_alarms.append(text)
                for level in shown:
                    figures.alarms_by_level[level] = figures.alarms_by_level.get(level, 0) + 1
            continue
        figures.distress += 1
        figures.detected += bool(found)
        if not found:
            figures.misses.append(text)
        elif shown != expected:
            figures.wrong_level.append(f"{text} → {sorted(shown)}")
        for level in expected:
            counts = figures.by_level.setdefault(level, [0, 0, 0])
            counts[0] += 1
            counts[1] += bool(found)
            counts[2] += level in shown
    return figures


def test_the_french_corpus_is_large_enough() -> None:
    rows = labelled("fr")
    distress = [row for row in rows if row[0] != {"none"}]
    assert len(rows) >= 300 and len(distress) >= 120 and len(rows) - len(distress) >= 180
    assert len(labelled("en")) >= 60
    levels = {level for expected, _ in distress for level in expected}
    assert levels == set(LEVELS)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_distress_is_found_and_everyday_sentences_are_left_alone(language: str) -> None:
    figures = measure(READER, language)
    print("\n" + figures.report(language))
    assert figures.recall >= MIN_RECALL, figures.report(language)
    assert figures.false_alarm_rate <= MAX_FALSE_ALARMS, figures.report(language)


@pytest.mark.parametrize("language", ["fr_unseen", "en_unseen"])
def test_figures_on_sentences_the_lists_have_never_seen(language: str) -> None:
    """Published, not asserted: what the lists are worth on new sentences (see README)."""
    figures = measure(READER, language)
    print("\n" + figures.report(language))
    assert figures.distress and figures.everyday
