"""The strengths chart: a PNG whose bars really encode the scores, readable on a phone."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from PIL import Image, ImageChops

from bot.pictures.chart import (
    BEFORE_COLOUR,
    NOW_COLOUR,
    ChartLabels,
    DomainScore,
    _format,
    strengths_chart,
)

LABELS = ChartLabels(
    title="Mes forces",
    now="Cette fois (3 décembre)",
    before="La fois d'avant (12 novembre)",
)

DOMAINS = [
    "Se loger",
    "Santé et moral",
    "Travail, formation, activités",
    "Argent et démarches",
    "Famille et proches",
    "Se déplacer",
    "Alimentation",
    "Loisirs et vie sociale",
    "Droits et papiers",
    "Numérique",
    "Enfants",
    "Justice",
]

# The legend swatches are short runs of the bar colours; anything longer is a bar.
SWATCH_MAX = 60


@dataclass(frozen=True)
class Bar:
    top: int
    bottom: int
    left: int
    right: int  # exclusive

    @property
    def middle(self) -> int:
        return (self.top + self.bottom) // 2

    @property
    def length(self) -> int:
        return self.right - self.left


def _open(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    image.load()
    return image


def _rgb(png: bytes) -> Image.Image:
    return _open(png).convert("RGB")


def _bars(image: Image.Image, colour: tuple[int, int, int]) -> list[Bar]:
    """Horizontal runs of exactly `colour`, rows of the same run merged, top to bottom."""
    diff = ImageChops.difference(image, Image.new("RGB", image.size, colour))
    red, green, blue = diff.split()
    spread = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    mask = spread.point([255] + [0] * 255).tobytes()
    open_bars: dict[tuple[int, int], Bar] = {}
    done: list[Bar] = []
    for y in range(image.height):
        row = mask[y * image.width : (y + 1) * image.width]
        spans = {(m.start(), m.end()) for m in re.finditer(rb"\xff+", row)}
        for span, bar in list(open_bars.items()):
            if span not in spans:
                done.append(bar)
                del open_bars[span]
        for left, right in spans:
            running = open_bars.get((left, right))
            top = running.top if running else y
            open_bars[(left, right)] = Bar(top, y + 1, left, right)
    done.extend(open_bars.values())
    return sorted(done, key=lambda bar: (bar.top, bar.left))


def _long_bars(image: Image.Image, colour: tuple[int, int, int]) -> list[Bar]:
    return [bar for bar in _bars(image, colour) if bar.length > SWATCH_MAX]


def _scores(count: int, *, before: bool = True) -> list[DomainScore]:
    return [
        DomainScore(DOMAINS[n], now=(n * 3) % 11, before=(n * 7) % 11 if before else None)
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [1, 8, 12])
@pytest.mark.parametrize("before", [True, False])
def test_chart_is_a_png_sized_for_a_phone(count: int, before: bool) -> None:
    image = _open(strengths_chart(_scores(count, before=before), LABELS))
    assert image.mode in {"P", "RGB"}
    assert 600 <= image.width <= 1400
    assert 300 <= image.height <= 2400


@pytest.mark.parametrize("before", [True, False])
def test_height_grows_with_the_number_of_rows(before: bool) -> None:
    heights = [
        _open(strengths_chart(_scores(count, before=before), LABELS)).height for count in (1, 8, 12)
    ]
    assert heights == sorted(set(heights))


def test_a_full_bar_reaches_the_end_of_the_scale_and_a_zero_draws_none() -> None:
    full = _rgb(strengths_chart([DomainScore("Se loger", 10, None)], LABELS))
    zero = _rgb(strengths_chart([DomainScore("Se loger", 0, None)], LABELS))
    assert full.size == zero.size

    [bar] = _long_bars(full, NOW_COLOUR)
    assert bar.length > full.width / 2
    end = (bar.right - 1, bar.middle)
    assert full.getpixel(end) == NOW_COLOUR
    assert zero.getpixel(end) != NOW_COLOUR
    assert zero.getpixel((bar.left, bar.middle)) != NOW_COLOUR
    assert _long_bars(zero, NOW_COLOUR) == []


def test_bar_lengths_are_proportional_to_the_scores() -> None:
    scores = [DomainScore(DOMAINS[n], now, None) for n, now in enumerate([10, 5, 2.5, 7.5])]
    bars = _long_bars(_rgb(strengths_chart(scores, LABELS)), NOW_COLOUR)
    assert len(bars) == 4
    full = bars[0].length
    assert {bar.left for bar in bars} == {bars[0].left}
    for bar, now in zip(bars, [10, 5, 2.5, 7.5], strict=True):
        assert bar.length == pytest.approx(full * now / 10, abs=2)


def test_last_time_is_a_grey_bar_under_this_time() -> None:
    scores = [DomainScore("Se loger", 4, 10), DomainScore("Santé et moral", 10, 4)]
    image = _rgb(strengths_chart(scores, LABELS))
    now = _long_bars(image, NOW_COLOUR)
    before = _long_bars(image, BEFORE_COLOUR)
    assert [bar.length for bar in now] == [bar.length for bar in reversed(before)]
    for now_bar, before_bar in zip(now, before, strict=True):
        assert now_bar.bottom <= before_bar.top < now_bar.bottom + 20
        # Thinner as well as lighter, so the two differ even in greyscale.
        assert before_bar.bottom - before_bar.top < now_bar.bottom - now_bar.top


def test_without_any_earlier_score_there_are_no_grey_bars_nor_legend_entry() -> None:
    image = _rgb(strengths_chart(_scores(8, before=False), LABELS))
    assert [bar for bar in _bars(image, BEFORE_COLOUR) if bar.length >= 20] == []
    # Only this time's swatch is left in the legend.
    swatches = [bar for bar in _bars(image, NOW_COLOUR) if bar.length <= SWATCH_MAX]
    assert len(swatches) == 1
    assert strengths_chart(_scores(8, before=False), LABELS) == strengths_chart(
        _scores(8, before=False), ChartLabels(LABELS.title, LABELS.now, "ignored")
    )


def test_one_earlier_score_is_enough_for_the_legend() -> None:
    scores = [DomainScore("Se loger", 6, None), DomainScore("Santé et moral", 6, 3)]
    image = _rgb(strengths_chart(scores, LABELS))
    assert len(_long_bars(image, BEFORE_COLOUR)) == 1
    assert len([b for b in _bars(image, BEFORE_COLOUR) if 20 <= b.length <= SWATCH_MAX]) == 1


def test_an_unanswered_domain_has_no_bar() -> None:
    answered = _rgb(strengths_chart([DomainScore("Se loger", 6, 3)], LABELS))
    unanswered = _rgb(strengths_chart([DomainScore("Se loger", None, 3)], LABELS))
    assert len(_long_bars(answered, NOW_COLOUR)) == 1
    assert _long_bars(unanswered, NOW_COLOUR) == []
    assert len(_long_bars(unanswered, BEFORE_COLOUR)) == 1


def test_nothing_answered_still_draws() -> None:
    scores = [DomainScore(label, None, None) for label in DOMAINS[:8]]
    image = _rgb(strengths_chart(scores, LABELS))
    assert _long_bars(image, NOW_COLOUR) == []


def test_scores_outside_the_scale_are_held_to_it() -> None:
    assert strengths_chart([DomainScore("Se loger", 12, -1)], LABELS) == strengths_chart(
        [DomainScore("Se loger", 10, 0)], LABELS
    )


def test_long_labels_wrap_inside_the_picture() -> None:
    long_label = "Travail, formation, activités bénévoles et recherche d'emploi " * 3
    unbroken = "x" * 200
    scores = [DomainScore(long_label, 7, 5), DomainScore(unbroken, 3, None)]
    short = _open(strengths_chart([DomainScore("Se loger", 7, 5)] * 2, LABELS))
    image = _rgb(strengths_chart(scores, LABELS))
    assert image.height > short.height
    ink = ImageChops.invert(image.convert("L")).getbbox()
    assert ink is not None
    left, _, right, _ = ink
    assert left >= 20
    assert right <= image.width - 20


def test_accented_letters_are_drawn() -> None:
    def chart(label: str) -> bytes:
        return strengths_chart([DomainScore(label, 5, None)], LABELS)

    # Were the font without "é", it would be dropped and the chart would show "Sant".
    assert chart("Santé") != chart("Sant")
    assert chart("Santé") != chart("Sante")
    assert chart("ÉÀÇœ") != chart("")


def test_emoji_are_left_out_rather_than_drawn_as_boxes() -> None:
    plain = strengths_chart([DomainScore("Famille et proches", 5, 4)], LABELS)
    with_emoji = strengths_chart([DomainScore("Famille et proches 👨‍👩‍👧 🏠", 5, 4)], LABELS)
    assert with_emoji == plain
    emoji_only = ChartLabels("💪", "🟦", "⬜")
    _open(strengths_chart([DomainScore("🏠", 5, 4)], emoji_only))


@pytest.mark.parametrize(
    ("value", "text"),
    [(7, "7"), (7.0, "7"), (7.5, "7.5"), (0, "0"), (10, "10"), (6.66, "6.7")],
)
def test_values_show_at_most_one_decimal(value: float, text: str) -> None:
    assert _format(value) == text
