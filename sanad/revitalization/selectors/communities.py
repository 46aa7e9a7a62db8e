"""Reads of communities and their assessments, always inside the user's scope: lists
with counts, the participation grid and its totals, needs in rank order, the status
history, and how many records of the other parts of the programme name a community."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from sanad.core.errors import NotFound
from sanad.core.scoping import has_permission, scoped
from sanad.revitalization.models import (
    VIEW,
    AgeBand,
    AssessmentParticipation,
    CohesionActivity,
    Community,
    CommunityAssessment,
    CommunityCentre,
    Course,
    GrantApplication,
    InfrastructureProject,
    Need,
    ParticipantGroup,
    Sex,
)
from sanad.revitalization.services.communities.ranking import mean_score, shown_mean


def _count(qs: QuerySet[Any], group: str) -> Coalesce:
    sub = qs.order_by().values(group).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def communities_visible(user: Any, permission: str | None = None) -> QuerySet[Community]:
    """The communities `user` reaches, with `assessments_count` and `projects_count`."""
    return (
        scoped(Community.objects.all(), user, permission or VIEW)
        .select_related("admin_unit", "governorate", "place")
        .annotate(
            assessments_count=_count(
                CommunityAssessment.objects.filter(community=OuterRef("pk")), "community"
            ),
            projects_count=_count(
                InfrastructureProject.objects.filter(community=OuterRef("pk")), "community"
            ),
        )
    )


def community_get(*, user: Any, public_id: Any, permission: str | None = None) -> Community:
    community = communities_visible(user, permission).filter(public_id=public_id).first()
    if community is None:
        raise NotFound()
    return community


def communities_for_choice(user: Any, permission: str) -> QuerySet[Community]:
    """Active communities `user` reaches with `permission`, for a form's list."""
    return (
        scoped(Community.objects.filter(active=True), user, permission)
        .select_related("governorate")
        .order_by("governorate__pcode", "name")
    )


def community_other_records(*, user: Any, community: Community) -> list[tuple[str, int]]:
    """How many grant applications, courses, community centres and social-cohesion
    activities of the programme name this community (those the user may see)."""
    from django.utils.translation import gettext as _

    if not has_permission(user, VIEW):
        return []
    rows: list[tuple[str, Any, str]] = [
        (_("Grant applications"), GrantApplication, "community"),
        (_("Vocational courses"), Course, "community"),
        (_("Community centres"), CommunityCentre, "community"),
        (_("Social-cohesion activities"), CohesionActivity, "community"),
    ]
    return [
        (label, scoped(model.objects.filter(**{field: community}), user, VIEW).count())
        for label, model, field in rows
    ]


def community_assessments(community: Community) -> QuerySet[CommunityAssessment]:
    return community.assessments.annotate(
        needs_count=_count(Need.objects.filter(assessment=OuterRef("pk")), "assessment"),
        participants=Coalesce(
            Subquery(
                AssessmentParticipation.objects.filter(assessment=OuterRef("pk"))
                .order_by()
                .values("assessment")
                .annotate(n=Sum("count"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        ),
    ).order_by("-held_on", "-id")


def community_projects(community: Community) -> QuerySet[InfrastructureProject]:
    return community.projects.select_related("contractor").order_by("-created_at")


# --- assessments -----------------------------------------------------------------------


def assessments_visible(user: Any, permission: str | None = None) -> QuerySet[CommunityAssessment]:
    """The assessments `user` reaches, with `needs_count` and `participants`."""
    qs = scoped(CommunityAssessment.objects.all(), user, permission or VIEW)
    return qs.select_related("community", "governorate").annotate(
        needs_count=_count(Need.objects.filter(assessment=OuterRef("pk")), "assessment"),
        participants=Coalesce(
            Subquery(
                AssessmentParticipation.objects.filter(assessment=OuterRef("pk"))
                .order_by()
                .values("assessment")
                .annotate(n=Sum("count"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        ),
    )


def assessment_get(
    *, user: Any, public_id: Any, permission: str | None = None
) -> CommunityAssessment:
    assessment = assessments_visible(user, permission).filter(public_id=public_id).first()
    if assessment is None:
        raise NotFound()
    return assessment


def need_get(*, assessment: CommunityAssessment, pk: Any) -> Need:
    need = Need.objects.filter(assessment=assessment, pk=pk).select_related("assessment").first()
    if need is None:
        raise NotFound()
    return need


def participation_grid(assessment: CommunityAssessment) -> dict[str, Any]:
    """Who took part: {"cells": {(group, sex, age): n}, "rows": [(group, label,
    [n per sex × age], total)], "columns": [(sex, age, label)], "by_sex": {sex: n},
    "by_group": [(label, n)], "by_age": {age: n}, "total": n}."""
    cells: dict[tuple[str, str, str], int] = {}
    for row in assessment.participation.all():
        cells[(row.group, row.sex, row.age_band)] = row.count
    columns = [(sex, age) for sex in Sex.values for age in AgeBand.values]
    by_sex: dict[str, int] = defaultdict(int)
    by_age: dict[str, int] = defaultdict(int)
    rows = []
    by_group = []
    for group, label in ParticipantGroup.choices:
        values = [cells.get((group, sex, age), 0) for sex, age in columns]
        total = sum(values)
        rows.append((group, label, values, total))
        if total:
            by_group.append((label, total))
    for (_group, sex, age), n in cells.items():
        by_sex[sex] += n
        by_age[age] += n
    return {
        "cells": cells,
        "rows": rows,
        "columns": columns,
        "column_totals": [
            sum(cells.get((g, sex, age), 0) for g in ParticipantGroup.values)
            for sex, age in columns
        ],
        "by_sex": [(label, by_sex.get(value, 0)) for value, label in Sex.choices],
        "by_age": [(label, by_age.get(value, 0)) for value, label in AgeBand.choices],
        "by_group": by_group,
        "total": sum(cells.values()),
    }


def assessment_needs(assessment: CommunityAssessment) -> list[Need]:
    """The needs in rank order, each with `mean` (text, method "scores") and
    `open_projects` (projects answering it, not cancelled)."""
    needs = list(assessment.needs.prefetch_related("projects").order_by("rank", "id"))
    for need in needs:
        mean = mean_score(list(need.scores or []))
        need.mean = shown_mean(mean) if mean is not None else ""  # type: ignore[attr-defined]
        need.scores_text = ", ".join(str(s) for s in need.scores or [])  # type: ignore[attr-defined]
        need.open_projects = [  # type: ignore[attr-defined]
            p for p in need.projects.all() if p.status != InfrastructureProject.Status.CANCELLED
        ]
    return needs


def assessment_history(assessment: CommunityAssessment) -> QuerySet[Any]:
    return CommunityAssessment.STATUS_MACHINE.history(assessment).order_by("at")
