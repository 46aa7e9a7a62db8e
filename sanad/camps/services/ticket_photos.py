"""Photos of maintenance tickets, kept under `settings.SANAD_CAMPS_PHOTO_DIR` (the
checks and the re-encoding are `sanad.core.photos`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sanad.core.photos import MAX_BYTES, CleanPhoto, PhotoStore, clean_photo, sniff

__all__ = [
    "MAX_BYTES",
    "CleanPhoto",
    "absolute",
    "clean_photo",
    "photo_root",
    "remove",
    "sniff",
    "store",
]

STORE = PhotoStore("SANAD_CAMPS_PHOTO_DIR")


def photo_root() -> Path:
    return STORE.root()


def store(ticket_public_id: Any, photo: CleanPhoto) -> str:
    """Write the photo under the ticket's folder; the path relative to the root."""
    return STORE.store(ticket_public_id, photo)


def absolute(relative: str) -> Path:
    """The file of a stored photo, refusing any path that leaves the root."""
    return STORE.absolute(relative)


def remove(relatives: list[str]) -> None:
    STORE.remove(relatives)
