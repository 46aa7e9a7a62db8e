"""Reads of programmes, donor projects, activities and targets. Everything a person
sees goes through `scoped`, so a programme outside their scope does not exist for them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from sanad.accounts.models import Organisation
from sanad.core.areas import ProgrammeArea
from sanad.core.models import StatusTransition
from sanad.core.scoping import has_permission, scoped
from sanad.programmes.models import Activity, Programme, Project, Target

VIEW = "programmes.view_programme"
MANAGE = "programmes.manage_programme"

DONOR_KINDS = (Organisation.Kind.DONOR, Organisation.Kind.UN_AGENCY)

# The descriptions the data migration writes, in English there and translatable here:
# while a programme keeps its shipped description, people read it in their language.
AREA_DESCRIPTIONS: dict[str, tuple[str, Any]] = {
    ProgrammeArea.NFI: (
        "Basic, seasonal and replacement kits of household items, distributed in kind or "
        "through cash and e-vouchers with a vendor network.",
        _(
            "Basic, seasonal and replacement kits of household items, distributed in kind or "
            "through cash and e-vouchers with a vendor network."
        ),
    ),
    ProgrammeArea.SHELTER: (
        "Damage assessments, rehabilitation of war-damaged homes, critical-shelter upgrades "
        "in sites and cash for beneficiary-led rehabilitation paid in tranches.",
        _(
            "Damage assessments, rehabilitation of war-damaged homes, critical-shelter upgrades "
            "in sites and cash for beneficiary-led rehabilitation paid in tranches."
        ),
    ),
    ProgrammeArea.CCCM: (
        "Formal camps and informal sites: population, services against standards, "
        "infrastructure and maintenance, mobile response teams, closure and consolidation.",
        _(
            "Formal camps and informal sites: population, services against standards, "
            "infrastructure and maintenance, mobile response teams, closure and consolidation."
        ),
    ),
    ProgrammeArea.TRANSPORT: (
        "Movements from border points to camps, relocations on camp closure and family "
        "reunification, with manifests, convoys and arrival checks.",
        _(
            "Movements from border points to camps, relocations on camp closure and family "
            "reunification, with manifests, convoys and arrival checks."
        ),
    ),
    ProgrammeArea.CWC: (
        "Information campaigns, a two-way inbox, and the complaints and feedback mechanism "
        "with referrals and closing the loop.",
        _(
            "Information campaigns, a two-way inbox, and the complaints and feedback mechanism "
            "with referrals and closing the loop."
        ),
    ),
    ProgrammeArea.CRP: (
        "Community-based assessments, infrastructure projects, small-business grants, "
        "vocational training, community centres and social-cohesion activities.",
        _(
            "Community-based assessments, infrastructure projects, small-business grants, "
            "vocational training, community centres and social-cohesion activities."
        ),
    ),
}


def programme_description(programme: Programme) -> Any:
    shipped = AREA_DESCRIPTIONS.get(programme.code)
    text = (programme.description or "").strip()
    if shipped and (not text or text == shipped[0]):
        return shipped[1]
    return text


# --- programmes -------------------------------------------------------------------
def programmes_visible_to(user: Any) -> QuerySet[Programme]:
    return scoped(Programme.objects.all(), user, VIEW)


def programmes_managed_by(user: Any) -> QuerySet[Programme]:
    """The programmes in which `user` may add and change projects."""
    return scoped(Programme.objects.all(), user, MANAGE)


def programme_get(*, user: Any, code: str) -> Programme | None:
    """The programme with this area code, or None when it is unknown or out of scope."""
    if code not in ProgrammeArea.values:
        return None
    return programmes_visible_to(user).filter(code=code).first()


def programme_summary(*, user: Any, code: str) -> dict[str, Any] | None:
    """Figures for a programme area page, counting only what `user` may see: projects by
    status, budget per currency (projects not closed), activities and targets."""
    programme = programme_get(user=user, code=code)
    if programme is None:
        return None
    projects = scoped(Project.objects.filter(programme=programme), user, VIEW)
    by_status = dict(projects.values_list("status").annotate(n=Count("id")).order_by())
    statuses = [
        {"status": value, "label": label, "count": by_status.get(value, 0)}
        for value, label in Project.Status.choices
    ]
    budget = [
        {"currency": row["currency"], "total": row["total"] or Decimal("0")}
        for row in projects.exclude(status=Project.Status.CLOSED)
        .values("currency")
        .annotate(total=Sum("budget"))
        .order_by("currency")
    ]
    activities = scoped(Activity.objects.filter(project__programme=programme), user, VIEW)
    targets = scoped(Target.objects.filter(activity__project__programme=programme), user, VIEW)
    return {
        "programme": programme,
        "description": programme_description(programme),
        "projects_total": sum(by_status.values()),
        "projects_by_status": statuses,
        "budget_by_currency": budget,
        "activities_total": activities.count(),
        "targets_total": targets.count(),
        "indicators": list(
            targets.values("indicator", "unit")
            .annotate(total=Sum("value"), n=Count("id"))
            .order_by("indicator", "unit")
        ),
    }


# --- projects ---------------------------------------------------------------------
def projects_visible_to(user: Any) -> QuerySet[Project]:
    return scoped(Project.objects.select_related("programme", "donor"), user, VIEW)


def projects_managed_by(user: Any) -> QuerySet[Project]:
    return scoped(Project.objects.select_related("programme", "donor"), user, MANAGE)


def project_get(*, user: Any, public_id: Any) -> Project | None:
    return projects_visible_to(user).filter(public_id=public_id).first()


def project_activities(project: Project) -> QuerySet[Activity]:
    """The activities of a project with their targets, in two queries."""
    return project.activities.order_by("code").prefetch_related(
        Prefetch("targets", queryset=Target.objects.order_by("indicator", "period_start"))
    )


def project_history(project: Project) -> QuerySet[StatusTransition]:
    return Project.STATUS_MACHINE.history(project)


def can_manage(user: Any, obj: Programme | Project | Activity | Target | None = None) -> bool:
    """Whether `user` may change `obj` (or, without one, manage some programme)."""
    if obj is None:
        return has_permission(user, MANAGE)
    return scoped(type(obj)._default_manager.filter(pk=obj.pk), user, MANAGE).exists()


# --- activities and targets -------------------------------------------------------
def activities_visible_to(user: Any) -> QuerySet[Activity]:
    return scoped(Activity.objects.select_related("project", "project__programme"), user, VIEW)


def targets_visible_to(user: Any) -> QuerySet[Target]:
    return scoped(
        Target.objects.select_related(
            "activity", "activity__project", "activity__project__programme"
        ),
        user,
        VIEW,
    )


# --- reference lists for forms and filters -----------------------------------------
def donors(*, active_only: bool = True) -> QuerySet[Organisation]:
    """Organisations that can fund a project: donors and UN agencies (still active, for
    new projects; all of them, for filtering existing ones)."""
    qs = Organisation.objects.filter(kind__in=DONOR_KINDS).order_by("name")
    return qs.filter(is_active=True) if active_only else qs
