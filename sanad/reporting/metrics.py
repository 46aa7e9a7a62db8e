"""Figures that come from the programme modules' own records rather than from the
assistance ledger: how many people live in the sites, how many metres of camp road were
rehabilitated, how many feedback cases were closed. An indicator whose measure is
"module" shows one of them (`Indicator.metric` is a code of `METRICS`).

Each figure is read through its module's selectors and respects what it can of the
report's filters (`Filters`: period, governorate, programme, project); its definition
says which filters it ignores, and is shown next to the figure.

Scope. A figure is an aggregate: it is counted within the reach of the user's
assignments for aggregate figures (`reporting.view_aggregates`), whatever module
permissions they hold, so that an M&E officer or a donor sees the same figure as the
programme's dashboard would show someone with that reach. Restricted feedback cases
(abuse reports, conduct complaints) are never counted: the reader used for the modules'
selectors holds no permission that unlocks them. Without a user (commands, scheduled
exports) everything is counted.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from sanad.accounts.roles import SENSITIVE
from sanad.core.scoping import ScopeGrant, grants_for
from sanad.reporting.models import AGGREGATES
from sanad.reporting.selectors.figures import Filters

Number = int | Decimal
EVERYTHING = ScopeGrant(all_governorates=True, all_programmes=True)


@dataclass(frozen=True)
class Metric:
    code: str
    label: Any  # lazily translated
    definition: Any  # lazily translated: what it counts, and which filters it ignores
    compute: Callable[[Filters, Any], Number]
    programme: str | None = None  # the programme whose records it counts, if only one
    counts_people: bool = False  # a count of people or households (suppressed when small)
    unit: Any = ""


class _Reader:
    """Stands for a user when the modules' selectors count records for an aggregate:
    it reaches what the user's assignments for aggregate figures reach (or everything),
    and never holds a permission that unlocks restricted records."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    is_staff = False
    pk = None
    id = None

    def __init__(self, grants: list[ScopeGrant]) -> None:
        self._grants = grants

    def scope_grants(self, permission: str) -> list[ScopeGrant]:
        return [] if permission in SENSITIVE else list(self._grants)

    def has_sanad_permission(self, permission: str) -> bool:
        return bool(self.scope_grants(permission))

    def roles(self) -> list[str]:
        return []


def reader_for(user: Any, *, programme: str | None = None) -> _Reader:
    """The reader for `user` (None: everything). With `programme`, only the assignments
    that reach that programme count (for records, such as sites, that belong to one
    programme without saying so)."""
    grants = [EVERYTHING] if user is None else grants_for(user, AGGREGATES)
    if programme:
        grants = [g for g in grants if g.all_programmes or programme in g.programmes]
    return _Reader(grants)


def _other_programme(f: Filters, programme: str) -> bool:
    return bool(f.programme) and f.programme != programme


def _period(qs: QuerySet[Any], field: str, f: Filters) -> QuerySet[Any]:
    if f.start:
        qs = qs.filter(**{f"{field}__gte": f.start})
    if f.end:
        qs = qs.filter(**{f"{field}__lte": f.end})
    return qs


def _project(f: Filters) -> Any:
    from sanad.programmes.models import Project

    if not f.project:
        return None
    return Project.objects.filter(pk=f.project).first() or False


def _governorate(f: Filters) -> Any:
    from sanad.geo.models import AdminUnit

    if not f.governorate:
        return None
    return AdminUnit.objects.filter(level=1, pcode=f.governorate).first() or False


# --- community revitalization -----------------------------------------------------------------
def _revitalization(f: Filters, user: Any) -> tuple[Any, Any, list[Any]] | None:
    from sanad.revitalization.selectors import dashboard

    if _other_programme(f, "CRP"):
        return None
    project, governorate = _project(f), _governorate(f)
    if project is False or governorate is False:
        return None
    reader = reader_for(user)
    rf = dashboard.Filters(start=f.start, end=f.end, governorate=governorate, project=project)
    return reader, rf, dashboard._benefiting_projects(reader, rf)


def people_benefiting_infrastructure(f: Filters, user: Any) -> int:
    from sanad.revitalization.selectors import dashboard

    found = _revitalization(f, user)
    if found is None:
        return 0
    reader, rf, projects = found
    return int(dashboard.people_benefiting(reader, rf, projects)["total"])


