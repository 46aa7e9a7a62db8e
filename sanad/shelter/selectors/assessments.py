"""Reads of the assessments part: assessments and their photos, the price catalogue,
prioritisation rounds and their rows, each through the scoping mechanism."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from sanad.core.errors import NotFound
from sanad.core.scoping import scoped
from sanad.shelter.models import (
    VIEW,
    Assessment,
    AssessmentPhoto,
    PriceItem,
    PriorityEntry,
    PriorityRound,
    UnitPrice,
)
from sanad.shelter.services._common import min_space
from sanad.shelter.services.catalogue import price_for  # noqa: F401  (read helper)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


# --- assessments ----------------------------------------------------------------------------


def below_standard_q() -> Q:
    """Assessments whose covered living space after the works is below the standard
    per person (unknown area or no occupants: not flagged)."""
    return Q(space_pp__lt=min_space())


def with_space(qs: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """Annotate `space_pp`: covered area after the works ÷ occupants (None if unknown)."""
    return qs.annotate(
        space_pp=Case(
            When(
                Q(occupants__gt=0) & Q(covered_area_after_m2__isnull=False),
                then=ExpressionWrapper(
                    F("covered_area_after_m2") * Value(Decimal("1.0")) / F("occupants"),
                    output_field=DecimalField(max_digits=12, decimal_places=4),
                ),
            ),
            default=None,
            output_field=DecimalField(max_digits=12, decimal_places=4),
        )
    )


def assessments_all() -> QuerySet[Assessment]:
    return Assessment.objects.select_related(
        "property__admin_unit", "governorate", "household", "project", "programme", "engineer"
    )


def assessments_for(user: Any, permission: str | None = None) -> QuerySet[Assessment]:
    return with_space(scoped(assessments_all(), user, permission or VIEW)).annotate(
        photo_count=Count("photos", distinct=True)
    )


def assessment_get(*, user: Any, public_id: Any, permission: str | None = None) -> Assessment:
    key = _uuid(public_id)
    assessment = (
        scoped(assessments_all(), user, permission or VIEW)
        .prefetch_related(
            Prefetch("boq", queryset=_boq_lines()),
            Prefetch("photos", queryset=AssessmentPhoto.objects.order_by("id")),
        )
        .filter(public_id=key)
        .first()
        if key
        else None
    )
    if assessment is None:
        raise NotFound()
    return assessment


def _boq_lines() -> QuerySet[Any]:
    from sanad.shelter.models import BoqLine

    return BoqLine.objects.select_related("item").order_by("id")


def photo_get(*, user: Any, public_id: Any, photo_id: int) -> AssessmentPhoto:
    """A photo of an assessment the user may see (404 otherwise)."""
    key = _uuid(public_id)
    photo = (
        scoped(AssessmentPhoto.objects.select_related("assessment"), user, VIEW)
        .filter(assessment__public_id=key, pk=photo_id)
        .first()
        if key
        else None
    )
    if photo is None:
        raise NotFound()
    return photo


def property_assessments(assessment: Assessment, user: Any) -> QuerySet[Assessment]:
    """Other assessments of the same house, newest first."""
    return (
        scoped(Assessment.objects.filter(property_id=assessment.property_id), user, VIEW)
        .exclude(pk=assessment.pk)
        .order_by("-assessed_on", "-id")
    )


def case_of(assessment: Assessment) -> Any:
    """The rehabilitation case opened from the assessment, if any."""
    from sanad.shelter.models import RehabCase

    return RehabCase.objects.filter(assessment=assessment).first()


# --- catalogue ------------------------------------------------------------------------------


def price_items(*, active_only: bool = False) -> QuerySet[PriceItem]:
    qs = PriceItem.objects.all().order_by("component", "code")
    return qs.filter(active=True) if active_only else qs


def price_item_get(*, public_id: Any) -> PriceItem:
    key = _uuid(public_id)
    item = PriceItem.objects.filter(public_id=key).first() if key else None
    if item is None:
        raise NotFound()
    return item


def prices_of(item: PriceItem) -> QuerySet[UnitPrice]:
    return item.prices.select_related("governorate").order_by(
        "governorate__name_en", "currency", "-valid_from"
    )


def current_prices(items: list[PriceItem], on_date: Any, governorate: Any = None) -> dict[int, Any]:
    """The price that applies on `on_date` (in `governorate`, else national) by item id,
    in either currency, read in one query."""
    rows = (
        UnitPrice.objects.filter(item__in=items, valid_from__lte=on_date)
        .filter(Q(governorate__isnull=True) | Q(governorate=governorate))
        .order_by("item_id", "-valid_from", "-id")
    )
    local: dict[tuple[int, str], Any] = {}
    national: dict[tuple[int, str], Any] = {}
    for p in rows:
        target = national if p.governorate_id is None else local
        target.setdefault((p.item_id, p.currency), p)
    out: dict[int, dict[str, Any]] = {}
    for key in {**national, **local}:
        out.setdefault(key[0], {})[key[1]] = local.get(key) or national[key]
    return out


# --- prioritisation -----------------------------------------------------------------------


def rounds_for(user: Any, permission: str | None = None) -> QuerySet[PriorityRound]:
    return (
        scoped(PriorityRound.objects.all(), user, permission or VIEW)
        .select_related("project", "programme", "beneficiary_list")
        .annotate(
            entry_count=Count("entries", distinct=True),
            selected_count=Count("entries", filter=Q(entries__selected=True), distinct=True),
        )
    )


def round_get(*, user: Any, public_id: Any, permission: str | None = None) -> PriorityRound:
    key = _uuid(public_id)
    rnd = (
        scoped(PriorityRound.objects.all(), user, permission or VIEW)
        .select_related("project", "programme", "beneficiary_list__model_version")
        .filter(public_id=key)
        .first()
        if key
        else None
    )
    if rnd is None:
        raise NotFound()
    return rnd


def round_entries(rnd: PriorityRound, user: Any) -> QuerySet[PriorityEntry]:
    """The round's rows in the user's governorates, by rank."""
    return (
        scoped(PriorityEntry.objects.filter(round=rnd), user, VIEW)
        .select_related(
            "assessment__property__admin_unit",
            "assessment__household",
            "assessment__governorate",
        )
        .order_by("rank")
    )


def lists_for_priority(user: Any) -> QuerySet[Any]:
    """Approved (or in use) targeting lists the user may see."""
    from sanad.targeting.selectors import lists_visible_to

    return lists_visible_to(user).filter(status__in=("approved", "in_use")).order_by("name")
