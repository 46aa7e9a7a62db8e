"""New arrivals registered at the border point with a minimal record through the
registry, then put on the border reception request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, PermissionDenied, field_error
from sanad.core.scoping import has_permission
from sanad.geo.models import Place
from sanad.registry.models import DisplacementStatus, Individual, ShelterType
from sanad.transport.models import MANAGE, MovementHousehold, MovementKind, MovementRequest
from sanad.transport.services._common import require, today
from sanad.transport.services.movements._helpers import parse_volume
from sanad.transport.services.movements.households import (
    REGISTRY_MANAGE,
    _addable,
    _create_row,
    _lock_request,
)


def _split_name(value: Any) -> tuple[str, str]:
    """(Arabic-script, Latin) from one name typed in either script."""
    text = " ".join(str(value or "").split())
    if any("\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" for ch in text):
        return text, ""
    return "", text


def _border_member(
    data: Mapping[str, Any], index: int, family: Mapping[str, str]
) -> dict[str, Any]:
    """A registry member dict from what the border form gives: `given_name` and
    `family_name` in either script (or the registry's own name fields), sex, age or
    date of birth, relationship (the first member is the head)."""
    out: dict[str, Any] = {
        k: v
        for k, v in data.items()
        if k not in ("given_name", "family_name") and v not in (None, "")
    }
    if data.get("given_name"):
        ar, en = _split_name(data["given_name"])
        out.setdefault("given_name_ar", ar)
        out.setdefault("given_name_en", en)
    if data.get("family_name"):
        ar, en = _split_name(data["family_name"])
        out.setdefault("family_name_ar", ar)
        out.setdefault("family_name_en", en)
    if not out.get("family_name_ar") and not out.get("family_name_en"):
        out.update({k: v for k, v in family.items() if v})
    out.setdefault(
        "relationship",
        Individual.Relationship.HEAD if index == 0 else Individual.Relationship.OTHER_RELATIVE,
    )
    return out


def movement_border_register(
    *,
    user: Any,
    request: MovementRequest,
    members: list[dict[str, Any]],
    phone: str = "",
    luggage_m3: Any = None,
) -> MovementHousehold:
    """Register a family arriving at the border with a minimal record (names, sex, age
    or date of birth; one phone optional) through the registry, placed at the origin
    border point as Syrian refugees, and put it on the request (a border reception).
    The registry's note says the record is to be completed."""
    require(user, MANAGE, request)
    if request.kind != MovementKind.BORDER_RECEPTION:
        raise Conflict(
            _("New arrivals are registered on border reception requests."),
            code="not_border_reception",
        )
    if not has_permission(user, REGISTRY_MANAGE):
        raise PermissionDenied(
            _("Registering a new arrival needs the right to register households."),
            code="permission_denied",
        )
    if not members:
        raise field_error("members", _("Give at least the head of household."), "members_required")
    luggage = parse_volume("luggage_m3", luggage_m3) if luggage_m3 not in (None, "") else None
    head = members[0]
    family: dict[str, str] = {}
    if head.get("family_name"):
        ar, en = _split_name(head["family_name"])
        family = {"family_name_ar": ar, "family_name_en": en}
    else:
        family = {
            "family_name_ar": str(head.get("family_name_ar") or ""),
            "family_name_en": str(head.get("family_name_en") or ""),
        }
    member_dicts = [_border_member(m, i, family) for i, m in enumerate(members)]
    origin: Place = request.origin
    from sanad.registry.services import household_register

    with transaction.atomic():
        request = _lock_request(request)
        _addable(request)
        household = household_register(
            user=user,
            data={
                "place": origin,
                "admin_unit": origin.admin_unit,
                "displacement_status": DisplacementStatus.SYRIAN_REFUGEE,
                "shelter_type": ShelterType.UNKNOWN,
                "displaced_on": today(),
                "notes": _(
                    "Minimal record made at %(place)s on arrival (movement request %(ref)s): "
                    "complete it with documents, vulnerabilities and consents."
                )
                % {"place": origin.name_en, "ref": request.reference},
            },
            members=member_dicts,
            phones=[phone] if str(phone or "").strip() else [],
        )
        return _create_row(
            user=user,
            request=request,
            household=household,
            registered_at_border=True,
            luggage_m3=luggage,
        )
