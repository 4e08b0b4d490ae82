"""A bar chart of a person's strengths, this time against last time, to send as a photo.

Telegram shrinks photos to roughly 360–420 px wide and many users see poorly, so the
picture is drawn large (about 900 px wide) with big type and one domain per row: it stays
sharp when scaled down and never needs zooming sideways. Every word on it comes from the
caller, already translated; this module only draws.
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    # Pillow is imported when a chart is first drawn, not when the bot starts.
    from PIL import ImageDraw, ImageFont

__all__ = [
    "BEFORE_COLOUR",
    "NOW_COLOUR",
    "ChartLabels",
    "DomainScore",
    "strengths_chart",
]

log = logging.getLogger(__name__)

_RGB: TypeAlias = tuple[int, int, int]

# The picture is drawn in greyscale whose levels are then read as palette entries: 0 is
# the text colour, 254 white, the levels between a straight ramp from one to the other,
# and 255 (which text anti-aliasing over white can never produce) is the one real colour.
# An 8-bit palette PNG compresses several times faster and smaller than full colour,
# which keeps a chart well within the time budget of one bot reply.
_TEXT_RGB: _RGB = (33, 33, 33)
_WHITE = 254
_NOW = 255


def _ink(grey: int) -> int:
    """The level whose palette entry is closest to the grey `grey` (0–255)."""
    return round((grey - _TEXT_RGB[0]) * _WHITE / (255 - _TEXT_RGB[0]))


def _rgb(level: int) -> _RGB:
    grey = round(_TEXT_RGB[0] + (255 - _TEXT_RGB[0]) * level / _WHITE)
    return (grey, grey, grey)


# A deep blue against a light grey differs in lightness, not only in hue, so the two
# bars stay apart for every kind of colour blindness and in greyscale.
NOW_COLOUR: _RGB = (31, 78, 153)
_TEXT = 0
_SCALE_TEXT = _ink(90)
_BEFORE = _ink(185)
# Lighter than the "before" bar so a grid line is never mistaken for a short bar.
_GRID = _ink(228)
BEFORE_COLOUR: _RGB = _rgb(_BEFORE)
_PALETTE = [channel for level in range(_WHITE + 1) for channel in _rgb(level)] + list(NOW_COLOUR)

_MAX_SCORE = 10.0
_TICKS = (0.0, 5.0, 10.0)

_WIDTH = 900
_MARGIN = 40
_TITLE_SIZE = 44
_LABEL_SIZE = 32
_LEGEND_SIZE = 30
_VALUE_SIZE = 32
_TICK_SIZE = 28
# Room on the right of a full bar for its value ("10", "9.5").
_VALUE_ROOM = 80
_VALUE_GAP = 12
_NOW_BAR = 28
_BEFORE_BAR = 14
_BAR_GAP = 5
_LABEL_TO_BARS = 8
_ROW_GAP = 26
_AFTER_TITLE = 18
_AFTER_LEGEND_ENTRY = 6
_AFTER_LEGEND = 30
_SWATCH_WIDTH = 44
_SWATCH_GAP = 16
_DASH_LENGTH = 36
_DASH_THICKNESS = 6


@dataclass(frozen=True)
class DomainScore:
    """One domain's row: its translated name and its scores out of 10."""

    label: str
    now: float | None
    before: float | None


@dataclass(frozen=True)
class ChartLabels:
    """The chart's words, already translated: its title and the two legend entries."""

    title: str
    now: str
    before: str
    # "4,5" in French: the caller's locale decides.
    decimal_separator: str = "."


# Pillow's own font covers ASCII only, so accented labels need a real font. DejaVu Sans ships
# inside the package (bot/pictures/fonts, free licence) so a bare server renders "é" too;
# system fonts are only a fallback.
_PACKAGED = Path(__file__).resolve().parent / "fonts"
_FONT_FILES = (
    str(_PACKAGED / "DejaVuSans.ttf"),
    "DejaVuSans.ttf",
    "NotoSans-Regular.ttf",
    "LiberationSans-Regular.ttf",
)
_BOLD_FONT_FILES = (
    str(_PACKAGED / "DejaVuSans-Bold.ttf"),
    "DejaVuSans-Bold.ttf",
    "NotoSans-Bold.ttf",
    "LiberationSans-Bold.ttf",
)


