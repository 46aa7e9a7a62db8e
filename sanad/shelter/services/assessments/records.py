"""Creating and correcting assessments, and their workflow: submitted, validated or
returned for correction, cancelled."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, InvalidTransition, NotFound, field_error
from sanad.core.scoping import can_reach, has_permission
from sanad.shelter.models import (
    ASSESS,
    MANAGE_CASE,
    Assessment,
    Property,
)
from sanad.shelter.services._common import (
    PHOTOS,
    actor,
    next_reference,
    require,
    space_check,
)
from sanad.shelter.services.assessments._base import (
    EDITABLE,
    Status,
    _locked,
)
from sanad.shelter.services.assessments._input import (
    _assessment_values,
    _clean_photos,
    _project,
    _property_values,
    _save_photos,
    _submit,
    _write_boq,
    household_by_registration,
)
from sanad.shelter.services.assessments.boq import (
    PricedLine,
    boq_price,
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
        raise field_error("reason", _("Say what the engineer must correct."), "reason_required")
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
        raise field_error("reason", _("Give a reason."), "reason_required")
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
