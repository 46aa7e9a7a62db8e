"""The programme's dashboard: its three headline figures, each computed from the data
with its method in words and a breakdown of how it is counted, and summary tiles.

1. People directly assisted — `assistance.selectors.people_reached` over the programme's
   (CRP) ledger records: each person once, whatever number of activities reached them
   (cash-for-work payments, business grants, completed training, social-cohesion
   activities); a record for a household counts its members at the time; a merged
   duplicate household counts through the household it joined. The breakdown per
   source counts the people named on each kind of record (so they add up to more than
   the total when someone took part in two).
2. People benefiting from infrastructure — completed or handed-over projects with the
   population they serve; within a community only the largest figure counts (people
   using the school also drink from the new water network), then communities are added.
3. Communities reached — each community once, from any of: an infrastructure project
   completed or handed over, a grant agreement signed with an applicant of the
   community, a finished course with at least one trainee who completed it, a
   social-cohesion activity held.

Every read is scoped: the ledger through `people_reached(user=...)`, the rest through
`scoped(..., VIEW)`. Filters: period (from/to), governorate (P-code), donor project.
The number of queries does not grow with the data (the dashboard test bounds it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from sanad.assistance.selectors import people_reached, records_for_reach
from sanad.core.scoping import scoped
from sanad.feedback.selectors import cases_for
from sanad.geo.models import AdminUnit
from sanad.programmes.models import Project
from sanad.registry.derive import AGE_GROUPS
from sanad.revitalization.models import (
    VIEW,
    ActivityParticipation,
    CentreCase,
    CohesionActivity,
    Community,
    CommunityAssessment,
    CommunityCentre,
    Course,
    Enrolment,
    GrantAgreement,
    GrantApplication,
    GrantCall,
    InfrastructureProject,
)
from sanad.revitalization.services._common import PROGRAMME

PROJECT = InfrastructureProject.Status
BENEFITING_STATUSES = (PROJECT.COMPLETED, PROJECT.HANDED_OVER)

# The ledger items the programme writes, by source (the fixed interface between parts).
SOURCES: tuple[tuple[str, str, Any], ...] = (
    ("cash_for_work", "crp_cash_for_work", _("Cash for work on infrastructure projects")),
    ("grants", "crp_business_grant", _("Business grants")),
    ("training", "crp_vocational_training", _("Vocational training completed")),
    ("cohesion", "crp_social_cohesion", _("Social-cohesion activities")),
)
REACH_SOURCES: tuple[tuple[str, Any], ...] = (
    ("infrastructure", _("Infrastructure project completed or handed over")),
    ("grants", _("Business grant agreement signed")),
    ("training", _("Course finished with trainees who completed it")),
    ("cohesion", _("Social-cohesion activity held")),
)

METHODS: dict[str, Any] = {
    "people": _(
        "Each person is counted once, however many activities reached them: the unique "
        "people on the programme's records in the assistance ledger — cash-for-work "
        "payments, business grants, completed training and social-cohesion activities. A "
        "record for a whole household (a grant tranche paid to the family) counts its "
        "members at the time; a household merged as a duplicate counts through the "
        "household it joined. Sex and age are taken on the last day of the period, "
        "disability from the Washington Group questions."
    ),
    "benefiting": _(
        "The population served by infrastructure projects completed or handed over in the "
        "period, as estimated for each project with its method written down. Within a "
        "community only the largest figure counts — the people who use the new school also "
        "drink from the new water network — and the communities are then added up."
    ),
    "communities": _(
        "Each community counts once if, in the period, at least one of these happened "
        "there: an infrastructure project completed or handed over, a business grant "
        "agreement signed with an applicant of the community, a course finished with at "
        "least one trainee who completed it, or a social-cohesion activity held."
    ),
}


@dataclass(frozen=True)
class Filters:
    start: datetime.date | None = None
    end: datetime.date | None = None
    governorate: AdminUnit | None = None
    project: Project | None = None

    @property
    def pcode(self) -> str | None:
        return self.governorate.pcode if self.governorate is not None else None


def _in_period(qs: QuerySet[Any], field: str, f: Filters) -> QuerySet[Any]:
    if f.start:
        qs = qs.filter(**{f"{field}__gte": f.start})
    if f.end:
        qs = qs.filter(**{f"{field}__lte": f.end})
    return qs


def _narrow(
    qs: QuerySet[Any], f: Filters, *, governorate: str, project: str | None
) -> QuerySet[Any]:
    if f.pcode:
        qs = qs.filter(**{governorate: f.pcode})
    if f.project is not None and project is not None:
        qs = qs.filter(**{project: f.project})
    return qs


# --- 1. people directly assisted --------------------------------------------------------------


def people_directly_assisted(user: Any, f: Filters) -> dict[str, Any]:
    reached = people_reached(
        user=user,
        programme=PROGRAMME,
        project=f.project,
        start=f.start,
        end=f.end,
        governorate=f.pcode,
    )
    records = records_for_reach(
        user=user,
        programme=PROGRAMME,
        project=f.project,
        start=f.start,
        end=f.end,
        governorate=f.pcode,
    )
    per_item: dict[str, dict[str, Any]] = {
        row["item"]: dict(row)
        for row in records.values("item").annotate(
            people=Count("individual", distinct=True),
            households=Count("household", distinct=True, filter=Q(individual__isnull=True)),
            records=Count("pk"),
        )
    }
    sources = []
    known = set()
    for code, item, label in SOURCES:
        row = per_item.get(item, {})
        known.add(item)
        sources.append(
            {
                "code": code,
                "item": item,
                "label": label,
                "people": row.get("people", 0),
                "households": row.get("households", 0),
                "records": row.get("records", 0),
            }
        )
    for item, other in sorted(per_item.items()):
        if item not in known:
            sources.append(
                {
                    "code": "other",
                    "item": item,
                    "label": item,
                    "people": other["people"],
                    "households": other["households"],
                    "records": other["records"],
                }
            )
    named = sum(s["people"] for s in sources)
    return {
        "total": reached["individuals"],
        "households": reached["households"],
        "female": reached["female"],
        "male": reached["male"],
        "with_disability": reached["with_disability"],
        "with_disability_by_sex": reached["with_disability_by_sex"],
        "by_age": reached["by_age"],
        "by_sex_and_age": reached["by_sex_and_age"],
        "age_groups": [label for label, _low, _high in AGE_GROUPS],
        "ages_on": reached["ages_on"],
        "sources": sources,
        "named_in_sources": named,
        "method": METHODS["people"],
    }


# --- 2. people benefiting from infrastructure ----------------------------------------------


def _benefiting_projects(user: Any, f: Filters) -> list[InfrastructureProject]:
    qs = scoped(
        InfrastructureProject.objects.filter(status__in=BENEFITING_STATUSES).select_related(
            "community__governorate", "project"
        ),
        user,
        VIEW,
    )
    qs = _narrow(qs, f, governorate="governorate__pcode", project="project")
    qs = qs.annotate(finished_on=Coalesce("completed_on", "handover_on"))
    return list(_in_period(qs, "finished_on", f).order_by("community__name", "reference"))


def people_benefiting(
    user: Any, f: Filters, projects: list[InfrastructureProject]
) -> dict[str, Any]:
    by_community: dict[int, dict[str, Any]] = {}
    rows = []
    for p in projects:
        figure = p.population_served or 0
        rows.append({"project": p, "figure": figure, "counted": False})
        entry = by_community.setdefault(
            p.community_id, {"community": p.community, "figure": 0, "row": None, "projects": 0}
        )
        entry["projects"] += 1
        if entry["row"] is None or figure > entry["figure"]:
            entry["figure"], entry["row"] = figure, rows[-1]
    for entry in by_community.values():
        if entry["row"] is not None and entry["figure"] > 0:
            entry["row"]["counted"] = True
    communities = sorted(
        (
            {
                "community": e["community"],
                "figure": e["figure"],
                "projects": e["projects"],
                "counted_project": e["row"]["project"] if e["row"] else None,
            }
            for e in by_community.values()
        ),
        key=lambda e: (-e["figure"], e["community"].name),
    )
    return {
        "total": sum(e["figure"] for e in communities),
        "sum_of_projects": sum(r["figure"] for r in rows),
        "projects": rows,
        "communities": communities,
        "without_estimate": sum(1 for p in projects if not p.population_served),
        "method": METHODS["benefiting"],
    }


# --- 3. communities reached -------------------------------------------------------------------


def _reached_ids(
    user: Any, f: Filters, projects: list[InfrastructureProject]
) -> dict[int, set[str]]:
    reached: dict[int, set[str]] = {}

    def add(ids: Any, source: str) -> None:
        for pk in ids:
            if pk is not None:
                reached.setdefault(pk, set()).add(source)

    add((p.community_id for p in projects), "infrastructure")

    agreements = scoped(
        GrantAgreement.objects.filter(application__community__isnull=False), user, VIEW
    )
    agreements = _narrow(
        agreements,
        f,
        governorate="application__call__governorate__pcode",
        project="application__call__project",
    )
    add(
        _in_period(agreements, "signed_on", f).values_list("application__community_id", flat=True),
        "grants",
    )

    completions = Enrolment.objects.filter(
        course=OuterRef("pk"), status=Enrolment.Status.COMPLETED
    ).annotate(done_on=Coalesce("completed_on", "course__ends_on"))
    completions = _in_period(completions, "done_on", f)
    courses = scoped(
        Course.objects.filter(status=Course.Status.FINISHED, community__isnull=False),
        user,
        VIEW,
    )
    courses = _narrow(courses, f, governorate="governorate__pcode", project="project")
    add(courses.filter(Exists(completions)).values_list("community_id", flat=True), "training")

    activities = scoped(
        CohesionActivity.objects.filter(status=CohesionActivity.Status.HELD), user, VIEW
    )
    activities = _narrow(activities, f, governorate="governorate__pcode", project="project")
    add(_in_period(activities, "held_on", f).values_list("community_id", flat=True), "cohesion")
    return reached


def communities_reached(
    user: Any, f: Filters, projects: list[InfrastructureProject]
) -> dict[str, Any]:
    reached = _reached_ids(user, f, projects)
    communities = Community.objects.filter(pk__in=list(reached)).select_related(
        "governorate", "admin_unit"
    )
    labels = dict(REACH_SOURCES)
    order = [code for code, _label in REACH_SOURCES]
    rows: list[dict[str, Any]] = [
        {
            "community": c,
            "sources": [code for code in order if code in reached[c.pk]],
            "labels": [labels[code] for code in order if code in reached[c.pk]],
        }
        for c in communities
    ]
    rows.sort(key=lambda r: (r["community"].governorate.pcode, r["community"].name))
    return {
        "total": len(rows),
        "communities": rows,
        "by_source": [
            {
                "code": code,
                "label": label,
                "communities": sum(1 for r in rows if code in r["sources"]),
            }
            for code, label in REACH_SOURCES
        ],
        "method": METHODS["communities"],
    }


# --- the figures together -------------------------------------------------------------------


def headline_figures(
    *,
    user: Any,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    governorate: AdminUnit | None = None,
    project: Project | None = None,
) -> dict[str, Any]:
    """The three headline figures with their methods and breakdowns (see the module's
    docstring)."""
    f = Filters(start=start, end=end, governorate=governorate, project=project)
    projects = _benefiting_projects(user, f)
    return {
        "filters": f,
        "people": people_directly_assisted(user, f),
        "benefiting": people_benefiting(user, f, projects),
        "communities": communities_reached(user, f, projects),
    }


def summary_tiles(
    *,
    user: Any,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    governorate: AdminUnit | None = None,
    project: Project | None = None,
) -> dict[str, Any]:
    """Counts of the programme's records in the user's scope: assessments, projects by
    status, grant calls, applications and agreements, courses and trainees, centres and
    the cases logged there, activities held. Assessments, centres and cases have no
    donor project: the project filter leaves them as they are."""
    f = Filters(start=start, end=end, governorate=governorate, project=project)
    tiles: dict[str, Any] = {}

    assessments = _narrow(
        scoped(CommunityAssessment.objects.all(), user, VIEW),
        f,
        governorate="governorate__pcode",
        project=None,
    )
    tiles["assessments"] = _in_period(assessments, "held_on", f).aggregate(
        total=Count("pk"),
        endorsed=Count("pk", filter=Q(status=CommunityAssessment.Status.ENDORSED)),
    )

    projects = _narrow(
        scoped(InfrastructureProject.objects.all(), user, VIEW),
        f,
        governorate="governorate__pcode",
        project="project",
    )
    by_status = dict(projects.values_list("status").annotate(n=Count("pk")).order_by())
    tiles["projects"] = {
        "total": sum(by_status.values()),
        "by_status": [
            {"status": value, "label": label, "n": by_status.get(value, 0)}
            for value, label in InfrastructureProject.Status.choices
        ],
    }

    calls = _narrow(
        scoped(GrantCall.objects.all(), user, VIEW),
        f,
        governorate="governorate__pcode",
        project="project",
    )
    applications = _narrow(
        scoped(GrantApplication.objects.all(), user, VIEW),
        f,
        governorate="call__governorate__pcode",
        project="call__project",
    )
    agreements = _narrow(
        scoped(GrantAgreement.objects.all(), user, VIEW),
        f,
        governorate="application__call__governorate__pcode",
        project="application__call__project",
    )
    tiles["grants"] = {
        "calls": _in_period(calls, "opens_on", f).count(),
        "applications": _in_period(applications, "submitted_on", f).count(),
        "agreements": _in_period(agreements, "signed_on", f).count(),
    }

    courses = _narrow(
        scoped(Course.objects.all(), user, VIEW),
        f,
        governorate="governorate__pcode",
        project="project",
    )
    enrolments = _narrow(
        scoped(Enrolment.objects.all(), user, VIEW),
        f,
        governorate="course__governorate__pcode",
        project="course__project",
    )
    tiles["training"] = {
        "courses": _in_period(courses, "starts_on", f).count(),
        "completed": _in_period(
            enrolments.filter(status=Enrolment.Status.COMPLETED), "completed_on", f
        ).count(),
    }

    centres = _narrow(
        scoped(CommunityCentre.objects.all(), user, VIEW),
        f,
        governorate="governorate__pcode",
        project=None,
    )
    links = CentreCase.objects.filter(centre__in=centres.values("pk"))
    if f.start:
        links = links.filter(case__received_at__date__gte=f.start)
    if f.end:
        links = links.filter(case__received_at__date__lte=f.end)
    tiles["centres"] = {
        **centres.aggregate(total=Count("pk"), open=Count("pk", filter=Q(active=True))),
        # Through cases_for: a restricted case is not even counted for whoever may not
        # know it exists.
        "cases": cases_for(user).filter(pk__in=links.values("case_id")).count(),
    }

    activities = _in_period(
        _narrow(
            scoped(
                CohesionActivity.objects.filter(status=CohesionActivity.Status.HELD), user, VIEW
            ),
            f,
            governorate="governorate__pcode",
            project="project",
        ),
        "held_on",
        f,
    )
    held = activities.aggregate(
        total=Count("pk"),
        reconciliation=Count("pk", filter=Q(kind=CohesionActivity.Kind.RECONCILIATION)),
    )
    held["people_counted"] = (
        ActivityParticipation.objects.filter(activity__in=activities.values("pk")).aggregate(
            n=Sum("count")
        )["n"]
        or 0
    )
    tiles["activities"] = held
    return tiles


def figures_rows(figures: dict[str, Any], tiles: dict[str, Any]) -> list[list[Any]]:
    """The figures and their breakdowns as rows (section, item, breakdown, value) for
    the CSV download."""
    people, benefiting, reached = (
        figures["people"],
        figures["benefiting"],
        figures["communities"],
    )
    rows: list[list[Any]] = [["section", "item", "breakdown", "value"]]
    rows.append(["people_directly_assisted", "total", "", people["total"]])
    rows.append(["people_directly_assisted", "households", "", people["households"]])
    for sex in ("female", "male"):
        rows.append(["people_directly_assisted", "sex", sex, people[sex]])
        for label in people["age_groups"]:
            rows.append(
                [
                    "people_directly_assisted",
                    "sex_age",
                    f"{sex} {label}",
                    people["by_sex_and_age"][sex][label],
                ]
            )
        rows.append(
            [
                "people_directly_assisted",
                "disability",
                sex,
                people["with_disability_by_sex"][sex],
            ]
        )
    rows.append(["people_directly_assisted", "disability", "total", people["with_disability"]])
    for s in people["sources"]:
        rows.append(["people_directly_assisted", "source_people_named", s["item"], s["people"]])
        if s["households"]:
            rows.append(
                ["people_directly_assisted", "source_households_paid", s["item"], s["households"]]
            )
    rows.append(["people_benefiting", "total", "", benefiting["total"]])
    for c in benefiting["communities"]:
        rows.append(["people_benefiting", "community", c["community"].code, c["figure"]])
    for r in benefiting["projects"]:
        p = r["project"]
        rows.append(
            [
                "people_benefiting",
                "project",
                f"{p.reference} {p.kind} {p.community.code} {p.estimation_method or '-'}"
                f"{' counted' if r['counted'] else ''}",
                r["figure"],
            ]
        )
    rows.append(["communities_reached", "total", "", reached["total"]])
    for s in reached["by_source"]:
        rows.append(["communities_reached", "source", s["code"], s["communities"]])
    for r in reached["communities"]:
        rows.append(
            ["communities_reached", "community", r["community"].code, "+".join(r["sources"])]
        )
    rows.append(["summary", "assessments", "total", tiles["assessments"]["total"]])
    rows.append(["summary", "assessments", "endorsed", tiles["assessments"]["endorsed"]])
    for s in tiles["projects"]["by_status"]:
        rows.append(["summary", "infrastructure_projects", s["status"], s["n"]])
    for key in ("calls", "applications", "agreements"):
        rows.append(["summary", "grants", key, tiles["grants"][key]])
    for key in ("courses", "completed"):
        rows.append(["summary", "training", key, tiles["training"][key]])
    for key in ("total", "open", "cases"):
        rows.append(["summary", "centres", key, tiles["centres"][key]])
    for key in ("total", "reconciliation", "people_counted"):
        rows.append(["summary", "activities_held", key, tiles["activities"][key]])
    return rows


__all__ = [
    "METHODS",
    "REACH_SOURCES",
    "SOURCES",
    "Filters",
    "communities_reached",
    "figures_rows",
    "headline_figures",
    "people_benefiting",
    "people_directly_assisted",
    "summary_tiles",
]
