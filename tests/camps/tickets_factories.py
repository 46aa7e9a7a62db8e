"""Helpers for the maintenance tests (tickets, assets, schedules): photos as a phone
would send them, assets, tickets in a given state through the services."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sanad.camps.models import Asset, Site, Ticket
from sanad.camps.services import tickets as services

_n = iter(range(1, 10**9))


@pytest.fixture(autouse=True)
def photo_dir(settings: Any, tmp_path: Any) -> Any:
    """Photos go to a temporary folder, never to the real one."""
    settings.SANAD_CAMPS_PHOTO_DIR = tmp_path / "camps-photos"
    return settings.SANAD_CAMPS_PHOTO_DIR


def jpeg_bytes(*, gps: bool = True, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small JPEG with an EXIF block (camera make and a GPS position) like a phone's."""
    from PIL import Image

    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if gps:
        exif[0x8825] = {1: "N", 2: (36.0, 52.0, 1.0), 3: "E", 4: (42.0, 58.0, 2.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(out, format="PNG")
    return out.getvalue()


def photo(name: str = "tap.jpg", content: bytes | None = None, content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content if content is not None else jpeg_bytes(), content_type)


def make_asset(site: Site, *, kind: str = Asset.Kind.TAP, **kwargs: Any) -> Asset:
    kwargs.setdefault("code", f"A-{next(_n)}")
    return Asset.objects.create(site=site, kind=kind, **kwargs)


def raise_ticket(user: Any, site: Site, **data: Any) -> Ticket:
    asset = data.pop("asset", None)
    data.setdefault("title", "The tap in block B is leaking")
    data.setdefault("category", Ticket.Category.WATER)
    return services.ticket_raise(user=user, site=site, data=data, asset=asset)


def assigned_ticket(manager: Any, site: Site, *, assignee: Any = None, **data: Any) -> Ticket:
    ticket = raise_ticket(manager, site, **data)
    return services.ticket_assign(
        user=manager, ticket=ticket, team="" if assignee else "Water team", assignee=assignee
    )


def done_ticket(manager: Any, worker: Any, site: Site, **data: Any) -> Ticket:
    ticket = assigned_ticket(manager, site, **data)
    return services.ticket_record_work(
        user=worker, ticket=ticket, work_done="Replaced the washer.", photos=[photo()]
    )