@cache
def _font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    for name in _BOLD_FONT_FILES if bold else _FONT_FILES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    # A chart with boxes for accented letters still beats no chart; the log says why.
    log.warning("chart_font_missing", extra={"wanted": _FONT_FILES[0]})
    font = ImageFont.load_default(size=size)
    if not isinstance(font, ImageFont.FreeTypeFont):
        raise RuntimeError("Pillow was built without FreeType; the chart needs scalable fonts")
    return font


# Emoji joiners and selectors only mean something next to emoji, which these fonts lack.
_EMOJI_GLUE = frozenset("\u200d\ufe0f")
# A code point no font maps, so it always draws the font's "missing glyph" box.
_UNMAPPED = "\U0010ffff"


# Bounded because labels are free text: a long-running bot must not grow without limit.
@lru_cache(maxsize=4096)
def _glyph_ink(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    from PIL import Image, ImageDraw

    side = 2 * round(font.size)
    canvas = Image.new("L", (side, side))
    ImageDraw.Draw(canvas).text((0, 0), char, font=font, fill=255)
    return canvas.tobytes()


def _drawable(text: str, font: ImageFont.FreeTypeFont) -> str:
    """The text without characters the font would draw as empty boxes (emoji, mostly)."""
    missing = _glyph_ink(font, _UNMAPPED)
    return "".join(
        char
        for char in text
        if char not in _EMOJI_GLUE and (char.isspace() or _glyph_ink(font, char) != missing)
    )


def _line_height(font: ImageFont.FreeTypeFont) -> int:
    ascent, descent = font.getmetrics()
    return math.ceil((ascent + descent) * 1.1)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """The text in lines no wider than `width`, cut between words when it can be."""
    lines: list[str] = []
    line = ""
    for word in _drawable(text, font).split():
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        # A single word wider than the picture (a long URL, say) is cut between
        # characters rather than running off the edge.
        line = ""
        for char in word:
            if line and font.getlength(line + char) > width:
                lines.append(line)
                line = ""
            line += char
    if line or not lines:
        lines.append(line)
    return lines


def _clean(value: float | None) -> float | None:
    if value is None or math.isnan(value):
        return None
    return min(max(float(value), 0.0), _MAX_SCORE)


def _format(value: float, decimal_separator: str = ".") -> str:
    # Scores are shown to one decimal at most: finer differences mean nothing to a reader.
    return f"{round(value, 1):g}".replace(".", decimal_separator)


def _draw_lines(
    draw: ImageDraw.ImageDraw,
    lines: Sequence[str],
    x: int,
    y: int,
    font: ImageFont.FreeTypeFont,
    fill: int,
) -> int:
    """Draw the lines from top `y`; the y just below them."""
    step = _line_height(font)
    for line in lines:
        draw.text((x, y), line, font=font, fill=fill, anchor="la")
        y += step
    return y


def strengths_chart(scores: Sequence[DomainScore], labels: ChartLabels) -> bytes:
    """A PNG comparing this time with last time, per domain, readable on a phone."""
    title_font = _font(_TITLE_SIZE, bold=True)
    label_font = _font(_LABEL_SIZE)
    legend_font = _font(_LEGEND_SIZE)
    value_font = _font(_VALUE_SIZE, bold=True)
    tick_font = _font(_TICK_SIZE)

    rows = [(s.label, _clean(s.now), _clean(s.before)) for s in scores]
    with_before = any(before is not None for _, _, before in rows)

    text_width = _WIDTH - 2 * _MARGIN
    scale_left = _MARGIN
    scale_right = _WIDTH - _MARGIN - _VALUE_ROOM

    def x_of(value: float) -> int:
        return scale_left + round((scale_right - scale_left) * value / _MAX_SCORE)

    title_lines = _wrap(labels.title, title_font, text_width)
    legend_text_width = text_width - _SWATCH_WIDTH - _SWATCH_GAP
    legend: list[tuple[int, int, list[str]]] = [
        (_NOW, _NOW_BAR, _wrap(labels.now, legend_font, legend_text_width))
    ]
    if with_before:
        legend.append((_BEFORE, _BEFORE_BAR, _wrap(labels.before, legend_font, legend_text_width)))
    row_labels = [_wrap(label, label_font, text_width) for label, _, _ in rows]
    bars_height = _NOW_BAR + (_BAR_GAP + _BEFORE_BAR if with_before else 0)

    # Measure everything first so the canvas is exactly as tall as its rows need.
    title_height = len(title_lines) * _line_height(title_font)
    legend_height = sum(
        len(lines) * _line_height(legend_font) + _AFTER_LEGEND_ENTRY for _, _, lines in legend
    )
    rows_height = sum(
        len(lines) * _line_height(label_font) + _LABEL_TO_BARS + bars_height + _ROW_GAP
        for lines in row_labels
    )
    header_height = _MARGIN + title_height + _AFTER_TITLE + legend_height + _AFTER_LEGEND
    height = header_height + rows_height + _line_height(tick_font) + _MARGIN

    from PIL import Image, ImageDraw

    image = Image.new("L", (_WIDTH, height), _WHITE)
    draw = ImageDraw.Draw(image)

    y = _draw_lines(draw, title_lines, _MARGIN, _MARGIN, title_font, _TEXT) + _AFTER_TITLE

    legend_line = _line_height(legend_font)
    for level, thickness, lines in legend:
        # The swatch has the bar's own thickness so the legend matches shape as well as colour.
        swatch_top = y + (legend_line - thickness) // 2
        draw.rectangle(
            (_MARGIN, swatch_top, _MARGIN + _SWATCH_WIDTH - 1, swatch_top + thickness - 1),
            fill=level,
        )
        x = _MARGIN + _SWATCH_WIDTH + _SWATCH_GAP
        y = _draw_lines(draw, lines, x, y, legend_font, _TEXT) + _AFTER_LEGEND_ENTRY
    y += _AFTER_LEGEND

    for (_, now, before), lines in zip(rows, row_labels, strict=True):
        y = _draw_lines(draw, lines, _MARGIN, y, label_font, _TEXT) + _LABEL_TO_BARS
        # Grid lines only span the bars, so they never cross the words of a label.
        for tick in _TICKS:
            x = x_of(tick)
            draw.line((x, y - 4, x, y + bars_height + 3), fill=_GRID, width=2)

        now_middle = y + _NOW_BAR // 2
        if now is None:
            draw.rectangle(
                (
                    scale_left,
                    now_middle - _DASH_THICKNESS // 2,
                    scale_left + _DASH_LENGTH - 1,
                    now_middle + _DASH_THICKNESS // 2 - 1,
                ),
                fill=_TEXT,
            )
        else:
            end = x_of(now)
            if end > scale_left:
                draw.rectangle((scale_left, y, end - 1, y + _NOW_BAR - 1), fill=_NOW)
            text = _format(now, labels.decimal_separator)
            # Centre the digits themselves on the bar, not the font's line box.
            _, ink_top, _, ink_bottom = value_font.getbbox(text, anchor="ls")
            baseline = now_middle - (ink_top + ink_bottom) // 2
            draw.text((end + _VALUE_GAP, baseline), text, font=value_font, fill=_TEXT, anchor="ls")

        if before is not None and x_of(before) > scale_left:
            before_top = y + _NOW_BAR + _BAR_GAP
            draw.rectangle(
                (scale_left, before_top, x_of(before) - 1, before_top + _BEFORE_BAR - 1),
                fill=_BEFORE,
            )
        y += bars_height + _ROW_GAP

    for tick in _TICKS:
        draw.text((x_of(tick), y), _format(tick), font=tick_font, fill=_SCALE_TEXT, anchor="ma")

    image.putpalette(_PALETTE)
    buffer = io.BytesIO()
    # Not optimize=True: zlib's level 9 takes some 70 ms on this picture for a file under
    # a tenth smaller, and Telegram re-encodes photos anyway.
    image.save(buffer, format="PNG")
    return buffer.getvalue()
