"""Helpers of the movement services: permission checks for several permissions, the
reach of an unsaved request, and parsing of the values people type."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from sanad.core.errors import NotFound, PermissionDenied, field_error
from sanad.core.scoping import can_reach, grants_for, has_permission
from sanad.geo.models import AdminUnit, Place
from sanad.transport.models import MovementRequest
from sanad.transport.services._common import PROGRAMME

REQUEST = MovementRequest.Status
# A request still running: its households are "taken" for any other request.
OPEN_REQUEST = (REQUEST.DRAFT, REQUEST.SUBMITTED, REQUEST.APPROVED, REQUEST.IN_PROGRESS)
MAX_VOLUME = Decimal("99999.99")


def require_any(user: Any, permissions: Iterable[str], obj: Any = None) -> None:
    """Like `_common.require` with the first of `permissions` the user holds: 403
    without any of them, 404 when the record is out of the reach of all of them."""
    held = [p for p in permissions if has_permission(user, p)]
    if not held:
        raise PermissionDenied(code="permission_denied")
    if obj is not None and not any(can_reach(user, obj, p) for p in held):
        raise NotFound()


def governorate_of(unit: AdminUnit | None) -> AdminUnit | None:
    if unit is None:
        return None
    if unit.level == AdminUnit.Level.GOVERNORATE:
        return unit
    return unit.governorate


def governorates_of(
    origin: Place, destination: Place | None, area: AdminUnit | None
) -> list[AdminUnit]:
    """The governorates a request is reached from: its origin's and its destination's."""
    found: dict[int, AdminUnit] = {}
    for unit in (
        governorate_of(origin.admin_unit),
        governorate_of(destination.admin_unit) if destination is not None else None,
        governorate_of(area),
    ):
        if unit is not None:
            found[unit.pk] = unit
    return list(found.values())


def reaches(user: Any, governorates: Iterable[AdminUnit], permission: str) -> bool:
    """Whether `user` would reach a transport record in one of these governorates with
    `permission` (the scope of a request is any of its governorates)."""
    codes = {g.pcode for g in governorates}
    for grant in grants_for(user, permission):
        if (grant.all_governorates or codes & grant.governorates) and (
            grant.all_programmes or PROGRAMME in grant.programmes
        ):
            return True
    return False


def parse_date(field: str, value: Any, *, required: bool = True) -> datetime.date | None:
    if value in (None, ""):
        if required:
            raise field_error(field, _("Enter a date."), f"{field}_required")
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise field_error(field, _("Enter a date as YYYY-MM-DD."), f"invalid_{field}") from exc


def parse_volume(field: str, value: Any) -> Decimal:
    try:
        volume = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise field_error(
            field, _("Enter the volume in cubic metres."), f"invalid_{field}"
        ) from exc
    if not volume.is_finite() or volume < 0:
        raise field_error(field, _("Enter zero or more cubic metres."), f"invalid_{field}")
    if volume > MAX_VOLUME:
        raise field_error(field, _("This volume is too large. Check it."), f"invalid_{field}")
    return volume.quantize(Decimal("0.01"))


def luggage_default(persons: int) -> Decimal:
    per_person = Decimal(str(getattr(settings, "SANAD_TRANSPORT_LUGGAGE_PER_PERSON_M3", "0.10")))
    return min(MAX_VOLUME, per_person * persons).quantize(Decimal("0.01"))


def clean_text(value: Any, field: str, limit: int) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise field_error(
            field,
            _("Keep this under %(n)d characters.") % {"n": limit},
            f"{field}_too_long",
        )
    return text
