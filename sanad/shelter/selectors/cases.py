"""Reads of rehabilitation cases, their inspections, photos and defects, always inside
the user's scope."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When

from sanad.core.errors import NotFound
from sanad.core.scoping import scoped
from sanad.shelter.models import Defect, Inspection, InspectionPhoto, RehabCase
from sanad.shelter.services._common import today

NOT_LATE = ("completed", "handed_over", "closed", "cancelled")
OPEN_DEFECTS = (Defect.Status.OPEN, Defect.Status.FIXED)


def delayed_q(on: datetime.date | None = None, prefix: str = "") -> Q:
    """Cases whose planned end has passed and whose works are not completed.
    `prefix` ("case__") filters related records by their case."""
    return Q(**{f"{prefix}planned_end__lt": on or today()}) & ~Q(
        **{f"{prefix}status__in": NOT_LATE}
    )


def is_delayed(case: RehabCase, on: datetime.date | None = None) -> bool:
    return bool(
        case.planned_end and case.planned_end < (on or today()) and case.status not in NOT_LATE
    )


def cases_for(user: Any, permission: str | None = None) -> QuerySet[RehabCase]:
    """The cases `user` may see, with `is_delayed` and the number of open defects."""
    return (
        scoped(RehabCase.objects.all(), user, permission)
        .select_related("property__admin_unit", "household", "project", "governorate", "contract")
        .annotate(
            is_delayed=Case(
                When(delayed_q(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            open_defects=Count("defects", filter=Q(defects__status__in=OPEN_DEFECTS)),
        )
    )


def case_get(*, user: Any, public_id: Any, permission: str | None = None) -> RehabCase:
    case = (
        scoped(RehabCase.objects.all(), user, permission)
        .select_related(
            "property__admin_unit",
            "household",
            "programme",
            "project",
            "governorate",
            "assessment",
            "contract__contractor",
            "entitlement__plan",
        )
        .filter(public_id=public_id)
        .first()
    )
    if case is None:
        raise NotFound()
    return case


def inspections_for(user: Any, permission: str | None = None) -> QuerySet[Inspection]:
    return scoped(Inspection.objects.all(), user, permission).select_related(
        "case__property", "milestone", "inspector"
    )


def inspection_get(*, user: Any, public_id: Any, permission: str | None = None) -> Inspection:
    inspection = (
        inspections_for(user, permission)
        .select_related("case__household", "case__entitlement__plan")
        .filter(public_id=public_id)
        .first()
    )
    if inspection is None:
        raise NotFound()
    return inspection


def photo_get(*, user: Any, pk: int) -> InspectionPhoto:
    """An inspection's photo, only if the user may see its case."""
    photo = (
        InspectionPhoto.objects.filter(
            pk=pk, inspection__case__in=scoped(RehabCase.objects.all(), user)
        )
        .select_related("inspection")
        .first()
    )
    if photo is None:
        raise NotFound()
    return photo


def defect_get(*, user: Any, public_id: Any, permission: str | None = None) -> Defect:
    defect = (
        scoped(Defect.objects.all(), user, permission)
        .select_related("case")
        .filter(public_id=public_id)
        .first()
    )
    if defect is None:
        raise NotFound()
    return defect


def shelter_entitlements(household_id: int | None, *, exclude_case: Any = None) -> list[Any]:
    """A household's entitlements a cash case may be paid through: of an approved plan
    paid on verified shelter milestones, not cancelled, not paying another live case."""
    from sanad.cash.models import Entitlement

    if household_id is None:
        return []
    taken = RehabCase.objects.exclude(status="cancelled").filter(entitlement__isnull=False)
    if exclude_case is not None:
        taken = taken.exclude(pk=exclude_case.pk)
    return list(
        Entitlement.objects.filter(
            household_id=household_id,
            plan__condition="shelter_milestone",
            plan__status="approved",
        )
        .exclude(status="cancelled")
        .exclude(pk__in=taken.values("entitlement_id"))
        .select_related("plan")
        .order_by("-plan__created_at")
    )


def ledger_record(case: RehabCase) -> Any:
    """The assistance ledger's record of the handed-over house, if any."""
    from sanad.assistance.models import AssistanceRecord

    return AssistanceRecord.objects.filter(
        source_type="shelter_case", source_id=str(case.pk)
    ).first()


def tranche_releases(case: RehabCase) -> dict[int, Any]:
    """{tranche: its release record} of the case's entitlement."""
    if case.entitlement_id is None:
        return {}
    from sanad.cash.models import TrancheRelease

    return {
        r.tranche: r
        for r in TrancheRelease.objects.filter(entitlement_id=case.entitlement_id).order_by(
            "tranche"
        )
    }


def open_assessments_for(user: Any, permission: str, limit: int = 50) -> list[Any]:
    """Validated assessments without a case the user may open one for."""
    from sanad.shelter.models import Assessment

    return list(
        scoped(Assessment.objects.filter(status="validated", case__isnull=True), user, permission)
        .select_related("property", "household")
        .order_by("-assessed_on", "-id")[:limit]
    )
