"""Reads of local governance and social cohesion, always inside the user's scope:
community centres (visits, the cases logged there — read through
`feedback.selectors.cases_for`, so a restricted case stays invisible to whoever may not
know it exists), social-cohesion activities (participation grid, registered
participants), the channels a centre may use and the people who may be added."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from sanad.core.errors import NotFound
from sanad.core.scoping import scoped
from sanad.feedback.models import Case, Channel
from sanad.feedback.selectors import cases_for
from sanad.registry.models import Household, Individual
from sanad.revitalization.models import (
    VIEW,
    ActivityParticipation,
    AgeBand,
    CentreCase,
    CentreVisitDay,
    CohesionActivity,
    CommunityCentre,
    ParticipantGroup,
    Sex,
)
from sanad.revitalization.services._common import today
from sanad.revitalization.services.governance import CENTRE_CHANNEL_KINDS

VISIT_WINDOW_DAYS = 30
MAX_CANDIDATES = 10


# --- centres ----------------------------------------------------------------------------------


def centres_visible(user: Any, permission: str | None = None) -> QuerySet[CommunityCentre]:
    """The centres `user` may see (or act on with `permission`), with `visits_30`
    (visitors in the last 30 days) and `cases_logged` (links, whatever the case)."""
    since = today() - datetime.timedelta(days=VISIT_WINDOW_DAYS - 1)
    visits = (
        CentreVisitDay.objects.filter(centre=OuterRef("pk"), day__gte=since)
        .values("centre")
        .annotate(n=Sum("visitors_female") + Sum("visitors_male"))
        .values("n")
    )
    return scoped(
        CommunityCentre.objects.select_related(
            "community", "governorate", "place", "channel"
        ).annotate(
            visits_30=Coalesce(Subquery(visits, output_field=IntegerField()), 0),
        ),
        user,
        permission or VIEW,
    )


def centre_get(*, user: Any, public_id: Any, permission: str | None = None) -> CommunityCentre:
    centre = centres_visible(user, permission).filter(public_id=public_id).first()
    if centre is None:
        raise NotFound()
    return centre


def centre_channels(current: Channel | None = None) -> QuerySet[Channel]:
    """The channels a centre may log its cases under (its own, even if no longer active)."""
    keep = getattr(current, "pk", None) or 0
    return Channel.objects.filter(
        Q(kind__in=CENTRE_CHANNEL_KINDS, active=True) | Q(pk=keep)
    ).order_by("kind", "name")


def centre_visits(
    centre: CommunityCentre, *, days: int = VISIT_WINDOW_DAYS, on: datetime.date | None = None
) -> dict[str, Any]:
    """The visit rows of the last `days` days (newest first) and their totals."""
    end = on or today()
    start = end - datetime.timedelta(days=days - 1)
    rows = list(
        CentreVisitDay.objects.filter(centre=centre, day__gte=start, day__lte=end).order_by("-day")
    )
    totals = {
        "visitors_female": sum(r.visitors_female for r in rows),
        "visitors_male": sum(r.visitors_male for r in rows),
        "information_requests": sum(r.information_requests for r in rows),
        "referrals": sum(r.referrals for r in rows),
        "days": len(rows),
    }
    totals["visitors"] = totals["visitors_female"] + totals["visitors_male"]
    return {"rows": rows, "totals": totals, "start": start, "end": end}


def centre_cases(user: Any, centre: CommunityCentre) -> QuerySet[Case]:
    """The feedback cases logged at the centre that `user` may see (never a restricted
    case they may not know of)."""
    linked = CentreCase.objects.filter(centre=centre).values("case_id")
    return cases_for(user).filter(pk__in=linked).select_related("channel").order_by("-received_at")


def centre_visit_day(centre: CommunityCentre, day: datetime.date) -> CentreVisitDay | None:
    return CentreVisitDay.objects.filter(centre=centre, day=day).first()


# --- activities -------------------------------------------------------------------------------


def activities_visible(user: Any, permission: str | None = None) -> QuerySet[CohesionActivity]:
    """The activities `user` may see, with `people_counted` (the grid's total) and
    `registered` (registered participants)."""
    counted = (
        ActivityParticipation.objects.filter(activity=OuterRef("pk"))
        .values("activity")
        .annotate(n=Sum("count"))
        .values("n")
    )
    return scoped(
        CohesionActivity.objects.select_related(
            "community", "centre", "governorate", "project"
        ).annotate(
            people_counted=Coalesce(Subquery(counted, output_field=IntegerField()), 0),
            registered=Count("participants", distinct=True),
        ),
        user,
        permission or VIEW,
    )


def activity_get(*, user: Any, public_id: Any, permission: str | None = None) -> CohesionActivity:
    activity = activities_visible(user, permission).filter(public_id=public_id).first()
    if activity is None:
        raise NotFound()
    return activity


def participation_grid(activity: CohesionActivity) -> dict[str, Any]:
    """The participation counts as rows per group with a cell per sex × age band, and
    the totals by sex, by age band and overall."""
    counts: dict[tuple[str, str, str], int] = {
        (r.group, r.sex, r.age_band): r.count
        for r in ActivityParticipation.objects.filter(activity=activity)
    }
    columns = [(s, a) for s in Sex.values for a in AgeBand.values]
    rows = []
    by_column: dict[tuple[str, str], int] = defaultdict(int)
    for group in ParticipantGroup:
        cells = [counts.get((group.value, s, a), 0) for s, a in columns]
        for (s, a), n in zip(columns, cells, strict=True):
            by_column[(s, a)] += n
        rows.append(
            {"group": group.value, "label": group.label, "cells": cells, "total": sum(cells)}
        )
    return {
        "columns": [
            {"sex": s, "age_band": a, "sex_label": Sex(s).label, "age_label": AgeBand(a).label}
            for s, a in columns
        ],
        "rows": rows,
        "column_totals": [by_column[c] for c in columns],
        "by_sex": {s: sum(n for (cs, _a), n in by_column.items() if cs == s) for s in Sex.values},
        "total": sum(counts.values()),
        "groups": sorted({g for (g, _s, _a), n in counts.items() if n}),
        "counts": counts,
    }


def activity_participants(activity: CohesionActivity) -> QuerySet[Individual]:
    return activity.participants.select_related("household").order_by(
        "household__registration_id", "pk"
    )


def participant_candidates(user: Any, query: str) -> list[Individual]:
    """Current members of active households `user` sees in the registry that match
    `query` (registration id, name, phone or document), at most 10 households."""
    from sanad.registry.selectors import households_matching, households_visible_to

    query = (query or "").strip()
    if not query:
        return []
    households = households_matching(
        households_visible_to(user).filter(status=Household.Status.ACTIVE), query
    ).order_by("registration_id")[:MAX_CANDIDATES]
    return list(
        Individual.objects.filter(household__in=list(households), status=Individual.Status.ACTIVE)
        .select_related("household")
        .order_by("household__registration_id", "date_of_birth", "pk")
    )


def status_history(obj: Any) -> QuerySet[Any]:
    return type(obj).STATUS_MACHINE.history(obj).order_by("-at")  # type: ignore[attr-defined]


__all__ = [
    "activities_visible",
    "activity_get",
    "activity_participants",
    "centre_cases",
    "centre_channels",
    "centre_get",
    "centre_visit_day",
    "centre_visits",
    "centres_visible",
    "participant_candidates",
    "participation_grid",
    "status_history",
]
