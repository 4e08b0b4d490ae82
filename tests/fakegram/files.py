"""Files known to the fake server: what users sent and what the bot uploaded."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    filename: str | None = None
    mime_type: str | None = None

    def to_api(self) -> dict[str, Any]:
        """A Bot API File object, as getFile returns it."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


class FileStore:
    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._numbers = itertools.count(1)

    def add(
        self,
        data: bytes,
        *,
        folder: str,
        extension: str,
        filename: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        number = next(self._numbers)
        stored = StoredFile(
            # Real file ids are opaque; a readable prefix makes test failures easier to read.
            file_id=f"fake-{folder}-{number}",
            file_unique_id=f"u{number}",
            file_path=f"{folder}/file_{number}.{extension}",
            data=data,
            filename=filename,
            mime_type=mime_type,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str | None) -> StoredFile | None:
        return self._by_id.get(file_id) if file_id else None

    def at_path(self, file_path: str) -> StoredFile | None:
        return self._by_path.get(file_path)
