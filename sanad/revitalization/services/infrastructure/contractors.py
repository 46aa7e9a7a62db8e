"""Contractors of community infrastructure: register and edit (deactivate by editing)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sanad.core.errors import ValidationFailed
from sanad.revitalization.models import MANAGE, Contractor
from sanad.revitalization.services._common import actor, require
from sanad.revitalization.services.communities._parse import Problems, text

FIELDS = frozenset({"name", "registration_number", "contact_name", "phone", "active", "notes"})


def _phone(value: Any) -> str:
    from sanad.registry.services.validation import clean_phone

    if value in (None, ""):
        return ""
    try:
        return clean_phone(value)
    except ValueError as exc:
        raise ValidationFailed(
            str(exc), code="invalid_phone", fields={"phone": [str(exc)]}
        ) from exc


def _values(values: dict[str, Any], current: Contractor | None) -> dict[str, Any]:
    problems = Problems()
    out: dict[str, Any] = {
        "name": problems.run(text, values.get("name"), "name", limit=200, required=True),
        "registration_number": problems.run(
            text, values.get("registration_number"), "registration_number", limit=60
        ),
        "contact_name": problems.run(text, values.get("contact_name"), "contact_name", limit=200),
        "phone": problems.run(_phone, values.get("phone")),
        "notes": problems.run(text, values.get("notes"), "notes", limit=4000, multiline=True),
        "active": bool(values.get("active", True)),
    }
    others = Contractor.objects.exclude(pk=current.pk if current is not None else 0)
    if out["name"] and others.filter(name__iexact=out["name"]).exists():
        problems.add(
            "name", _("A contractor with this name is already registered. Open it instead.")
        )
    if (
        out["registration_number"]
        and others.filter(registration_number__iexact=out["registration_number"]).exists()
    ):
        problems.add("registration_number", _("Another contractor has this registration number."))
    problems.raise_if_any()
    out["phone"] = out["phone"] or ""
    return out


def contractor_create(
    *,
    user: Any,
    name: str,
    registration_number: str = "",
    contact_name: str = "",
    phone: str = "",
    notes: str = "",
    active: bool = True,
) -> Contractor:
    require(user, MANAGE)
    values = _values(
        {
            "name": name,
            "registration_number": registration_number,
            "contact_name": contact_name,
            "phone": phone,
            "notes": notes,
            "active": active,
        },
        None,
    )
    who = actor(user)
    return Contractor.objects.create(created_by=who, updated_by=who, **values)


def contractor_update(*, user: Any, contractor: Contractor, **fields: Any) -> Contractor:
    """Change a contractor (fields left out keep their value); an inactive contractor
    stays on its projects but cannot be chosen for a new one."""
    require(user, MANAGE, contractor)
    unknown = set(fields) - FIELDS
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed here: %(names)s.")
            % {"names": ", ".join(sorted(unknown))},
            code="unknown_fields",
        )
    with transaction.atomic():
        contractor = Contractor.objects.select_for_update().get(pk=contractor.pk)
        current = {name: getattr(contractor, name) for name in FIELDS}
        current.update(fields)
        for name, value in _values(current, contractor).items():
            setattr(contractor, name, value)
        contractor.updated_by = actor(user)
        contractor.save()
    return contractor
