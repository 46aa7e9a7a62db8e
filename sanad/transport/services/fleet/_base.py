"""Helpers of the fleet services: text, numbers, dates, phones, plate numbers, the
user's FLEET scope over governorates, contractors that may be chosen."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sanad.core.errors import field_error
from sanad.core.scoping import can_reach, grants_for
from sanad.geo.models import AdminUnit
from sanad.transport.models import (
    FLEET,
    VIEW,
    TransportContractor,
)
from sanad.transport.services._common import (
    actor,
)

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_PLATE_SEPARATORS = re.compile(r"[\s\-_/.]+")
MAX_SEATS = 120


# --- helpers ---------------------------------------------------------------------------


def normalise_plate(value: Any) -> str:
    """A plate number in one spelling: ASCII digits, separators (spaces, dashes, dots,
    slashes) as single spaces, a lone Latin series letter upper case ("Duhok-12345 a" →
    "Duhok 12345 A"). Uniqueness ignores case."""
    text = str(value or "").translate(_DIGITS)
    parts = [part for part in _PLATE_SEPARATORS.split(text) if part]
    return " ".join(p.upper() if len(p) == 1 else p for p in parts)


def _text(
    value: Any, field: str, *, max_length: int, required: bool = False, multiline: bool = False
) -> str:
    text = str(value or "").strip() if multiline else " ".join(str(value or "").split())
    if required and not text:
        raise field_error(field, _("Fill in this field."), f"{field}_required")
    if len(text) > max_length:
        raise field_error(
            field,
            _("Shorten this to %(n)d characters.") % {"n": max_length},
            f"{field}_too_long",
        )
    return text


def _count(value: Any, field: str) -> int:
    try:
        n = int(value if value not in (None, "") else 0)
    except (TypeError, ValueError) as exc:
        raise field_error(field, _("Enter a whole number."), f"invalid_{field}") from exc
    if n < 0:
        raise field_error(field, _("Enter zero or more."), f"{field}_negative")
    if n > MAX_SEATS:
        raise field_error(
            field, _("Enter %(n)d or fewer.") % {"n": MAX_SEATS}, f"{field}_too_large"
        )
    return n


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError) as exc:
        raise field_error(field, _("Enter a number."), f"invalid_{field}") from exc
    if not number.is_finite():
        raise field_error(field, _("Enter a number."), f"invalid_{field}")
    if number < 0:
        raise field_error(field, _("Enter zero or more."), f"{field}_negative")
    return number.quantize(Decimal("0.01"))


def _phone(value: Any) -> str:
    from sanad.registry.services.validation import clean_phone

    if value in (None, ""):
        return ""
    try:
        return clean_phone(value)
    except ValueError as exc:
        raise field_error("phone", str(exc), "invalid_phone") from exc


def _in_fleet_scope(user: Any, governorate: AdminUnit) -> bool:
    """Whether the user's FLEET grants cover a governorate (for a record not saved yet,
    which `can_reach` cannot test). Fleet records are scoped by governorate only."""
    return any(
        grant.all_governorates or governorate.pcode in grant.governorates
        for grant in grants_for(user, FLEET)
    )


def _governorates(user: Any, value: Any) -> list[AdminUnit]:
    chosen = list(value or [])
    if not chosen:
        raise field_error(
            "governorates",
            _("Choose at least one governorate where it works."),
            "governorates_required",
        )
    wrong = [g for g in chosen if not isinstance(g, AdminUnit) or g.level != 1]
    if wrong:
        raise field_error(
            "governorates", _("Choose governorates, not other admin units."), "not_governorate"
        )
    outside = [g for g in chosen if not _in_fleet_scope(user, g)]
    if outside:
        raise field_error(
            "governorates",
            _("You do not manage the fleet in %(names)s. Choose governorates of your scope.")
            % {"names": ", ".join(str(g.name_en) for g in outside)},
            "governorate_out_of_scope",
        )
    return chosen


def _contractor(user: Any, value: Any, *, current: Any = None) -> TransportContractor | None:
    """An optional contractor the user reaches; a new choice must be active."""
    if value in (None, ""):
        return None
    if not isinstance(value, TransportContractor) or not can_reach(user, value, VIEW):
        raise field_error(
            "contractor", _("Choose a contractor you can see."), "contractor_not_found"
        )
    if value.pk != getattr(current, "pk", None) and value.status != value.Status.ACTIVE:
        raise field_error(
            "contractor",
            _("%(name)s is suspended: choose an active contractor or reactivate it first.")
            % {"name": value.name},
            "contractor_suspended",
        )
    return value


def _date(value: Any, field: str, *, required: bool = False) -> datetime.date | None:
    if value in (None, ""):
        if required:
            raise field_error(field, _("Enter a date."), f"{field}_required")
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise field_error(field, _("Enter a date as YYYY-MM-DD."), f"invalid_{field}") from exc


def _stamp(obj: Any, user: Any, *, created: bool = False) -> None:
    who = actor(user)
    if created:
        obj.created_by = who
    obj.updated_by = who


def _save_with_governorates(obj: Any, governorates: Iterable[AdminUnit]) -> None:
    with transaction.atomic():
        obj.save()
        obj.governorates.set(list(governorates))
