"""Helpers shared by the shelter services: permission checks, references, photos,
money and the space standard."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from sanad.core.photos import PhotoStore
from sanad.core.services import actor, next_reference, require

__all__ = [
    "CENT",
    "PHOTOS",
    "actor",
    "min_space",
    "money",
    "next_reference",
    "require",
    "space_check",
    "today",
]

# Photos of assessments and inspections, and drawn handover signatures.
PHOTOS = PhotoStore("SANAD_SHELTER_PHOTO_DIR")
CENT = Decimal("0.01")


def today() -> datetime.date:
    return timezone.localdate()


def money(value: Any) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def min_space() -> Decimal:
    return Decimal(settings.SANAD_SHELTER_MIN_M2_PER_PERSON)


def space_check(area: Any, occupants: Any) -> tuple[Decimal | None, bool]:
    """Covered living space per person and whether it is below the standard (3.5 m² by
    default). Unknown area or no occupants: (None, False), nothing to flag."""
    if area in (None, "") or not occupants:
        return None, False
    per_person = money(Decimal(area) / int(occupants))
    return per_person, per_person < min_space()
