"""Reads about sites: the list with its figures (population, capacity use, open tickets,
open hazards, gaps of the last round: correlated subqueries, one query for a page),
a site's dashboard, the map's points, population series and closure plans."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from sanad.camps.models import (
    VIEW,
    Allocation,
    ClosurePlan,
    Hazard,
    MonitoringRound,
    PopulationCount,
    Site,
    Ticket,
)
from sanad.core.errors import NotFound
from sanad.core.scoping import scoped

CLOSED_TICKET = (Ticket.Status.VERIFIED, Ticket.Status.REJECTED)


def _count(qs: QuerySet[Any]) -> Subquery:
    return Subquery(
        qs.order_by().values("site").annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField(),
    )


def sites_with_figures(queryset: QuerySet[Site] | None = None) -> QuerySet[Site]:
    """Sites annotated with `people` (latest count's individuals), `population_month`,
    `households_now` (current allocations), `open_tickets`, `open_hazards`,
    `last_gaps` (last submitted round's gaps, None without one)."""
    qs = queryset if queryset is not None else Site.objects.all()
    latest = PopulationCount.objects.filter(site=OuterRef("pk")).order_by("-month")
    last_round = MonitoringRound.objects.filter(
        site=OuterRef("pk"), status=MonitoringRound.Status.SUBMITTED
    ).order_by("-month")
    return qs.select_related("place", "governorate", "managing_agency").annotate(
        people=Coalesce(Subquery(latest.values("individuals")[:1]), Value(0)),
        population_households=Coalesce(Subquery(latest.values("households")[:1]), Value(0)),
        population_month=Subquery(latest.values("month")[:1]),
        households_now=Coalesce(
            _count(Allocation.objects.filter(site=OuterRef("pk"), ended_on__isnull=True)),
            Value(0),
        ),
        open_tickets=Coalesce(
            _count(Ticket.objects.filter(site=OuterRef("pk")).exclude(status__in=CLOSED_TICKET)),
            Value(0),
        ),
        open_hazards=Coalesce(
            _count(Hazard.objects.filter(site=OuterRef("pk"), status=Hazard.Status.OPEN)),
            Value(0),
        ),
        max_risk=Subquery(
            Hazard.objects.filter(site=OuterRef("pk"), status=Hazard.Status.OPEN)
            .order_by("-risk")
            .values("risk")[:1]
        ),
        last_gaps=Subquery(last_round.values("gaps")[:1]),
        last_round_month=Subquery(last_round.values("month")[:1]),
    )


def sites_visible_to(user: Any, permission: str = VIEW) -> QuerySet[Site]:
    return scoped(Site.objects.all(), user, permission)


def site_get(*, user: Any, public_id: Any, permission: str = VIEW) -> Site:
    site = (
        sites_with_figures(sites_visible_to(user, permission))
        .select_related("place__admin_unit", "authority")
        .filter(public_id=public_id)
        .first()
    )
    if site is None:
        raise NotFound()
    return site


def capacity_use(site: Site) -> int | None:
    """Households living there now against plots (or shelters), in percent."""
    capacity = site.capacity_plots or site.capacity_shelters
    households = getattr(site, "households_now", None)
    if households is None:
        households = Allocation.objects.filter(site=site, ended_on__isnull=True).count()
    if not households:
        households = getattr(site, "population_households", 0) or 0
    if not capacity:
        return None
    return round(100 * households / capacity)


def population_series(site: Site, *, months: int | None = None) -> list[PopulationCount]:
    """The site's monthly counts, oldest first (the last `months` only, if given)."""
    qs = PopulationCount.objects.filter(site=site).order_by("-month")
    rows = list(qs[:months] if months else qs)
    rows.reverse()
    return rows


def population_chart(rows: list[PopulationCount]) -> dict[str, Any]:
    return {
        "labels": [r.month.strftime("%Y-%m") for r in rows],
        "individuals": [r.individuals for r in rows],
        "households": [r.households for r in rows],
    }


def site_dashboard(site: Site) -> dict[str, Any]:
    """What the site's page shows from every part: population, last round's results,
    open tickets, open hazards, current closure plan."""
    series = population_series(site, months=24)
    last_round = (
        MonitoringRound.objects.filter(site=site, status=MonitoringRound.Status.SUBMITTED)
        .order_by("-month")
        .first()
    )
    open_tickets = Ticket.objects.filter(site=site).exclude(status__in=CLOSED_TICKET)
    open_hazards = Hazard.objects.filter(site=site, status=Hazard.Status.OPEN)
    plots = {
        "total": site.plots.count(),
        "occupied": Allocation.objects.filter(
            site=site, ended_on__isnull=True, plot__isnull=False
        ).count(),
    }
    return {
        "series": series,
        "latest": series[-1] if series else None,
        "chart": population_chart(series),
        "last_round": last_round,
        "gap_results": [r for r in (last_round.results if last_round else []) if not r.get("met")],
        "open_tickets": list(open_tickets.order_by("due_at")[:8]),
        "open_tickets_count": open_tickets.count(),
        "overdue_tickets": open_tickets.exclude(status=Ticket.Status.DONE)
        .filter(due_at__lt=_now())
        .count(),
        "open_hazards": list(open_hazards.order_by("-risk")[:8]),
        "open_hazards_count": open_hazards.count(),
        "plots": plots,
        "closure": ClosurePlan.objects.filter(site=site)
        .exclude(status__in=(ClosurePlan.Status.DONE, ClosurePlan.Status.CANCELLED))
        .first(),
        "capacity_use": capacity_use(site),
    }


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


def site_colour(site: Site) -> str:
    """The map's colour: red with a high-risk hazard (≥ 10) or 3+ gaps, amber with any
    open hazard or gap, green otherwise, grey with no information."""
    risk = getattr(site, "max_risk", None) or 0
    gaps = getattr(site, "last_gaps", None)
    if risk >= 10 or (gaps or 0) >= 3:
        return "red"
    if risk or (gaps or 0):
        return "amber"
    if gaps is None and not getattr(site, "open_hazards", 0):
        return "grey"
    return "green"


def map_points(queryset: QuerySet[Site]) -> list[dict[str, Any]]:
    """Sites with coordinates, for the map (no personal data)."""
    from django.urls import reverse

    points = []
    for site in queryset.filter(place__lat__isnull=False, place__lon__isnull=False):
        points.append(
            {
                "name": site.place.name,
                "code": site.place.code,
                "kind": site.place.get_kind_display(),
                "lat": site.place.lat,
                "lon": site.place.lon,
                "population": getattr(site, "people", 0),
                "open_hazards": getattr(site, "open_hazards", 0),
                "gaps": getattr(site, "last_gaps", None),
                "open_tickets": getattr(site, "open_tickets", 0),
                "colour": site_colour(site),
                "url": reverse("camps:site_detail", args=[site.public_id]),
            }
        )
    return points


def plots_with_occupants(site: Site) -> list[Any]:
    """The site's plots, each with `.current` (its current allocation or None)."""
    current = {
        a.plot_id: a
        for a in Allocation.objects.filter(
            site=site, ended_on__isnull=True, plot__isnull=False
        ).select_related("household")
    }
    plots = list(site.plots.all())
    for plot in plots:
        plot.current = current.get(plot.pk)  # type: ignore[attr-defined]
    return plots


def closures_visible_to(user: Any, permission: str = VIEW) -> QuerySet[ClosurePlan]:
    return scoped(
        ClosurePlan.objects.select_related("site__place").annotate(
            household_count=Count("households"),
            moved_count=Count("households", filter=Q(households__status="moved")),
        ),
        user,
        permission,
    )


def closure_get(*, user: Any, public_id: Any, permission: str = VIEW) -> ClosurePlan:
    plan = closures_visible_to(user, permission).filter(public_id=public_id).first()
    if plan is None:
        raise NotFound()
    return plan
