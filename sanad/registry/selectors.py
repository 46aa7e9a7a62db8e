"""Reads for the registry: households a user may see, search through the index of
search keys, and the full record of one household."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from sanad.core.errors import NotFound
from sanad.core.scoping import scoped
from sanad.registry.derive import query_keys
from sanad.registry.models import (
    Consent,
    DisplacementMove,
    Household,
    HouseholdPhone,
    Individual,
    IndividualDocument,
    SearchKey,
)

VIEW = Household.VIEW_PERMISSION
# A name token shorter than this is matched exactly: a one-letter prefix would scan
# a large part of the index.
MIN_PREFIX = 2


def households_all() -> QuerySet[Household]:
    return Household.objects.select_related("governorate", "admin_unit", "place")


def households_visible_to(user: Any, permission: str | None = None) -> QuerySet[Household]:
    return scoped(households_all(), user, permission or VIEW)


def heads_prefetch() -> Prefetch:
    """The current head of each household, as `household.heads` (a list of 0 or 1)."""
    return Prefetch(
        "members",
        queryset=Individual.objects.filter(
            relationship=Individual.Relationship.HEAD, status=Individual.Status.ACTIVE
        ),
        to_attr="heads",
    )


def _upper_bound(key: str) -> str:
    """The smallest string greater than every string starting with `key` in code-point
    order (SQLite's default). On PostgreSQL the range is still an index scan; under a
    linguistic collation its edges follow that collation, so a "C" collation on
    `SearchKey.key` keeps prefix search exact there."""
    return key[:-1] + chr(ord(key[-1]) + 1)


def households_matching(queryset: QuerySet[Household], query: str) -> QuerySet[Household]:
    """Narrow `queryset` to the households whose search keys match every term of
    `query` (names in either script, normalised; phone; document number; registration
    id). Each term is an indexed look-up or range scan on `SearchKey(key, household)`;
    never a scan of the names."""
    if not (query or "").strip():
        return queryset
    keys = query_keys(query)
    if not keys:
        return queryset.none()
    for full_key, is_prefix in keys[:6]:
        key = full_key[:60]  # as stored (SearchKey.key holds 60 characters)
        term = key.split(":", 1)[1]
        if is_prefix and len(term) >= MIN_PREFIX:
            match = SearchKey.objects.filter(key__gte=key, key__lt=_upper_bound(key))
        else:
            match = SearchKey.objects.filter(key=key)
        queryset = queryset.filter(pk__in=match.values("household_id"))
    return queryset


def household_search(
    *, user: Any, query: str, queryset: QuerySet[Household] | None = None
) -> QuerySet[Household]:
    """Households visible to `user` that match `query` (see `households_matching`)."""
    base = queryset if queryset is not None else households_visible_to(user)
    return households_matching(base, query)


def members_ordered() -> QuerySet[Individual]:
    """Members with their documents, the head first, then by date of birth."""
    from django.db.models import Case, IntegerField, Value, When

    return (
        Individual.objects.annotate(
            _head_first=Case(
                When(relationship=Individual.Relationship.HEAD, then=Value(0)),
                When(relationship=Individual.Relationship.SPOUSE, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            _current_first=Case(
                When(status=Individual.Status.ACTIVE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("_current_first", "_head_first", "date_of_birth", "pk")
        .prefetch_related(
            Prefetch(
                "documents",
                queryset=IndividualDocument.objects.select_related("issuing_governorate").order_by(
                    "kind"
                ),
            )
        )
    )


def household_detail(*, user: Any, public_id: Any, permission: str | None = None) -> Household:
    """One household the user may see, with members (and their documents), phones,
    consents and displacement history prefetched. Out of scope: NotFound."""
    household = (
        households_visible_to(user, permission)
        .select_related("origin_admin_unit", "admin_unit__parent", "place__admin_unit")
        .prefetch_related(
            Prefetch("members", queryset=members_ordered()),
            Prefetch("phones", queryset=HouseholdPhone.objects.order_by("-is_primary", "pk")),
            Prefetch("consents", queryset=Consent.objects.order_by("purpose")),
            Prefetch(
                "moves",
                queryset=DisplacementMove.objects.select_related(
                    "from_admin_unit", "to_admin_unit", "to_place"
                ).order_by("moved_on", "pk"),
            ),
        )
        .filter(public_id=public_id)
        .first()
    )
    if household is None:
        raise NotFound()
    return household


def household_get(*, user: Any, public_id: Any, permission: str | None = None) -> Household:
    """One household the user may see (or reach with `permission`); NotFound otherwise."""
    household = households_visible_to(user, permission).filter(public_id=public_id).first()
    if household is None:
        raise NotFound()
    return household


def individuals_visible_to(user: Any, permission: str | None = None) -> QuerySet[Individual]:
    return scoped(
        Individual.objects.select_related("household"), user, permission or VIEW
    ).prefetch_related("documents")


def member_get(*, household: Household, public_id: Any) -> Individual:
    member = household.members.filter(public_id=public_id).first()
    if member is None:
        raise NotFound()
    return member


def status_history(household: Household) -> QuerySet[Any]:
    return Household.STATUS_MACHINE.history(household)


def member_status_history(household: Household) -> QuerySet[Any]:
    """Members who left or died: who recorded it, when and why."""
    from django.contrib.contenttypes.models import ContentType

    from sanad.core.models import StatusTransition

    ids = [str(pk) for pk in household.members.values_list("pk", flat=True)]
    return StatusTransition.objects.filter(
        content_type=ContentType.objects.get_for_model(Individual), object_pk__in=ids
    ).select_related("by")
