"""Reading monitoring rounds, standards and the gaps matrix, always within the user's
scope (an out-of-scope round is a NotFound that reveals nothing)."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Sum

from sanad.camps.models import VIEW, Allocation, MonitoringRound, PopulationCount, Site, Standard
from sanad.core.errors import NotFound
from sanad.core.scoping import scoped

FILTERS = ("site", "month", "gaps", "status", "governorate")


def rounds_visible_to(user: Any, permission: str = VIEW) -> QuerySet[MonitoringRound]:
    return scoped(
        MonitoringRound.objects.select_related("site__place", "site__governorate"),
        user,
        permission,
    )


def sites_visible_to(user: Any, permission: str = VIEW) -> QuerySet[Site]:
    return scoped(Site.objects.select_related("place", "governorate"), user, permission)


def site_get(*, user: Any, public_id: Any, permission: str = VIEW) -> Site:
    try:
        found = sites_visible_to(user, permission).filter(public_id=public_id).first()
    except (ValueError, ValidationError):
        found = None
    if found is None:
        raise NotFound()
    return found


def round_get(*, user: Any, public_id: Any, permission: str = VIEW) -> MonitoringRound:
    try:
        found = rounds_visible_to(user, permission).filter(public_id=public_id).first()
    except (ValueError, ValidationError):
        found = None
    if found is None:
        raise NotFound()
    return found


def parse_month(value: Any) -> datetime.date | None:
    """ "2025-03" or "2025-03-17" → 2025-03-01; anything else → None."""
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    text = str(value or "").strip()
    try:
        if len(text) == 7:
            return datetime.date.fromisoformat(text + "-01")
        return datetime.date.fromisoformat(text).replace(day=1)
    except ValueError:
        return None


def round_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[MonitoringRound]:
    """Rounds the user may see, filtered: site (public id), month ("YYYY-MM"), gaps (only
    submitted rounds with at least one gap), status, governorate (P-code)."""
    filters = filters or {}
    qs = rounds_visible_to(user)
    if filters.get("site"):
        try:
            qs = qs.filter(site__public_id=filters["site"])
        except (ValueError, ValidationError):
            qs = qs.none()
    month = parse_month(filters.get("month")) if filters.get("month") else None
    if filters.get("month"):
        qs = qs.filter(month=month) if month else qs.none()
    if filters.get("gaps"):
        qs = qs.filter(status=MonitoringRound.Status.SUBMITTED, gaps__gt=0)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("governorate"):
        qs = qs.filter(site__governorate__pcode=filters["governorate"])
    return qs.order_by("-month", "site__place__name_en", "pk")


def standards_all() -> QuerySet[Standard]:
    return Standard.objects.order_by("order", "code")


def month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def population_at(*, site: Site, month: datetime.date) -> dict[str, int]:
    """The site's population in `month`: its count of that month, else its latest earlier
    count, else the households allocated there at the end of the month (with their
    registry sizes)."""
    month = month.replace(day=1)
    count = (
        PopulationCount.objects.filter(site=site, month__lte=month)
        .order_by("-month")
        .values("households", "individuals")
        .first()
    )
    if count is not None:
        return {"households": count["households"], "individuals": count["individuals"]}
    end = month_end(month)
    allocated = Allocation.objects.filter(site=site, started_on__lte=end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=end)
    )
    totals = allocated.aggregate(individuals=Sum("household__size"))
    return {"households": allocated.count(), "individuals": int(totals["individuals"] or 0)}


def previous_round(*, site: Site, month: datetime.date) -> MonitoringRound | None:
    """The site's latest round before `month` (to start a new one from its counts)."""
    return MonitoringRound.objects.filter(site=site, month__lt=month).order_by("-month").first()


def months_ending(last: datetime.date, count: int) -> list[datetime.date]:
    """`count` first-of-month dates ending with `last`'s month, oldest first."""
    year, month = last.year, last.month
    out = []
    for _i in range(max(1, count)):
        out.append(datetime.date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


def gaps_matrix(
    *, user: Any, months: Iterable[datetime.date], governorate: str | None = None
) -> dict[str, Any]:
    """Site × month grid of the gaps against standards, for the sites the user sees.

    {"months": [date], "rows": [{"site": Site, "cells": [cell per month]}],
     "totals": [{"month", "monitored", "with_gaps", "missing"} per month]}
    A cell: {"month", "state": "submitted" | "draft" | "missing", "round": MonitoringRound
    | None, "gaps": int, "failing": [{"code", "name", "value", "threshold", "direction",
    "unit", "note"}]}. Sites closed before the first month or opened after the last are
    left out."""
    month_list = sorted({m.replace(day=1) for m in months})
    if not month_list:
        return {"months": [], "rows": [], "totals": []}
    first, last = month_list[0], month_list[-1]
    sites = sites_visible_to(user).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=first),
        Q(opened_on__isnull=True) | Q(opened_on__lte=month_end(last)),
    )
    if governorate:
        sites = sites.filter(governorate__pcode=governorate)
    site_list = list(sites.order_by("governorate__pcode", "place__name_en", "pk"))
    rounds = rounds_visible_to(user).filter(
        site__in=[s.pk for s in site_list], month__in=month_list
    )
    by_key = {(r.site_id, r.month): r for r in rounds}
    rows = []
    totals: dict[datetime.date, dict[str, Any]] = {
        m: {"month": m, "monitored": 0, "with_gaps": 0, "missing": 0} for m in month_list
    }
    for site in site_list:
        cells = []
        for m in month_list:
            r = by_key.get((site.pk, m))
            if r is None:
                state, gaps, failing = "missing", 0, []
                totals[m]["missing"] += 1
            elif r.status == MonitoringRound.Status.SUBMITTED:
                state, gaps = "submitted", r.gaps
                failing = [
                    {k: v for k, v in res.items() if k != "met"}
                    for res in (r.results or [])
                    if not res.get("met")
                ]
                totals[m]["monitored"] += 1
                if gaps:
                    totals[m]["with_gaps"] += 1
            else:
                state, gaps, failing = "draft", 0, []
                totals[m]["missing"] += 1
            cells.append({"month": m, "state": state, "round": r, "gaps": gaps, "failing": failing})
        rows.append({"site": site, "cells": cells})
    return {"months": month_list, "rows": rows, "totals": [totals[m] for m in month_list]}
