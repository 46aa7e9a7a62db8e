"""Damage assessments of houses: the property (address, coordinates, admin unit, the
occupant's tenure and documents) and, on the same form, the engineer's assessment —
damage category, component checklist, occupants, covered living space after the works,
photos and the bill of quantities priced from the catalogue.

draft → submitted → validated (by the programme, `shelter.manage_case`) or returned
with a reason → submitted again; cancelled with a reason. A re-assessment of the same
property is a new assessment.

The bill of quantities: each line's unit price is the catalogue's price of the item on
the assessment's date in the property's governorate (`catalogue.price_for`), its total
the quantity × unit price rounded to 0.01, and the assessment's total the sum of the
line totals (`boq_compute`), in the currency of the prices."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from sanad.core.photos import CleanPhoto, clean_photo
from sanad.core.scoping import can_reach, grants_for, has_permission
from sanad.geo.models import AdminUnit
from sanad.programmes.models import Project
from sanad.shelter.models import (
    ASSESS,
    COMPONENTS,
    MANAGE_CASE,
    Assessment,
    AssessmentPhoto,
    BoqLine,
    PriceItem,
    Property,
)
from sanad.shelter.models.common import Component, ComponentState, Currency, DamageCategory
from sanad.shelter.services import catalogue
from sanad.shelter.services._common import (
    PHOTOS,
    actor,
    money,
    next_reference,
    require,
    space_check,
    today,
)

Status = Assessment.Status
EDITABLE = (Status.DRAFT, Status.RETURNED)
MAX_PHOTOS = 12
MAX_BOQ_LINES = 200
QUANTITY_MAX = Decimal("999999999")


def _fail(field: str, message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: [message]})


# --- the bill of quantities: arithmetic ---------------------------------------------------


@dataclass(frozen=True)
class BoqTotals:
    line_totals: tuple[Decimal, ...]
    total: Decimal


def boq_compute(*, lines: Iterable[tuple[Any, Any]]) -> BoqTotals:
    """Line totals (quantity × unit price, each rounded half-up to 0.01) and the total
    (the sum of the rounded line totals, so the printed lines add up to the printed
    total). Pure arithmetic on Decimals; a quantity or price that is not a positive
    number is refused."""
    totals: list[Decimal] = []
    for n, (quantity, unit_price) in enumerate(lines, start=1):
        q, p = _decimal(quantity), _decimal(unit_price)
        if q is None or q <= 0 or p is None or p <= 0:
            raise _fail(
                "boq",
                _("Line %(n)d: the quantity and the unit price must be more than zero.") % {"n": n},
                "boq_line_invalid",
            )
        totals.append(money(q * p))
    return BoqTotals(line_totals=tuple(totals), total=money(sum(totals, Decimal("0"))))


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


@dataclass(frozen=True)
class PricedLine:
    item: PriceItem
    quantity: Decimal
    unit_price: Decimal
    total: Decimal
    note: str


def _item_of(value: Any) -> PriceItem | None:
    if isinstance(value, PriceItem):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    return PriceItem.objects.filter(code__iexact=text).first() or _by_public_id(text)


def _by_public_id(text: str) -> PriceItem | None:
    import uuid

    try:
        key = uuid.UUID(text)
    except ValueError:
        return None
    return PriceItem.objects.filter(public_id=key).first()


def _quantity(value: Any, n: int) -> Decimal:
    q = _decimal(value)
    if q is None or q <= 0:
        raise _fail(
            "boq",
            _("Line %(n)d: enter a quantity more than zero.") % {"n": n},
            "boq_quantity_invalid",
        )
    if q.as_tuple().exponent < -3 or q > QUANTITY_MAX:  # type: ignore[operator]
        raise _fail(
            "boq",
            _("Line %(n)d: give the quantity with at most three decimals.") % {"n": n},
            "boq_quantity_invalid",
        )
    return q


def boq_price(
    *,
    boq: Sequence[Mapping[str, Any]],
    governorate: AdminUnit,
    on_date: datetime.date,
    currency: str | None = None,
) -> tuple[list[PricedLine], Decimal, str]:
    """Price the lines `[{"item": PriceItem or code, "quantity", "note"}]` from the
    catalogue on `on_date` in `governorate`: the lines, the total and the currency.
    The prices are taken in `currency` (the project's) when the catalogue has every
    item in it, else in the other currency; an item with no price is named."""
    rows: list[tuple[PriceItem, Decimal, str]] = []
    if len(boq) > MAX_BOQ_LINES:
        raise _fail(
            "boq",
            _("A bill of quantities has at most %(n)d lines.") % {"n": MAX_BOQ_LINES},
            "boq_too_long",
        )
    for n, line in enumerate(boq, start=1):
        item = _item_of(line.get("item"))
        if item is None:
            raise _fail(
                "boq",
                _("Line %(n)d: choose an item of the price catalogue.") % {"n": n},
                "boq_item_unknown",
            )
        rows.append((item, _quantity(line.get("quantity"), n), str(line.get("note") or "")[:200]))
    if not rows:
        return [], Decimal("0.00"), currency or Currency.USD
    preferred = [currency] if currency else []
    preferred += [c for c in (Currency.USD, Currency.IQD) if c not in preferred]
    best: tuple[str, list[Any]] | None = None
    for cur in preferred:
        prices = [catalogue.price_for(item, governorate, on_date, cur) for item, _q, _n in rows]
        if all(p is not None for p in prices):
            best = (cur, prices)
            break
    if best is None:
        cur = preferred[0]
        missing = [
            item
            for item, _q, _n in rows
            if catalogue.price_for(item, governorate, on_date, cur) is None
        ]
        names = ", ".join(f"“{i.code} {i.name_en}”" for i in missing)
        raise ValidationFailed(
            _(
                "The price catalogue has no %(currency)s price for %(items)s in "
                "%(governorate)s on %(date)s. Ask for the price to be added to the "
                "catalogue, or remove the line."
            )
            % {
                "currency": cur,
                "items": names,
                "governorate": governorate.name_en,
                "date": on_date.isoformat(),
            },
            code="boq_no_price",
            fields={"boq": [_("No price for %(items)s.") % {"items": names}]},
            params={"items": [i.code for i in missing]},
        )
    cur, found = best
    unit_prices: list[Decimal] = [p.price for p in found]
    totals = boq_compute(lines=[(q, p) for (_i, q, _n), p in zip(rows, unit_prices, strict=True)])
    lines = [
        PricedLine(item=item, quantity=q, unit_price=p, total=t, note=note)
        for (item, q, note), p, t in zip(rows, unit_prices, totals.line_totals, strict=True)
    ]
    return lines, totals.total, cur


# --- reach --------------------------------------------------------------------------------


def _reaches(user: Any, permission: str, governorate: str, programme: str) -> bool:
    return any(
        (g.all_governorates or governorate in g.governorates)
        and (g.all_programmes or programme in g.programmes)
        for g in grants_for(user, permission)
    )


def _require_on(user: Any, assessment: Assessment, permission: str) -> None:
    require(user, permission, assessment)


def _locked(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().get(pk=assessment.pk)


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
        raise _fail(
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
        raise _fail(field, required, f"{field}_required")
    if len(value) > max_length:
        raise _fail(
            field, _("Shorten this to %(n)d characters.") % {"n": max_length}, f"{field}_too_long"
        )
    return value


def _coordinate(data: Mapping[str, Any], field: str, limit: int) -> Decimal | None:
    raw = data.get(field)
    if raw in (None, ""):
        return None
    value = _decimal(raw)
    if value is None or abs(value) > limit:
        raise _fail(
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
        raise _fail(field, _("Enter an area in m² more than zero."), f"bad_{field}")
    return money(value)


def _property_values(data: Mapping[str, Any], user: Any, project: Project) -> dict[str, Any]:
    unit = data.get("admin_unit")
    if not isinstance(unit, AdminUnit) or unit.level == AdminUnit.Level.GOVERNORATE:
        raise _fail(
            "admin_unit", _("Choose the district or sub-district of the house."), "admin_unit"
        )
    governorate = unit.governorate
    if governorate is None:
        raise _fail("admin_unit", _("Choose a sub-district."), "admin_unit")
    if not _reaches(user, ASSESS, governorate.pcode, project.programme.code):
        raise _fail(
            "admin_unit",
            _("You may not record assessments for this programme in %(governorate)s.")
            % {"governorate": governorate.name_en},
            "out_of_reach",
        )
    tenure = str(data.get("tenure") or "")
    if tenure not in Property.Tenure.values:
        raise _fail("tenure", _("Choose the occupant's tenure."), "tenure_required")
    documents = [str(d) for d in (data.get("documents") or [])]
    if any(d not in Property.Document.values for d in documents):
        raise _fail("documents", _("Choose documents from the list."), "invalid_document")
    if "none" in documents and len(documents) > 1:
        raise _fail(
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
            raise _fail("components", _("Choose a state for each component."), "bad_component")
        if value:
            out[component] = value
    return out


def _assessment_values(
    data: Mapping[str, Any], household: Any, *, on_date: datetime.date | None = None
) -> dict[str, Any]:
    damage = str(data.get("damage") or "")
    if damage not in DamageCategory.values:
        raise _fail("damage", _("Choose the damage category."), "damage_required")
    assessed_on = data.get("assessed_on") or on_date or today()
    if not isinstance(assessed_on, datetime.date):
        raise _fail("assessed_on", _("Enter the date of the visit."), "date_required")
    if assessed_on > today():
        raise _fail("assessed_on", _("The visit cannot be in the future."), "date_in_future")
    occupants_raw = data.get("occupants")
    if occupants_raw in (None, ""):
        occupants = int(getattr(household, "size", 0) or 0)
    else:
        try:
            occupants = int(occupants_raw)
        except (TypeError, ValueError):
            occupants = -1
        if occupants < 0 or occupants > 200:
            raise _fail("occupants", _("Enter how many people live there."), "bad_occupants")
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
        raise _fail("project", _("Choose the project."), "project_required")
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
        raise _fail(
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


# --- create, update ---------------------------------------------------------------------


def assessment_create(
    *,
    user: Any,
    data: Mapping[str, Any],
    boq: Sequence[Mapping[str, Any]] = (),
    photos: Iterable[Any] | None = None,
    submit: bool = False,
) -> Assessment:
    """Record a house and its damage assessment in one go (the engineer's phone form).

    `data`: project, admin_unit (district or sub-district), address, latitude,
    longitude, tenure, documents, owner_name, floor_area_m2; registration_id (optional:
    the occupying household) or household; property (a Property already assessed: a
    re-assessment); assessed_on, damage, components {component: state}, occupants
    (default: the household's size), covered_area_after_m2, habitable, notes.
    `boq`: [{"item", "quantity", "note"}], priced from the catalogue. `photos`: uploads
    (or {"file", "component"}). `submit`: submit at once rather than keep a draft."""
    require(user, ASSESS)
    project = _project(data)
    household = data.get("household") or household_by_registration(
        user=user, registration_id=str(data.get("registration_id") or "")
    )
    prop_values = _property_values(data, user, project)
    values = _assessment_values(data, household)
    existing = data.get("property")
    if existing is not None and (
        not isinstance(existing, Property) or not can_reach(user, existing, ASSESS)
    ):
        raise NotFound()
    lines, total, currency = boq_price(
        boq=boq,
        governorate=prop_values["governorate"],
        on_date=values["assessed_on"],
        currency=project.currency,
    )
    cleaned = _clean_photos(photos)
    written: list[str] = []
    try:
        for _attempt in range(3):
            try:
                with transaction.atomic():
                    if existing is not None:
                        prop = Property.objects.select_for_update().get(pk=existing.pk)
                        for name, value in prop_values.items():
                            setattr(prop, name, value)
                        prop.household = household or prop.household
                        prop.updated_by = actor(user)
                        prop.save()
                    else:
                        prop = Property.objects.create(
                            **prop_values,
                            household=household,
                            created_by=actor(user),
                            updated_by=actor(user),
                        )
                    assessment = Assessment.objects.create(
                        reference=next_reference(Assessment, "SA"),
                        property=prop,
                        household=household,
                        programme=project.programme,
                        project=project,
                        governorate=prop.governorate,
                        engineer=user,
                        boq_total=total,
                        currency=currency,
                        created_by=actor(user),
                        updated_by=actor(user),
                        **values,
                    )
                    _write_boq(assessment, lines)
                    _save_photos(assessment, cleaned, user, written)
                    if submit:
                        _submit(user, assessment)
                    return assessment
            except IntegrityError:
                PHOTOS.remove(written)
                written.clear()
        raise Conflict(_("Could not number the assessment. Save it again."), code="reference_busy")
    except BaseException:
        PHOTOS.remove(written)
        raise


def assessment_update(
    *,
    user: Any,
    assessment: Assessment,
    data: Mapping[str, Any],
    boq: Sequence[Mapping[str, Any]] | None = None,
    photos: Iterable[Any] | None = None,
    remove_photos: Iterable[int] = (),
    submit: bool = False,
) -> Assessment:
    """Correct a draft or returned assessment (same fields as `assessment_create`);
    `boq` (when given) replaces the bill of quantities, priced again on the
    assessment's date; `photos` are added, `remove_photos` (ids) removed. `submit`
    submits it (again) when complete."""
    require(user, ASSESS, assessment)
    if assessment.status not in EDITABLE:
        raise InvalidTransition(
            _("Only a draft or returned assessment can be changed."),
            code="assessment_not_editable",
        )
    project = _project(data)
    household = data.get("household")
    if household is None and "registration_id" in data:
        household = household_by_registration(
            user=user, registration_id=str(data.get("registration_id") or "")
        )
    elif household is None:
        household = assessment.household
    prop_values = _property_values(data, user, project)
    values = _assessment_values(data, household, on_date=assessment.assessed_on)
    lines: list[PricedLine] | None = None
    if boq is not None:
        lines, total, currency = boq_price(
            boq=boq,
            governorate=prop_values["governorate"],
            on_date=values["assessed_on"],
            currency=project.currency,
        )
    remove = {int(x) for x in remove_photos}
    kept = assessment.photos.exclude(pk__in=remove).count()
    cleaned = _clean_photos(photos, already=kept)
    written: list[str] = []
    dropped: list[str] = []
    try:
        with transaction.atomic():
            locked = _locked(assessment)
            if locked.status not in EDITABLE:
                raise InvalidTransition(
                    _("Only a draft or returned assessment can be changed."),
                    code="assessment_not_editable",
                )
            prop = Property.objects.select_for_update().get(pk=locked.property_id)
            for name, value in prop_values.items():
                setattr(prop, name, value)
            prop.household = household
            prop.updated_by = actor(user)
            prop.save()
            for name, value in values.items():
                setattr(locked, name, value)
            locked.household = household
            locked.project, locked.programme = project, project.programme
            locked.governorate = prop.governorate
            if lines is not None:
                _write_boq(locked, lines)
                locked.boq_total, locked.currency = total, currency
            locked.updated_by = actor(user)
            locked.save()
            gone = locked.photos.filter(pk__in=remove)
            dropped = list(gone.values_list("path", flat=True))
            gone.delete()
            _save_photos(locked, cleaned, user, written)
            if submit:
                _submit(user, locked)
    except BaseException:
        PHOTOS.remove(written)
        raise
    PHOTOS.remove(dropped)
    return locked


# --- the workflow -----------------------------------------------------------------------


def assessment_submit(*, user: Any, assessment: Assessment) -> Assessment:
    """Send a complete draft (or a corrected returned assessment) for validation: every
    checklist component recorded, at least one BoQ line and one photo, occupants."""
    require(user, ASSESS, assessment)
    with transaction.atomic():
        locked = _locked(assessment)
        if locked.status not in EDITABLE:
            raise InvalidTransition(
                _("Only a draft or returned assessment can be submitted."),
                code="assessment_not_submittable",
            )
        _submit(user, locked)
    return locked


def assessment_validate(*, user: Any, assessment: Assessment) -> Assessment:
    """Accept a submitted assessment: the house may then be prioritised and a case
    opened for it."""
    require(user, MANAGE_CASE, assessment)
    with transaction.atomic():
        locked = _locked(assessment)
        if locked.status != Status.SUBMITTED:
            raise InvalidTransition(
                _("Only a submitted assessment can be validated."),
                code="assessment_not_submitted",
            )
        locked.validated_by, locked.validated_at = user, timezone.now()
        Assessment.STATUS_MACHINE.transition(
            locked, to=Status.VALIDATED, by=user, extra_updates=["validated_by", "validated_at"]
        )
    return locked


def assessment_return(*, user: Any, assessment: Assessment, reason: str) -> Assessment:
    """Send a submitted assessment back to the engineer with what to correct."""
    require(user, MANAGE_CASE, assessment)
    reason = (reason or "").strip()
    if not reason:
        raise _fail("reason", _("Say what the engineer must correct."), "reason_required")
    with transaction.atomic():
        locked = _locked(assessment)
        if locked.status != Status.SUBMITTED:
            raise InvalidTransition(
                _("Only a submitted assessment can be returned."),
                code="assessment_not_submitted",
            )
        Assessment.STATUS_MACHINE.transition(locked, to=Status.RETURNED, by=user, reason=reason)
    return locked


def may_cancel(user: Any, assessment: Assessment) -> bool:
    """Who manages cases, or the engineer of a draft or returned assessment."""
    if assessment.status not in Assessment.STATUS_MACHINE.transitions:
        return False
    if has_permission(user, MANAGE_CASE) and can_reach(user, assessment, MANAGE_CASE):
        return True
    return (
        assessment.status in EDITABLE
        and assessment.engineer_id == getattr(user, "pk", None)
        and has_permission(user, ASSESS)
        and can_reach(user, assessment, ASSESS)
    )


def assessment_cancel(*, user: Any, assessment: Assessment, reason: str) -> Assessment:
    """Cancel an assessment (a duplicate, a house that no longer exists…), with a
    reason; a validated assessment is not cancelled (its case is)."""
    if not (has_permission(user, MANAGE_CASE) or has_permission(user, ASSESS)):
        from sanad.core.errors import PermissionDenied

        raise PermissionDenied(code="permission_denied")
    if not (can_reach(user, assessment, MANAGE_CASE) or can_reach(user, assessment, ASSESS)):
        raise NotFound()
    if not may_cancel(user, assessment):
        from sanad.core.errors import PermissionDenied

        raise PermissionDenied(
            _("Only the engineer of a draft, or a programme officer, can cancel it."),
            code="not_allowed_to_cancel",
        )
    reason = (reason or "").strip()
    if not reason:
        raise _fail("reason", _("Give a reason."), "reason_required")
    with transaction.atomic():
        locked = _locked(assessment)
        if not Assessment.STATUS_MACHINE.can(locked, Status.CANCELLED):
            raise InvalidTransition(
                _("A validated or cancelled assessment cannot be cancelled."),
                code="assessment_not_cancellable",
            )
        Assessment.STATUS_MACHINE.transition(locked, to=Status.CANCELLED, by=user, reason=reason)
    return locked


def space_of(assessment: Assessment) -> tuple[Decimal | None, bool]:
    """Covered living space per person after the works, and whether it is below the
    standard (3.5 m² per person by default)."""
    return space_check(assessment.covered_area_after_m2, assessment.occupants)