def communities_reached(f: Filters, user: Any) -> int:
    from sanad.revitalization.selectors import dashboard

    found = _revitalization(f, user)
    if found is None:
        return 0
    reader, rf, projects = found
    return int(dashboard.communities_reached(reader, rf, projects)["total"])


# --- camps ------------------------------------------------------------------------------------
def people_in_sites(f: Filters, user: Any) -> int:
    from sanad.camps.models import Allocation, PopulationCount
    from sanad.camps.selectors.monitoring import sites_visible_to
    from sanad.reporting.common import month_end, month_start

    if _other_programme(f, "CCCM"):
        return 0
    end = f.end or month_end(datetime.date.today())
    sites = sites_visible_to(reader_for(user, programme="CCCM"))
    if f.governorate:
        sites = sites.filter(governorate__pcode=f.governorate)
    sites = sites.filter(Q(opened_on__isnull=True) | Q(opened_on__lte=end)).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=end)
    )
    # What `population_at` reads, for every site at once: the latest count of each site
    # (one query), and for the sites never counted, the members of the households
    # allocated there at the end of the month (one more).
    latest = PopulationCount.objects.filter(
        site=OuterRef("pk"), month__lte=month_start(end)
    ).order_by("-month")
    total, uncounted = 0, []
    for site_id, counted in sites.annotate(
        counted=Subquery(latest.values("individuals")[:1])
    ).values_list("pk", "counted"):
        if counted is None:
            uncounted.append(site_id)
        else:
            total += int(counted)
    if uncounted:
        allocated = Allocation.objects.filter(site_id__in=uncounted, started_on__lte=end).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=end)
        )
        total += int(allocated.aggregate(n=Sum("household__size"))["n"] or 0)
    return total


def sites_visited_by_mrt(f: Filters, user: Any) -> int:
    from sanad.camps.selectors.mrt import visits_visible

    if _other_programme(f, "CCCM"):
        return 0
    visits = visits_visible(reader_for(user, programme="CCCM"))
    if f.governorate:
        visits = visits.filter(site__governorate__pcode=f.governorate)
    visits = _period(visits, "visited_on", f)
    return visits.order_by().values("site").distinct().count()


# --- shelter ----------------------------------------------------------------------------------
def _shelter_narrow(qs: QuerySet[Any], f: Filters) -> QuerySet[Any]:
    if f.governorate:
        qs = qs.filter(governorate__pcode=f.governorate)
    if f.programme:
        qs = qs.filter(programme__code=f.programme)
    if f.project:
        qs = qs.filter(project_id=f.project)
    return qs


def road_metres(f: Filters, user: Any) -> Decimal:
    from sanad.shelter.selectors.works import road_reports, roads_for

    roads = _shelter_narrow(roads_for(reader_for(user)), f)
    total = Decimal("0")
    for road in roads:
        reports = [(r.reported_on, r.length_done_m) for r in road_reports(road)]

        def done_by(day: datetime.date | None, road: Any = road, reports: Any = reports) -> Decimal:
            if day is None:
                return Decimal(road.length_m if road.completed_on else road.length_done_m)
            if road.completed_on and road.completed_on <= day:
                return Decimal(road.length_m)
            earlier = [length for on, length in reports if on <= day]
            return Decimal(max(earlier)) if earlier else Decimal("0")

        before = done_by(f.start - datetime.timedelta(days=1)) if f.start else Decimal("0")
        total += max(Decimal("0"), done_by(f.end) - before)
    return total


def cash_houses_completed(f: Filters, user: Any) -> int:
    from sanad.shelter.selectors.cases import cases_for

    cases = _shelter_narrow(cases_for(reader_for(user)), f).filter(
        modality="cash", handed_over_on__isnull=False
    )
    return _period(cases, "handed_over_on", f).order_by().values("pk").distinct().count()


# --- feedback ---------------------------------------------------------------------------------
def _closed_cases(f: Filters, user: Any) -> QuerySet[Any]:
    from sanad.feedback.selectors import cases_for

    cases = cases_for(reader_for(user)).filter(status="closed", closed_at__isnull=False)
    if f.governorate:
        cases = cases.filter(governorate__pcode=f.governorate)
    if f.programme:
        cases = cases.filter(programme__code=f.programme)
    if f.start:
        cases = cases.filter(closed_at__date__gte=f.start)
    if f.end:
        cases = cases.filter(closed_at__date__lte=f.end)
    return cases


