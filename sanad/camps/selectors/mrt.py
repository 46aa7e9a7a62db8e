"""Reads for informal sites, hazards and trainings: what a user may see, the prioritised
list of sites and a training's figures.

The priority score of a site (0–100, the higher the sooner a team should go):

    2 × the highest risk among its open hazards        (0–50)
  + 3 × its open hazards, counting at most 5           (0–15)
  + eviction risk: high 20, medium 10, low or unknown 0 (0–20)
  + 1 per 10 families present, counting at most 150    (0–15)

Families present: those the latest Mobile Response Team visit counted; without one, the
households of the latest population count.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from statistics import mean
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from sanad.camps.models import (
    VIEW,
    Hazard,
    Mitigation,
    MrtVisit,
    PopulationCount,
    Site,
    Training,
    TrainingParticipant,
)
from sanad.camps.services.mrt import BAND_RANGES, OPEN_MITIGATION, risk_band
from sanad.core.scoping import scoped

RISK_WEIGHT = 2
HAZARD_POINTS, HAZARD_CAP = 3, 5
EVICTION_POINTS = {"high": 20, "medium": 10, "low": 0, "": 0}
FAMILIES_PER_POINT, FAMILY_POINTS_CAP = 10, 15

FORMULA = _(
    "Score = 2 × the highest risk of its open hazards (up to 50) + 3 for each open hazard "
    "(up to 5 hazards, 15) + eviction risk (high 20, medium 10, low 0) + 1 for every 10 "
    "families present (up to 15). Families present come from the latest MRT visit, or "
    "the latest population count when no visit counted them."
)


@dataclass(frozen=True)
class Priority:
    site: Site
    max_risk: int
    open_hazards: int
    eviction_risk: str
    families: int | None
    risk_points: int
    hazard_points: int
    eviction_points: int
    family_points: int
    last_visit: datetime.date | None = None

    @property
    def score(self) -> int:
        return self.risk_points + self.hazard_points + self.eviction_points + self.family_points

    @property
    def band(self) -> str:
        return risk_band(self.max_risk) if self.max_risk else ""


def priority_points(
    *, max_risk: int, open_hazards: int, eviction_risk: str, families: int | None
) -> tuple[int, int, int, int]:
    """The four parts of the score: (risk, hazards, eviction, families)."""
    return (
        RISK_WEIGHT * int(max_risk or 0),
        HAZARD_POINTS * min(int(open_hazards or 0), HAZARD_CAP),
        EVICTION_POINTS.get(eviction_risk or "", 0),
        min(int(families or 0) // FAMILIES_PER_POINT, FAMILY_POINTS_CAP),
    )


def priority_score(
    *, max_risk: int, open_hazards: int, eviction_risk: str, families: int | None
) -> int:
    return sum(
        priority_points(
            max_risk=max_risk,
            open_hazards=open_hazards,
            eviction_risk=eviction_risk,
            families=families,
        )
    )


PRIORITY_SORTS: dict[str, Callable[[Priority], Any]] = {
    "score": lambda p: (p.score, p.max_risk),
    "risk": lambda p: (p.max_risk, p.score),
    "hazards": lambda p: (p.open_hazards, p.score),
    "families": lambda p: (p.families or 0, p.score),
    "name": lambda p: str(p.site.place.name).lower(),
    "visit": lambda p: p.last_visit or datetime.date.min,
}


def site_priorities(
    *,
    user: Any,
    kind: str = "",
    governorate: str = "",
    sort: str = "-score",
) -> list[Priority]:
    """The open sites the user may see, scored (see the module's docstring), sorted by
    `sort` (a key of PRIORITY_SORTS, "-" for descending; the highest score first by
    default)."""
    latest_visit = MrtVisit.objects.filter(site=OuterRef("pk"), families_present__isnull=False)
    latest_count = PopulationCount.objects.filter(site=OuterRef("pk")).order_by("-month")
    open_q = Q(hazards__status=Hazard.Status.OPEN)
    qs = (
        scoped(Site.objects.all(), user, VIEW)
        .filter(closed_on__isnull=True)
        .select_related("place", "governorate")
        .annotate(
            max_open_risk=Max("hazards__risk", filter=open_q),
            open_hazard_count=Count("hazards", filter=open_q, distinct=True),
            visit_families=Subquery(
                latest_visit.order_by("-visited_on", "-pk").values("families_present")[:1]
            ),
            counted_households=Subquery(latest_count.values("households")[:1]),
            last_visit_on=Subquery(
                MrtVisit.objects.filter(site=OuterRef("pk"))
                .order_by("-visited_on")
                .values("visited_on")[:1]
            ),
        )
    )
    if kind:
        qs = qs.filter(place__kind=kind)
    if governorate:
        qs = qs.filter(governorate__pcode=governorate)
    rows = []
    for site in qs:
        families = (
            site.visit_families if site.visit_families is not None else site.counted_households
        )
        points = priority_points(
            max_risk=site.max_open_risk or 0,
            open_hazards=site.open_hazard_count,
            eviction_risk=site.eviction_risk,
            families=families,
        )
        rows.append(
            Priority(
                site=site,
                max_risk=site.max_open_risk or 0,
                open_hazards=site.open_hazard_count,
                eviction_risk=site.eviction_risk,
                families=families,
                risk_points=points[0],
                hazard_points=points[1],
                eviction_points=points[2],
                family_points=points[3],
                last_visit=site.last_visit_on,
            )
        )
    key = sort.lstrip("-")
    if key not in PRIORITY_SORTS:
        key, sort = "score", "-score"
    rows.sort(key=lambda p: str(p.site.place.name).lower())
    rows.sort(key=PRIORITY_SORTS[key], reverse=sort.startswith("-"))
    return rows


# --- visits and hazards ----------------------------------------------------------------------
def visits_visible(user: Any, permission: str = VIEW) -> QuerySet[MrtVisit]:
    return scoped(
        MrtVisit.objects.select_related("site__place", "site__governorate"), user, permission
    )


def hazards_visible(user: Any, permission: str = VIEW) -> QuerySet[Hazard]:
    today = datetime.date.today()
    return scoped(
        Hazard.objects.select_related("site__place", "visit").annotate(
            open_actions=Count(
                "mitigations", filter=Q(mitigations__status__in=OPEN_MITIGATION), distinct=True
            ),
            overdue_actions=Count(
                "mitigations",
                filter=Q(mitigations__status__in=OPEN_MITIGATION, mitigations__due_on__lt=today),
                distinct=True,
            ),
        ),
        user,
        permission,
    )


def hazards_in_band(qs: QuerySet[Hazard], band: str) -> QuerySet[Hazard]:
    low, high = BAND_RANGES[band]
    return qs.filter(risk__gte=low, risk__lte=high)


def visit_get(*, user: Any, public_id: Any) -> MrtVisit:
    visit = visits_visible(user).filter(public_id=public_id).first()
    if visit is None:
        raise Http404
    return visit


def hazard_get(*, user: Any, public_id: Any) -> Hazard:
    hazard = hazards_visible(user).filter(public_id=public_id).first()
    if hazard is None:
        raise Http404
    return hazard


def mitigations_of(hazard: Hazard) -> QuerySet[Mitigation]:
    return hazard.mitigations.order_by("status", "due_on", "pk")


# --- trainings -------------------------------------------------------------------------------
def trainings_visible(user: Any, permission: str = VIEW) -> QuerySet[Training]:
    return scoped(
        Training.objects.select_related("site__place", "governorate").annotate(
            participant_count=Count("participants")
        ),
        user,
        permission,
    )


def training_get(*, user: Any, public_id: Any, permission: str = VIEW) -> Training:
    training = trainings_visible(user, permission).filter(public_id=public_id).first()
    if training is None:
        raise Http404
    return training


def _average(values: list[int]) -> float | None:
    return round(float(mean(values)), 1) if values else None


def training_summary(participants: list[TrainingParticipant]) -> dict[str, Any]:
    """Participants by sex and by organisation; the average pre- and post-test scores
    (of those who sat each test) and the average gain (of those who sat both)."""
    by_sex = {"female": 0, "male": 0}
    by_org: dict[str, int] = {}
    for p in participants:
        by_sex[p.sex] = by_sex.get(p.sex, 0) + 1
        org = p.organisation.name if p.organisation_id and p.organisation else ""
        by_org[org] = by_org.get(org, 0) + 1
    pre = [p.pre_score for p in participants if p.pre_score is not None]
    post = [p.post_score for p in participants if p.post_score is not None]
    both = [
        p.post_score - p.pre_score
        for p in participants
        if p.pre_score is not None and p.post_score is not None
    ]
    return {
        "total": len(participants),
        "by_sex": by_sex,
        "by_organisation": sorted(by_org.items(), key=lambda kv: (not kv[0], -kv[1], kv[0])),
        "average_pre": _average(pre),
        "average_post": _average(post),
        "average_gain": _average(both),
        "with_both_scores": len(both),
    }
