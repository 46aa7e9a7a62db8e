"""Reads for deduplication: the review queue a user sees, one pair with both
households side by side, runs, merges, and what the household page shows.

A pair is visible when both its households are within the user's reach (a reviewer in
Duhok does not see a Duhok family's possible duplicate in Erbil, nor the other way).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from sanad.core.errors import NotFound
from sanad.core.scoping import ScopePaths, grant_filter, grants_for, has_permission
from sanad.dedup.models import REVIEW, RUN, VIEW, DedupRun, HouseholdMerge, MatchPair
from sanad.geo.selectors import governorates_within
from sanad.registry.models import Household, Individual
from sanad.registry.selectors import members_ordered


def _both_sides(
    qs: QuerySet[Any], user: Any, permission: str, left: str, right: str
) -> QuerySet[Any]:
    grants = grants_for(user, permission)
    if not grants:
        return qs.none()
    for path in (left, right):
        condition = grant_filter(grants, ScopePaths(governorate=path))
        if condition is not None:
            qs = qs.filter(condition)
    return qs


# --- pairs --------------------------------------------------------------------------------


def pairs_all() -> QuerySet[MatchPair]:
    return MatchPair.objects.select_related(
        "run",
        "left_individual",
        "right_individual",
        "left_household__governorate",
        "right_household__governorate",
        "reviewed_by",
    )


def pairs_visible_to(user: Any, permission: str = VIEW) -> QuerySet[MatchPair]:
    """Pairs whose two households are both within the user's reach for `permission`."""
    return _both_sides(
        pairs_all(),
        user,
        permission,
        "left_household__governorate__pcode",
        "right_household__governorate__pcode",
    )


def pair_get(*, user: Any, public_id: Any, permission: str = VIEW) -> MatchPair:
    pair = pairs_visible_to(user, permission).filter(public_id=public_id).first()
    if pair is None:
        raise NotFound()
    return pair


def between(a: Household | int, b: Household | int) -> Q:
    """Pairs between households `a` and `b`, in either order."""
    a_pk, b_pk = getattr(a, "pk", a), getattr(b, "pk", b)
    return Q(left_household_id=a_pk, right_household_id=b_pk) | Q(
        left_household_id=b_pk, right_household_id=a_pk
    )


def involving(household: Household | int) -> Q:
    pk = getattr(household, "pk", household)
    return Q(left_household_id=pk) | Q(right_household_id=pk)


def next_pending(*, user: Any, after: MatchPair) -> MatchPair | None:
    """The pending pair that follows `after` in the queue (highest probability first),
    skipping the other pairs between the same two households."""
    qs = (
        pairs_visible_to(user)
        .filter(status=MatchPair.Status.PENDING)
        .exclude(between(after.left_household_id, after.right_household_id))
    )
    later = qs.filter(
        Q(probability__lt=after.probability) | Q(probability=after.probability, pk__gt=after.pk)
    ).order_by("-probability", "pk")
    return later.first() or qs.order_by("-probability", "pk").first()


@dataclass
class Side:
    """One household of a pair page, with its members and whom each matched."""

    household: Household
    members: list[Individual] = field(default_factory=list)


def pair_sides(pair: MatchPair) -> tuple[Side, Side, list[MatchPair]]:
    """Both households with their current members; each member gets `match` (the
    member of the other household it was paired with, if any), `match_probability`
    and `is_pair` (one of the two people of this pair). Also every pair between the
    two households (all statuses), strongest first."""
    group = list(
        MatchPair.objects.filter(between(pair.left_household_id, pair.right_household_id))
        .exclude(status=MatchPair.Status.SUPERSEDED)
        .order_by("-probability", "pk")
    )
    households = {
        h.pk: h
        for h in Household.objects.select_related(
            "governorate", "admin_unit", "place", "merged_into"
        ).filter(pk__in=[pair.left_household_id, pair.right_household_id])
    }
    members = list(
        members_ordered().filter(household_id__in=list(households), status=Individual.Status.ACTIVE)
    )
    by_pk = {m.pk: m for m in members}
    partner: dict[int, tuple[int, float]] = {}
    for p in group:
        for a, b in (
            (p.left_individual_id, p.right_individual_id),
            (p.right_individual_id, p.left_individual_id),
        ):
            if a not in partner or partner[a][1] < p.probability:
                partner[a] = (b, p.probability)
    for m in members:
        other = partner.get(m.pk)
        m.match = by_pk.get(other[0]) if other else None  # type: ignore[attr-defined]
        m.match_probability = round(100 * other[1], 1) if other else None  # type: ignore[attr-defined]
        m.is_pair = m.pk in (pair.left_individual_id, pair.right_individual_id)  # type: ignore[attr-defined]
    left = Side(households[pair.left_household_id])
    right = Side(households[pair.right_household_id])
    for m in members:
        (left if m.household_id == left.household.pk else right).members.append(m)
    return left, right, group