def cases_closed(f: Filters, user: Any) -> int:
    return _closed_cases(f, user).order_by().values("pk").distinct().count()


def cases_closed_loop(f: Filters, user: Any) -> int:
    return (
        _closed_cases(f, user).filter(loop_closed=True).order_by().values("pk").distinct().count()
    )


METRICS: dict[str, Metric] = {
    m.code: m
    for m in (
        Metric(
            code="crp_people_benefiting_infrastructure",
            label=_("People benefiting from rehabilitated community infrastructure"),
            definition=_(
                "The population served by community infrastructure projects completed or "
                "handed over in the period, as estimated for each project. Within a community "
                "only the largest figure counts (the people who use the new school also drink "
                "from the new water network), then communities are added up. Counts the "
                "community revitalization programme only; filters by period, governorate and "
                "donor project."
            ),
            compute=people_benefiting_infrastructure,
            programme="CRP",
            counts_people=True,
            unit=_("people"),
        ),
        Metric(
            code="crp_communities_reached",
            label=_("Communities reached by community revitalization"),
            definition=_(
                "Each community once if, in the period, an infrastructure project was completed "
                "or handed over there, a business grant agreement was signed with one of its "
                "applicants, a course finished with at least one trainee who completed it, or a "
                "social-cohesion activity was held. Filters by period, governorate and donor "
                "project."
            ),
            compute=communities_reached,
            programme="CRP",
            unit=_("communities"),
        ),
        Metric(
            code="cccm_people_in_sites",
            label=_("People living in sites at the end of the period"),
            definition=_(
                "The people living in the camps, informal sites and collective centres open on "
                "the last day of the period: each site's population count of the last month of "
                "the period (or its latest earlier count; without any count, the members of the "
                "households allocated there). A stock, not a flow: the start of the period does "
                "not matter. Filters by governorate; ignores donor projects (sites do not belong "
                "to one)."
            ),
            compute=people_in_sites,
            programme="CCCM",
            counts_people=True,
            unit=_("people"),
        ),
        Metric(
            code="cccm_sites_visited_mrt",
            label=_("Sites visited by Mobile Response Teams"),
            definition=_(
                "The sites (mostly informal sites) that a Mobile Response Team visited at least "
                "once in the period, each site once however many visits. Filters by period and "
                "governorate; ignores donor projects (visits are not recorded against one)."
            ),
            compute=sites_visited_by_mrt,
            programme="CCCM",
            unit=_("sites"),
        ),
        Metric(
            code="shelter_road_metres",
            label=_("Metres of camp road rehabilitated"),
            definition=_(
                "The length of camp roads rehabilitated in the period: for each road project, "
                "the length done by the end of the period (its whole length once completed, "
                "otherwise its last progress report) less the length done before the period "
                "started. Filters by period, governorate, programme and donor project."
            ),
            compute=road_metres,
            programme="SHELTER",
            unit=_("metres"),
        ),
        Metric(
            code="shelter_cash_houses_completed",
            label=_("Houses completed through cash for rehabilitation"),
            definition=_(
                "Rehabilitation cases in the cash modality (beneficiary-led, paid in tranches) "
                "handed over to the family in the period, one per house. Filters by period, "
                "governorate, programme and donor project."
            ),
            compute=cash_houses_completed,
            programme="SHELTER",
            counts_people=True,
            unit=_("households"),
        ),
        Metric(
            code="cwc_cases_closed",
            label=_("Feedback cases closed"),
            definition=_(
                "Complaints, requests and feedback closed in the period, from any channel. "
                "Reports of abuse and complaints about staff conduct are never counted here. "
                "Filters by period, governorate and the programme a case concerns; ignores "
                "donor projects (cases are not recorded against one)."
            ),
            compute=cases_closed,
            unit=_("cases"),
        ),
        Metric(
            code="cwc_cases_closed_loop",
            label=_("Feedback cases closed with the loop closed"),
            definition=_(
                "Feedback cases closed in the period for which the person confirmed they were "
                "told the outcome (the loop was closed). Reports of abuse and complaints about "
                "staff conduct are never counted here. Filters by period, governorate and the "
                "programme a case concerns; ignores donor projects."
            ),
            compute=cases_closed_loop,
            unit=_("cases"),
        ),
    )
}


def metric_choices() -> list[tuple[str, Any]]:
    return [(code, m.label) for code, m in METRICS.items()]
