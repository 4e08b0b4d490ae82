"""The summary's lines (bot/usecases/summary_layout.py) as Telegram HTML, and as the
self-contained page a long summary is sent as."""

from __future__ import annotations

import base64
import html

from bot.i18n import Translator
from bot.usecases.summary_layout import Line


def _html_line(line: Line) -> str:
    text = html.escape(line.text)
    if line.style == "bold" and text:
        text = f"<b>{text}</b>"
    elif line.style == "note" and text:
        text = f"<i>{text}</i>"
    if line.quote is None:
        return text
    quoted = f"« {html.escape(line.quote)} »"
    return f"{text} {quoted}" if text else quoted


def as_html(lines: list[Line]) -> str:
    """The lines as Telegram HTML."""
    return "\n".join(_html_line(line) for line in lines).strip("\n")


def as_document(
    lines: list[Line], title: str, chart: bytes | None, chart_label: str, tr: Translator
) -> bytes:
    """A self-contained HTML page (any phone opens it): the summary, then the chart."""
    body = []
    for line in lines:
        if line.style == "bold":
            body.append(f"<h2>{html.escape(line.text)}</h2>")
        elif line.text or line.quote:
            body.append(f"<p>{_html_line(line).replace(chr(10), '<br>')}</p>")
    if chart is not None:
        data = base64.b64encode(chart).decode("ascii")
        body.append(
            f'<p><img src="data:image/png;base64,{data}" alt="{html.escape(chart_label)}"></p>'
        )
    page = (
        f'<!DOCTYPE html>\n<html lang="{tr.language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:40em;margin:1em auto;padding:0 1em;"
        "line-height:1.4}h2{font-size:1.1em;margin:1.2em 0 .3em}p{margin:.2em 0}"
        "img{max-width:100%}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
    return page.encode("utf-8")
