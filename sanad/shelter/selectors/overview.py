"""The shelter project view: per project the user reaches, houses assessed, cases by
status, cost per house and per m², delays, houses below the space standard, and the
progress of site upgrades and camp roads; for one project, the same figures by
governorate and by modality.

Every figure counts only records inside the user's scope (a Duhok officer sees the
Duhok houses of a project that also works in Ninewa). A handful of grouped queries,
whatever the number of projects.

- Houses assessed: validated assessments.
- Cost per house: the actual cost (else the budget) of the cases whose works are
  completed (completed, handed over, closed), divided by their number; per m²: divided
  by their covered living space after the works. Per currency (a project may pay in
  IQD and USD).
- Delays: cases past their planned end and not completed; contract payment milestones
  past their due date and not certified (active contracts); upgrades
  and roads past their planned end and not completed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, Sum
from django.db.models.functions import Coalesce

from sanad.core.scoping import scoped
from sanad.geo.models import AdminUnit
from sanad.programmes.models import Project
from sanad.shelter.models import (
    VIEW,
    Assessment,
    ContractMilestone,
    RehabCase,
    RoadProject,
    SiteUpgrade,
    UpgradeHousehold,
)
from sanad.shelter.models.works import WorkStatus
from sanad.shelter.selectors import cases as cases_selectors
from sanad.shelter.selectors import contracts as contracts_selectors
from sanad.shelter.selectors.works import percent, works_delayed_q
from sanad.shelter.services._common import money, today

CaseStatus = RehabCase.Status
DONE = (CaseStatus.COMPLETED, CaseStatus.HANDED_OVER, CaseStatus.CLOSED)
SHELTER = "SHELTER"
BY = ("project", "governorate", "modality")

# The path of the grouping key, and of the project, from each model.
_KEYS: dict[str, dict[str, str]] = {
    "project": {
        "assessment": "project_id",
        "case": "project_id",
        "milestone": "contract__project_id",
        "upgrade": "project_id",
        "reached": "upgrade__project_id",
        "road": "project_id",
    },
    "governorate": {
        "assessment": "governorate_id",
        "case": "governorate_id",
        "milestone": "contract__governorate_id",
        "upgrade": "governorate_id",
        "reached": "upgrade__governorate_id",
        "road": "governorate_id",
    },
    # Only cases have a modality; a contract's milestones are the contractor modality's.
    "modality": {"case": "modality"},
}
_PROJECT = {
    "assessment": "project",
    "case": "project",
    "milestone": "contract__project",
    "upgrade": "project",
    "reached": "upgrade__project",
    "road": "project",
}


def case_delayed_q(on: datetime.date | None = None) -> Q:
    """Cases whose planned end has passed and whose works are not completed (the case
    list's `delayed=1`)."""
    return cases_selectors.delayed_q(on)


def milestone_late_q(on: datetime.date | None = None) -> Q:
    """Payment milestones of an active contract past due and not certified."""
    return contracts_selectors.milestone_overdue_q(on)


@dataclass
class Cost:
    """What the completed houses cost, in one currency."""

    currency: str
    houses: int
    total: Decimal
    area: Decimal

    @property
    def per_house(self) -> Decimal | None:
        return money(self.total / self.houses) if self.houses else None

    @property
    def per_m2(self) -> Decimal | None:
        return money(self.total / self.area) if self.area else None


@dataclass
class Figures:
    assessed: int = 0
    cases_open: int = 0
    cases_in_progress: int = 0
    cases_completed: int = 0
    cases_handed_over: int = 0  # handed over or closed
    cases_delayed: int = 0
    below_standard: int = 0
    milestones_late: int = 0
    costs: list[Cost] = field(default_factory=list)
    upgrades: int = 0
    upgrades_delayed: int = 0
    upgrade_households_planned: int = 0
    upgrade_households_reached: int = 0
    roads: int = 0
    roads_delayed: int = 0
    road_length_m: Decimal = Decimal("0")
    road_length_done_m: Decimal = Decimal("0")

    @property
    def cases(self) -> int:
        return (
            self.cases_open + self.cases_in_progress + self.cases_completed + self.cases_handed_over
        )

    @property
    def delays(self) -> int:
        return (
            self.cases_delayed + self.milestones_late + self.upgrades_delayed + self.roads_delayed
        )

    @property
    def upgrade_progress(self) -> int:
        return percent(self.upgrade_households_reached, self.upgrade_households_planned)

    @property
    def road_progress(self) -> int:
        return percent(self.road_length_done_m, self.road_length_m)

    @property
    def empty(self) -> bool:
        return not (self.assessed or self.cases or self.upgrades or self.roads)


def _qs(model: Any, user: Any, what: str, project: Project | None) -> Any:
    qs = scoped(model.objects.all(), user, VIEW)
    if project is not None:
        qs = qs.filter(**{_PROJECT[what]: project})
    return qs.order_by()


def figures(
    *,
    user: Any,
    by: str = "project",
    project: Project | None = None,
    on: datetime.date | None = None,
) -> dict[Any, Figures]:
    """{key: Figures} grouped `by` project (key: project pk), governorate (admin unit
    pk) or modality (its value), within `project` if given."""
    if by not in BY:
        raise ValueError(by)
    on = on or today()
    keys = _KEYS[by]
    out: dict[Any, Figures] = {}

    def at(key: Any) -> Figures:
        return out.setdefault(key, Figures())

    if "assessment" in keys:
        k = keys["assessment"]
        rows = (
            _qs(Assessment, user, "assessment", project)
            .filter(status=Assessment.Status.VALIDATED)
            .values(k)
            .annotate(n=Count("pk"))
        )
        for r in rows:
            at(r[k]).assessed = r["n"]

    k = keys["case"]
    cases = _qs(RehabCase, user, "case", project)
    rows = cases.values(k).annotate(
        open=Count("pk", filter=Q(status=CaseStatus.OPEN)),
        in_progress=Count("pk", filter=Q(status=CaseStatus.IN_PROGRESS)),
        completed=Count("pk", filter=Q(status=CaseStatus.COMPLETED)),
        handed_over=Count("pk", filter=Q(status__in=(CaseStatus.HANDED_OVER, CaseStatus.CLOSED))),
        delayed=Count("pk", filter=case_delayed_q(on)),
        below=Count("pk", filter=Q(below_standard=True) & ~Q(status=CaseStatus.CANCELLED)),
    )
    for r in rows:
        f = at(r[k])
        f.cases_open, f.cases_in_progress = r["open"], r["in_progress"]
        f.cases_completed, f.cases_handed_over = r["completed"], r["handed_over"]
        f.cases_delayed, f.below_standard = r["delayed"], r["below"]
    money_field = DecimalField(max_digits=20, decimal_places=2)
    rows = (
        cases.filter(status__in=DONE)
        .values(k, "currency")
        .annotate(
            houses=Count("pk"),
            total=Sum(Coalesce("actual_cost", "budget"), output_field=money_field),
            area=Sum("covered_area_after_m2", output_field=money_field),
        )
        .order_by(k, "currency")
    )
    for r in rows:
        at(r[k]).costs.append(
            Cost(
                currency=r["currency"],
                houses=r["houses"],
                total=money(r["total"] or 0),
                area=Decimal(r["area"] or 0),
            )
        )

    if "milestone" in keys:
        k = keys["milestone"]
        rows = (
            _qs(ContractMilestone, user, "milestone", project)
            .filter(milestone_late_q(on))
            .values(k)
            .annotate(n=Count("pk"))
        )
        for r in rows:
            at(r[k]).milestones_late = r["n"]

    if "upgrade" in keys:
        k = keys["upgrade"]
        rows = (
            _qs(SiteUpgrade, user, "upgrade", project)
            .exclude(status=WorkStatus.CANCELLED)
            .values(k)
            .annotate(
                n=Count("pk"),
                planned=Sum("planned_households"),
                delayed=Count("pk", filter=works_delayed_q(on)),
            )
        )
        for r in rows:
            f = at(r[k])
            f.upgrades, f.upgrades_delayed = r["n"], r["delayed"]
            f.upgrade_households_planned = r["planned"] or 0
        k = keys["reached"]
        rows = (
            _qs(UpgradeHousehold, user, "reached", project)
            .exclude(upgrade__status=WorkStatus.CANCELLED)
            .values(k)
            .annotate(n=Count("pk"))
        )
        for r in rows:
            at(r[k]).upgrade_households_reached = r["n"]

    if "road" in keys:
        k = keys["road"]
        rows = (
            _qs(RoadProject, user, "road", project)
            .exclude(status=WorkStatus.CANCELLED)
            .values(k)
            .annotate(
                n=Count("pk"),
                length=Sum("length_m"),
                done=Sum(F("length_done_m")),
                delayed=Count("pk", filter=works_delayed_q(on)),
            )
        )
        for r in rows:
            f = at(r[k])
            f.roads, f.roads_delayed = r["n"], r["delayed"]
            f.road_length_m = Decimal(r["length"] or 0)
            f.road_length_done_m = Decimal(r["done"] or 0)
    return out


def projects_visible(user: Any) -> Any:
    """Projects of the programmes `user` sees shelter records of."""
    return scoped(Project.objects.select_related("programme"), user, VIEW)


def overview(*, user: Any, on: datetime.date | None = None) -> list[tuple[Project, Figures]]:
    """Per project the user reaches (of the shelter programme, or with shelter records
    in the user's scope), its figures; projects with figures first, then by code."""
    by_project = figures(user=user, by="project", on=on)
    projects = projects_visible(user).filter(
        Q(programme__code=SHELTER) | Q(pk__in=list(by_project))
    )
    rows = [(p, by_project.get(p.pk) or Figures()) for p in projects]
    rows.sort(key=lambda pf: (pf[1].empty, pf[0].code))
    return rows


def project_get(*, user: Any, public_id: Any) -> Project:
    """A project the user reaches with the shelter view permission, else NotFound."""
    from sanad.core.errors import NotFound

    project = projects_visible(user).filter(public_id=public_id).first()
    if project is None:
        raise NotFound()
    return project


def project_breakdown(
    *, user: Any, project: Project, on: datetime.date | None = None
) -> dict[str, Any]:
    """The project's figures in total, by governorate (ordered by name) and by
    modality."""
    total = figures(user=user, by="project", project=project, on=on).get(project.pk) or Figures()
    by_gov = figures(user=user, by="governorate", project=project, on=on)
    units = {u.pk: u for u in AdminUnit.objects.filter(pk__in=[k for k in by_gov if k])}
    governorates = sorted(
        ((units[k], f) for k, f in by_gov.items() if k in units), key=lambda uf: uf[0].name_en
    )
    by_mod = figures(user=user, by="modality", project=project, on=on)
    modalities = [
        (value, label, by_mod[value])
        for value, label in RehabCase.Modality.choices
        if value in by_mod
    ]
    return {"total": total, "governorates": governorates, "modalities": modalities}


COLUMNS: list[tuple[str, str]] = [
    ("assessed", "#assessed+houses"),
    ("cases_open", "#cases+open"),
    ("cases_in_progress", "#cases+in_progress"),
    ("cases_completed", "#cases+completed"),
    ("cases_handed_over", "#cases+handed_over"),
    ("cases_delayed", "#cases+delayed"),
    ("below_standard", "#cases+below_standard"),
    ("milestones_late", "#milestones+late"),
    ("upgrades", "#upgrades"),
    ("upgrade_households_planned", "#upgrades+households+planned"),
    ("upgrade_households_reached", "#upgrades+households+reached"),
    ("upgrades_delayed", "#upgrades+delayed"),
    ("roads", "#roads"),
    ("road_length_m", "#roads+length"),
    ("road_length_done_m", "#roads+length+done"),
    ("roads_delayed", "#roads+delayed"),
]


def export_rows(
    *, project: Project, breakdown: dict[str, Any]
) -> tuple[list[str], list[str], list[list[Any]]]:
    """(headers, HXL tags, rows) of a project's figures: the total, each governorate
    and each modality, one cost line per currency."""
    headers = [
        "project",
        "level",
        "name",
        *[c for c, _t in COLUMNS],
        "currency",
        "houses_completed",
        "cost_total",
        "cost_per_house",
        "cost_per_m2",
    ]
    tags = [
        "#activity+code",
        "#meta+level",
        "#meta+name",
        *[t for _c, t in COLUMNS],
        "#currency",
        "#cases+completed+costed",
        "#value+total",
        "#value+per_house",
        "#value+per_m2",
    ]
    rows: list[list[Any]] = []

    def add(level: str, name: str, f: Figures) -> None:
        base = [project.code, level, name, *[getattr(f, c) for c, _t in COLUMNS]]
        if not f.costs:
            rows.append([*base, "", 0, "", "", ""])
        for cost in f.costs:
            rows.append(
                [
                    *base,
                    cost.currency,
                    cost.houses,
                    cost.total,
                    cost.per_house if cost.per_house is not None else "",
                    cost.per_m2 if cost.per_m2 is not None else "",
                ]
            )

    add("project", project.code, breakdown["total"])
    for unit, f in breakdown["governorates"]:
        add("governorate", f"{unit.pcode} {unit.name_en}", f)
    for value, _label, f in breakdown["modalities"]:
        add("modality", value, f)
    return headers, tags, rows
