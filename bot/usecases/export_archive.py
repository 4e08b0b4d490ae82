"""The /mes_donnees archive: the readable file, the same as JSON, and every recording."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping

from bot.usecases.rights import Export


def export_archive(export: Export, sounds: Mapping[str, bytes], name: str) -> bytes:
    """A zip with `name`.txt, `name`.json and each recording that could be fetched, by file name.

    A recording missing from `sounds` (Telegram no longer had it) is listed in the JSON
    with `"missing": true`, so nothing is silently left out.
    """
    data = dict(export.data)
    data["recordings"] = [
        {**entry, "missing": entry.get("file") not in sounds}
        for entry in export.data.get("recordings", [])
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.txt", export.text)
        archive.writestr(
            f"{name}.json", json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        )
        for recording in export.recordings:
            sound = sounds.get(recording.filename)
            if sound is not None:
                # Already compressed audio: stored as is.
                archive.writestr(recording.filename, sound, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()
