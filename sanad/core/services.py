"""Helpers the programme apps' services share: the permission-and-scope check every
write starts with, who acted, and the yearly record references (`PREFIX-YEAR-NNNNN`)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from sanad.core.errors import NotFound, PermissionDenied
from sanad.core.scoping import can_reach, has_permission


def require(user: Any, permission: str, obj: Any = None) -> None:
    """Refuse a user without the permission (403), or one who holds it but cannot reach
    the record in their scope (404: they must not learn it exists)."""
    if not has_permission(user, permission):
        raise PermissionDenied(code="permission_denied")
    if obj is not None and not can_reach(user, obj, permission):
        raise NotFound()


def actor(user: Any) -> Any:
    """The user to stamp on a record (None for an anonymous or system caller)."""
    return user if getattr(user, "is_authenticated", False) else None


def next_reference(model: type[models.Model], prefix: str, *, field: str = "reference") -> str:
    """The next reference `PREFIX-YEAR-NNNNN` of a model. Call it inside the transaction
    that creates the record; the field is unique, so two requests taking the same number
    cannot both commit (the second fails and is retried by the caller or the person)."""
    start = f"{prefix}-{timezone.localdate().year}-"
    last = (
        model._default_manager.filter(**{f"{field}__startswith": start})
        .order_by(f"-{field}")
        .values_list(field, flat=True)
        .first()
    )
    n = int(str(last).rsplit("-", 1)[1]) + 1 if last else 1
    return f"{start}{n:05d}"
