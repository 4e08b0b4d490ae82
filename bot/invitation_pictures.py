"""QR codes of workers' invitations, written beside the database for an admin to show.

A picture holds a working link: it is removed as soon as the link is used or has expired."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from bot.paths import private_folder, write_private
from bot.pictures.qr import qr_png
from bot.services import Services
from bot.usecases.invitations import VALID_FOR

log = logging.getLogger(__name__)

FOLDER_NAME = "invitations"
PREFIX = "intervenant-"


def folder(services: Services) -> Path:
    """Where the pictures are: `invitations/` beside the database."""
    return services.settings.database.parent / FOLDER_NAME


def save_invitation_picture(services: Services, worker_id: int, link: str) -> Path:
    """Write the invitation's QR code beside the database; only its owner may read it."""
    return write_invitation_picture(folder(services), worker_id, link)


def write_invitation_picture(where: Path, worker_id: int, link: str) -> Path:
    """Write the QR code in `where` (created 0700 if missing), the picture 0600."""
    picture = write_private(private_folder(where) / f"{PREFIX}{worker_id}.png", qr_png(link))
    return picture.resolve()


async def remove_stale_pictures(services: Services) -> int:
    """Delete pictures whose invitation was used, withdrawn or has expired; returns how many."""
    target = folder(services)
    if not target.is_dir():
        return 0
    now = services.clock.now()
    removed = 0
    for picture in target.glob(f"{PREFIX}*.png"):
        number = picture.stem.removeprefix(PREFIX)
        worker = await services.storage.get_worker(int(number)) if number.isdigit() else None
        written = datetime.fromtimestamp(picture.stat().st_mtime, UTC)
        stale = (
            worker is None
            or worker.joined_at is not None
            or not worker.active
            or written + VALID_FOR < now
        )
        if stale:
            picture.unlink(missing_ok=True)
            removed += 1
    if removed:
        log.info("invitation_pictures_removed", extra={"count": removed})
    return removed