# --- runs -----------------------------------------------------------------------------------


def runs_visible_to(user: Any) -> QuerySet[DedupRun]:
    """Runs over the registry are seen by everyone who sees pairs (a run shows counts;
    its pairs are filtered by scope). Linking runs quote a partner's list: the person
    who started one sees it, and so does whoever may run linking everywhere."""
    qs = DedupRun.objects.select_related("job", "import_batch", "programme", "created_by")
    if not has_permission(user, VIEW) and not has_permission(user, RUN):
        return qs.none()
    registry_runs = Q(kind__in=[DedupRun.Kind.REGISTRY, DedupRun.Kind.BATCH])
    if not has_permission(user, VIEW):
        registry_runs = Q(pk__in=[])
    if has_permission(user, RUN) and governorates_within(user, RUN) is None:
        links = Q(kind__in=DedupRun.LINK_KINDS)
    else:
        links = Q(kind__in=DedupRun.LINK_KINDS, created_by=user)
    return qs.filter(registry_runs | links)


def run_get(*, user: Any, public_id: Any) -> DedupRun:
    run = runs_visible_to(user).filter(public_id=public_id).first()
    if run is None:
        raise NotFound()
    return run


def runs_of_batch(batch: Any) -> QuerySet[DedupRun]:
    return DedupRun.objects.filter(import_batch=batch).select_related("job").order_by("-created_at")


def run_counts(*, user: Any, run: DedupRun) -> dict[str, int]:
    """The run's pairs the user sees, by band and status."""
    qs = pairs_visible_to(user).filter(run=run)
    counts = {f"{s}": 0 for s in MatchPair.Status.values}
    for status in MatchPair.Status.values:
        counts[status] = qs.filter(status=status).count()
    counts["flagged"] = qs.filter(band=MatchPair.Band.FLAGGED).count()
    counts["total"] = qs.count()
    return counts


# --- merges -----------------------------------------------------------------------------


def merges_visible_to(user: Any, permission: str = VIEW) -> QuerySet[HouseholdMerge]:
    return _both_sides(
        HouseholdMerge.objects.select_related(
            "survivor__governorate", "duplicate__governorate", "merged_by", "undone_by"
        ),
        user,
        permission,
        "survivor__governorate__pcode",
        "duplicate__governorate__pcode",
    )


def merge_get(*, user: Any, public_id: Any, permission: str = VIEW) -> HouseholdMerge:
    merge = merges_visible_to(user, permission).filter(public_id=public_id).first()
    if merge is None:
        raise NotFound()
    return merge


# --- the household page -------------------------------------------------------------------


def household_note(*, user: Any, household: Household) -> dict[str, Any]:
    """What the household page says about duplicates: pending possible duplicates the
    user may see, and merges into or out of this household."""
    if not has_permission(user, VIEW):
        return {"pending": [], "merges": [], "can_undo": False}
    pending = list(
        pairs_visible_to(user)
        .filter(involving(household), status=MatchPair.Status.PENDING)
        .order_by("-probability", "pk")
    )
    seen: set[int] = set()
    others = []
    for p in pending:
        other = p.right_household if p.left_household_id == household.pk else p.left_household
        if other.pk not in seen:
            seen.add(other.pk)
            others.append((other, p))
    merges = list(
        merges_visible_to(user)
        .filter(Q(survivor=household) | Q(duplicate=household))
        .order_by("-merged_at")
    )
    return {
        "pending": others,
        "merges": merges,
        "can_undo": has_permission(user, REVIEW),
    }
