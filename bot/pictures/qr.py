"""QR codes of invitation links, to show on a screen during an appointment."""

from __future__ import annotations

import io


def qr_png(link: str) -> bytes:
    """A PNG of the link's QR code, large enough to scan from a phone held at arm's length."""
    # Imported here: the command line loads this module, and rarely draws a code.
    import segno

    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()
