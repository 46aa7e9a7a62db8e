"""Photos taken in the field (maintenance tickets, damage assessments, inspections):
checked by their content (never the file name), re-encoded with Pillow so that no EXIF
block (camera, time, GPS position) survives, and kept in a folder outside the public
media (`PhotoStore`), served only to who may see the record they belong to."""

from __future__ import annotations

import contextlib
import io
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from sanad.core.errors import ValidationFailed

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a phone camera makes 12–50 MP; more is a decompression bomb
MAX_SIDE = 2560  # enough to see a leaking tap; keeps the disk use sensible

# (content type, extension, Pillow format) by the file's first bytes.
_JPEG = ("image/jpeg", "jpg", "JPEG")
_PNG = ("image/png", "png", "PNG")
_WEBP = ("image/webp", "webp", "WEBP")


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    content_type: str
    extension: str


def sniff(head: bytes) -> tuple[str, str, str] | None:
    """The kind of image the bytes start with, or None."""
    if head[:3] == b"\xff\xd8\xff":
        return _JPEG
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return _PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _WEBP
    return None


def _refuse(message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={"photos": [message]})


def clean_photo(upload: Any) -> CleanPhoto:
    """Read an uploaded file, check it is a JPEG, PNG or WebP image of at most 8 MB,
    and re-encode it without its metadata (turned upright first, as the camera meant)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    name = getattr(upload, "name", "") or _("the photo")
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise _refuse(
            _("“%(name)s” is larger than 8 MB. Take the photo again at a lower resolution.")
            % {"name": name},
            "photo_too_large",
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse(
            _("“%(name)s” is larger than 8 MB. Take the photo again at a lower resolution.")
            % {"name": name},
            "photo_too_large",
        )
    kind = sniff(data[:16])
    if kind is None:
        raise _refuse(
            _("“%(name)s” is not a JPEG, PNG or WebP photo.") % {"name": name},
            "photo_not_image",
        )
    content_type, extension, fmt = kind
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != fmt:
                raise UnidentifiedImageError(probe.format)
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise _refuse(
                    _("“%(name)s” has too many pixels. Take the photo at a lower resolution.")
                    % {"name": name},
                    "photo_too_large",
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            upright.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            options: dict[str, Any] = {"quality": 85} if fmt in ("JPEG", "WEBP") else {}
            # No exif=..., no icc/xmp: the new file carries the pixels only.
            upright.save(out, format=fmt, **options)
    except ValidationFailed:
        raise
    except Exception as exc:  # Pillow raises many kinds for a broken or forged file
        raise _refuse(
            _("“%(name)s” could not be read as a photo. Take it again.") % {"name": name},
            "photo_unreadable",
        ) from exc
    return CleanPhoto(content=out.getvalue(), content_type=content_type, extension=extension)


class PhotoStore:
    """A folder of photos, one sub-folder per record; the root is read from a setting
    at each use, so tests and deployments can move it."""

    def __init__(self, setting: str) -> None:
        self.setting = setting

    def root(self) -> Path:
        from django.conf import settings

        return Path(getattr(settings, self.setting))

    def store(self, owner: Any, photo: CleanPhoto) -> str:
        """Write the photo under its owner's folder; the path relative to the root."""
        relative = f"{owner}/{uuid.uuid4()}.{photo.extension}"
        target = self.root() / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(photo.content)
        return relative

    def store_bytes(self, owner: Any, content: bytes, extension: str) -> str:
        """Write bytes the server made itself (a drawn signature) under the owner's folder."""
        return self.store(owner, CleanPhoto(content=content, content_type="", extension=extension))

    def absolute(self, relative: str) -> Path:
        """The file of a stored photo, refusing any path that leaves the root."""
        root = self.root().resolve()
        target = (root / relative).resolve()
        if root not in target.parents:
            raise ValueError("photo path outside the photo folder")
        return target

    def remove(self, relatives: list[str]) -> None:
        for relative in relatives:
            with contextlib.suppress(OSError, ValueError):
                self.absolute(relative).unlink(missing_ok=True)
