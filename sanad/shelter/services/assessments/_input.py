"""Reading and checking what the assessment form or a caller sends: the household, the
property, the checklist, the figures, the photos."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import ValidationFailed, field_error
from sanad.core.photos import CleanPhoto, clean_photo
from sanad.geo.models import AdminUnit
from sanad.programmes.models import Project
from sanad.shelter.models import (
    ASSESS,
    COMPONENTS,
    Assessment,
    AssessmentPhoto,
    BoqLine,
    Property,
)
from sanad.shelter.models.common import Component, ComponentState, DamageCategory
from sanad.shelter.services._common import (
    PHOTOS,
    actor,
    money,
    today,
)
from sanad.shelter.services.assessments._base import (
    MAX_PHOTOS,
    Status,
    _reaches,
)
from sanad.shelter.services.assessments.boq import (
    PricedLine,
    _decimal,
)

# --- the form's data ------------------------------------------------------------------------


def household_by_registration(*, user: Any, registration_id: str) -> Any:
    """The household with this registration id among those `user` may see, else a
    ValidationFailed that says so (an unregistered occupant: leave the id empty)."""
    from sanad.registry.selectors import households_visible_to

    rid = str(registration_id or "").strip().upper()
    if not rid:
        return None
    household = (
        households_visible_to(user, "registry.view_household")
        .filter(registration_id__iexact=rid)
        .first()
    )
    if household is None:
        raise field_error(
            "registration_id",
            _(
                "No household with registration id “%(id)s” in your area. Check the id on "
                "the family's card, or leave it empty for an unregistered occupant."
            )
            % {"id": rid},
            "household_not_found",
        )
    return household


def _text(data: Mapping[str, Any], field: str, max_length: int, *, required: str = "") -> str:
    value = str(data.get(field) or "").strip()
    if required and not value:
        raise field_error(field, required, f"{field}_required")
    if len(value) > max_length:
        raise field_error(
            field, _("Shorten this to %(n)d characters.") % {"n": max_length}, f"{field}_too_long"
        )
    return value


def _coordinate(data: Mapping[str, Any], field: str, limit: int) -> Decimal | None:
    raw = data.get(field)
    if raw in (None, ""):
        return None
    value = _decimal(raw)
    if value is None or abs(value) > limit:
        raise field_error(
            field,
            _("Enter a coordinate in decimal degrees, such as 36.3456 or 43.1234."),
            f"bad_{field}",
        )
    return value.quantize(Decimal("0.000001"))


def _area(data: Mapping[str, Any], field: str) -> Decimal | None:
    raw = data.get(field)
    if raw in (None, ""):
        return None
    value = _decimal(raw)
    if value is None or value <= 0 or value >= Decimal("10000000"):
        raise field_error(field, _("Enter an area in m² more than zero."), f"bad_{field}")
    return money(value)


def _property_values(data: Mapping[str, Any], user: Any, project: Project) -> dict[str, Any]:
    unit = data.get("admin_unit")
    if not isinstance(unit, AdminUnit) or unit.level == AdminUnit.Level.GOVERNORATE:
        raise field_error(
            "admin_unit", _("Choose the district or sub-district of the house."), "admin_unit"
        )
    governorate = unit.governorate
    if governorate is None:
        raise field_error("admin_unit", _("Choose a sub-district."), "admin_unit")
    if not _reaches(user, ASSESS, governorate.pcode, project.programme.code):
        raise field_error(
            "admin_unit",
            _("You may not record assessments for this programme in %(governorate)s.")
            % {"governorate": governorate.name_en},
            "out_of_reach",
        )
    tenure = str(data.get("tenure") or "")
    if tenure not in Property.Tenure.values:
        raise field_error("tenure", _("Choose the occupant's tenure."), "tenure_required")
    documents = [str(d) for d in (data.get("documents") or [])]
    if any(d not in Property.Document.values for d in documents):
        raise field_error("documents", _("Choose documents from the list."), "invalid_document")
    if "none" in documents and len(documents) > 1:
        raise field_error(
            "documents",
            _("“No document” cannot be ticked with a document."),
            "documents_contradict",
        )
    return {
        "address": _text(data, "address", 300, required=_("Write the address of the house.")),
        "latitude": _coordinate(data, "latitude", 90),
        "longitude": _coordinate(data, "longitude", 180),
        "admin_unit": unit,
        "governorate": governorate,
        "tenure": tenure,
        "documents": sorted(set(documents)),
        "owner_name": _text(data, "owner_name", 200),
        "floor_area_m2": _area(data, "floor_area_m2"),
    }


def _components(data: Mapping[str, Any]) -> dict[str, str]:
    raw = data.get("components") or {}
    out: dict[str, str] = {}
    for component in COMPONENTS:
        value = str(raw.get(component) or "")
        if value and value not in ComponentState.values:
            raise field_error(
                "components", _("Choose a state for each component."), "bad_component"
            )
        if value:
            out[component] = value
    return out


def _assessment_values(
    data: Mapping[str, Any], household: Any, *, on_date: datetime.date | None = None
) -> dict[str, Any]:
    damage = str(data.get("damage") or "")
    if damage not in DamageCategory.values:
        raise field_error("damage", _("Choose the damage category."), "damage_required")
    assessed_on = data.get("assessed_on") or on_date or today()
    if not isinstance(assessed_on, datetime.date):
        raise field_error("assessed_on", _("Enter the date of the visit."), "date_required")
    if assessed_on > today():
        raise field_error("assessed_on", _("The visit cannot be in the future."), "date_in_future")
    occupants_raw = data.get("occupants")
    if occupants_raw in (None, ""):
        occupants = int(getattr(household, "size", 0) or 0)
    else:
        try:
            occupants = int(occupants_raw)
        except (TypeError, ValueError):
            occupants = -1
        if occupants < 0 or occupants > 200:
            raise field_error("occupants", _("Enter how many people live there."), "bad_occupants")
    return {
        "damage": damage,
        "assessed_on": assessed_on,
        "components": _components(data),
        "occupants": occupants,
        "covered_area_after_m2": _area(data, "covered_area_after_m2"),
        "habitable": bool(data.get("habitable")),
        "notes": _text(data, "notes", 5000),
    }


def _project(data: Mapping[str, Any]) -> Project:
    project = data.get("project")
    if not isinstance(project, Project):
        raise field_error("project", _("Choose the project."), "project_required")
    return project


def _clean_photos(photos: Iterable[Any] | None, already: int = 0) -> list[tuple[CleanPhoto, str]]:
    """[(photo, component)] from uploads or {"file", "component"} dicts."""
    items: list[tuple[Any, str]] = []
    for p in photos or []:
        if isinstance(p, Mapping):
            if p.get("file"):
                items.append((p["file"], str(p.get("component") or "")))
        elif p:
            items.append((p, ""))
    if already + len(items) > MAX_PHOTOS:
        raise field_error(
            "photos",
            _("An assessment has at most %(n)d photos.") % {"n": MAX_PHOTOS},
            "too_many_photos",
        )
    out = []
    for upload, component in items:
        if component and component not in Component.values:
            component = ""
        out.append((clean_photo(upload), component))
    return out


def _save_photos(
    assessment: Assessment, photos: list[tuple[CleanPhoto, str]], user: Any, written: list[str]
) -> None:
    for photo, component in photos:
        relative = PHOTOS.store(assessment.public_id, photo)
        written.append(relative)
        AssessmentPhoto.objects.create(
            assessment=assessment,
            path=relative,
            content_type=photo.content_type,
            component=component,
            uploaded_by=actor(user),
        )


def _write_boq(assessment: Assessment, lines: list[PricedLine]) -> None:
    assessment.boq.all().delete()
    BoqLine.objects.bulk_create(
        [
            BoqLine(
                assessment=assessment,
                item=line.item,
                quantity=line.quantity,
                unit_price=line.unit_price,
                total=line.total,
                note=line.note,
            )
            for line in lines
        ]
    )


def _submission_problems(assessment: Assessment) -> list[str]:
    problems = []
    missing = [c for c in COMPONENTS if not (assessment.components or {}).get(c)]
    if missing:
        labels = dict(Component.choices)
        problems.append(
            _("Record the state of: %(components)s.")
            % {"components": ", ".join(str(labels[c]) for c in missing)}
        )
    if not assessment.boq.exists():
        problems.append(_("Add at least one line to the bill of quantities."))
    if not assessment.photos.exists():
        problems.append(_("Add at least one photo of the damage."))
    if not assessment.occupants:
        problems.append(_("Enter how many people live there."))
    return problems


def _submit(user: Any, assessment: Assessment) -> None:
    problems = _submission_problems(assessment)
    if problems:
        raise ValidationFailed(
            _("The assessment cannot be submitted yet: %(problems)s")
            % {"problems": " ".join(problems)},
            code="assessment_incomplete",
            fields={"__all__": problems},
        )
    assessment.submitted_at = timezone.now()
    Assessment.STATUS_MACHINE.transition(
        assessment, to=Status.SUBMITTED, by=user, extra_updates=["submitted_at"]
    )
