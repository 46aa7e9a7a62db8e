"""Helpers shared by the transport services: permission checks, references, dates, the
transport programme."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from sanad.core.errors import NotFound, PermissionDenied
from sanad.core.scoping import can_reach, has_permission
from sanad.programmes.models import Programme

PROGRAMME = "TRANSPORT"


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


def programme() -> Programme:
    """The transportation programme (created by the programmes data migration)."""
    return Programme.objects.get(code=PROGRAMME)


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
