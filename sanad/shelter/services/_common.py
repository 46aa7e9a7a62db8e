"""Helpers shared by the shelter services: permission checks, references, photos,
money and the space standard."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from sanad.core.errors import NotFound, PermissionDenied
from sanad.core.photos import PhotoStore
from sanad.core.scoping import can_reach, has_permission

# Photos of assessments and inspections, and drawn handover signatures.
PHOTOS = PhotoStore("SANAD_SHELTER_PHOTO_DIR")
CENT = Decimal("0.01")


def require(user: Any, permission: str, obj: Any = None) -> None:
    """Refuse a user without the permission (403), or one who holds it but cannot reach
    the record in their scope (404: they must not learn it exists)."""
    if not has_permission(user, permission):
        raise PermissionDenied(code="permission_denied")
    if obj is not None and not can_reach(user, obj, permission):
        raise NotFound()


def actor(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def today() -> datetime.date:
    return timezone.localdate()


def money(value: Any) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def next_reference(model: type[models.Model], prefix: str, *, field: str = "reference") -> str:
    """The next reference `PREFIX-YEAR-NNNNN` of a model. Call it inside the transaction
    that creates the record; the field is unique, so two requests taking the same number
    cannot both commit (the second fails and is retried by the caller or the person)."""
    start = f"{prefix}-{today().year}-"
    last = (
        model._default_manager.filter(**{f"{field}__startswith": start})
        .order_by(f"-{field}")
        .values_list(field, flat=True)
        .first()
    )
    n = int(str(last).rsplit("-", 1)[1]) + 1 if last else 1
    return f"{start}{n:05d}"


def min_space() -> Decimal:
    return Decimal(settings.SANAD_SHELTER_MIN_M2_PER_PERSON)


def space_check(area: Any, occupants: Any) -> tuple[Decimal | None, bool]:
    """Covered living space per person and whether it is below the standard (3.5 m² by
    default). Unknown area or no occupants: (None, False), nothing to flag."""
    if area in (None, "") or not occupants:
        return None, False
    per_person = money(Decimal(area) / int(occupants))
    return per_person, per_person < min_space()
