"""Reads of infrastructure projects, always inside the user's scope: lists with their
progress and workers, a project's milestones, workers with what they were paid, the
people directly assisted (registered workers paid) apart from the people benefiting
(the population served, estimated), contractors, and registered people who could join
as workers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from sanad.core.errors import NotFound
from sanad.core.scoping import has_permission, scoped
from sanad.registry.models import Household, Individual
from sanad.revitalization.models import (
    VIEW,
    Contractor,
    InfrastructureProject,
    ProjectMilestone,
    ProjectWorker,
    WorkerPayment,
)

REGISTRY_VIEW = "registry.view_household"
HUNDRED = Decimal("100")
CANDIDATES = 12


def _progress_subquery() -> Coalesce:
    weighted = (
        ProjectMilestone.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(
            total=Sum(
                ExpressionWrapper(
                    F("weight") * F("progress"),
                    output_field=DecimalField(max_digits=12, decimal_places=4),
                )
            )
        )
        .values("total")[:1]
    )
    return Coalesce(
        Subquery(weighted, output_field=DecimalField(max_digits=12, decimal_places=4)),
        Value(Decimal(0)),
        output_field=DecimalField(max_digits=12, decimal_places=4),
    )


def projects_visible(user: Any, permission: str | None = None) -> QuerySet[InfrastructureProject]:
    """The projects `user` reaches, with `weighted_progress` (Σ weight × progress; divide
    by 100 for the percentage) and `workers_count`."""
    workers = (
        ProjectWorker.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return (
        scoped(InfrastructureProject.objects.all(), user, permission or VIEW)
        .select_related(
            "community__admin_unit",
            "governorate",
            "contractor",
            "project",
            "place",
            "need__assessment",
        )
        .annotate(
            weighted_progress=_progress_subquery(),
            workers_count=Coalesce(Subquery(workers, output_field=IntegerField()), Value(0)),
        )
    )


def progress_percent(project: Any) -> Decimal:
    """The project's progress in % (from the annotation, else from its milestones)."""
    weighted = getattr(project, "weighted_progress", None)
    if weighted is None:
        weighted = sum((m.weight * m.progress for m in project.milestones.all()), Decimal(0))
    return (Decimal(weighted) / HUNDRED).quantize(Decimal("0.1"))


def project_get(
    *, user: Any, public_id: Any, permission: str | None = None
) -> InfrastructureProject:
    project = projects_visible(user, permission).filter(public_id=public_id).first()
    if project is None:
        raise NotFound()
    return project


def project_milestones(project: InfrastructureProject) -> list[ProjectMilestone]:
    return list(project.milestones.select_related("verified_by").order_by("order"))


def milestone_get(*, project: InfrastructureProject, pk: Any) -> ProjectMilestone:
    milestone = project.milestones.filter(pk=pk).first()
    if milestone is None:
        raise NotFound()
    return milestone


def project_workers(project: InfrastructureProject) -> list[ProjectWorker]:
    """The workers with their person and household, `paid_total`, `days_total`,
    `payments_count` and `last_paid_on`."""
    return list(
        project.workers.select_related("individual", "household")
        .annotate(
            paid_total=Coalesce(
                Sum("payments__amount"),
                Value(Decimal(0)),
                output_field=DecimalField(max_digits=16, decimal_places=2),
            ),
            days_total=Coalesce(
                Sum("payments__days"),
                Value(Decimal(0)),
                output_field=DecimalField(max_digits=8, decimal_places=1),
            ),
            payments_count=Count("payments"),
        )
        .order_by("-active", "id")
    )


def worker_get(*, project: InfrastructureProject, public_id: Any) -> ProjectWorker:
    worker = (
        project.workers.select_related("individual__household", "project")
        .filter(public_id=public_id)
        .first()
    )
    if worker is None:
        raise NotFound()
    return worker


def project_payments(project: InfrastructureProject, limit: int = 50) -> list[WorkerPayment]:
    return list(
        WorkerPayment.objects.filter(worker__project=project)
        .select_related("worker__individual", "worker__household")
        .order_by("-paid_on", "-id")[:limit]
    )


def project_payment_totals(project: InfrastructureProject) -> dict[str, Any]:
    totals = WorkerPayment.objects.filter(worker__project=project).aggregate(
        amount=Sum("amount"), days=Sum("days"), count=Count("pk")
    )
    return {
        "amount": totals["amount"] or Decimal(0),
        "days": totals["days"] or Decimal(0),
        "count": totals["count"],
        "currency": project.currency,
    }


def direct_beneficiaries(project: InfrastructureProject) -> dict[str, int]:
    """The people directly assisted by the project: registered workers paid at least
    once, each counted once, by sex; and the workers registered on it."""
    paid = Individual.objects.filter(
        pk__in=WorkerPayment.objects.filter(worker__project=project).values("worker__individual_id")
    )
    counts = paid.aggregate(
        total=Count("pk"),
        female=Count("pk", filter=Q(sex=Individual.Sex.FEMALE)),
        male=Count("pk", filter=Q(sex=Individual.Sex.MALE)),
    )
    counts["registered"] = project.workers.count()
    return counts


def project_history(project: InfrastructureProject) -> QuerySet[Any]:
    return InfrastructureProject.STATUS_MACHINE.history(project).order_by("at")


# --- people who could work on a project ------------------------------------------------


def worker_candidates(*, user: Any, project: InfrastructureProject, query: str) -> list[Individual]:
    """Active members of active households matching `query` (a registration id, a name,
    a phone or a document number) that `user` may see in the registry, each with
    `already` (already a worker of the project). Empty without the registry permission."""
    from sanad.registry.selectors import households_matching

    query = (query or "").strip()
    if not query or not has_permission(user, REGISTRY_VIEW):
        return []
    households = scoped(
        Household.objects.filter(status=Household.Status.ACTIVE), user, REGISTRY_VIEW
    )
    exact = households.filter(registration_id__iexact=query)
    matched = exact if exact.exists() else households_matching(households, query)
    ids = list(matched.order_by("registration_id").values_list("pk", flat=True)[:CANDIDATES])
    people = list(
        Individual.objects.filter(household_id__in=ids, status=Individual.Status.ACTIVE)
        .select_related("household__admin_unit")
        .order_by("household__registration_id", "date_of_birth")
    )
    taken = set(
        project.workers.filter(individual__in=people).values_list("individual_id", flat=True)
    )
    for person in people:
        person.already = person.pk in taken  # type: ignore[attr-defined]
    return people


def individual_for_worker(*, user: Any, public_id: Any) -> Individual:
    """A registered person `user` may see (for adding as a worker)."""
    person = (
        scoped(Individual.objects.select_related("household"), user, REGISTRY_VIEW)
        .filter(public_id=public_id)
        .first()
    )
    if person is None:
        raise NotFound()
    return person


# --- contractors -----------------------------------------------------------------------


def contractors_visible(user: Any, permission: str | None = None) -> QuerySet[Contractor]:
    projects = (
        InfrastructureProject.objects.filter(contractor=OuterRef("pk"))
        .order_by()
        .values("contractor")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return scoped(Contractor.objects.all(), user, permission or VIEW).annotate(
        projects_count=Coalesce(Subquery(projects, output_field=IntegerField()), Value(0))
    )


def contractor_get(*, user: Any, public_id: Any, permission: str | None = None) -> Contractor:
    contractor = contractors_visible(user, permission).filter(public_id=public_id).first()
    if contractor is None:
        raise NotFound()
    return contractor


def contractor_projects(*, user: Any, contractor: Contractor) -> QuerySet[InfrastructureProject]:
    """The contractor's projects `user` may see."""
    return (
        scoped(InfrastructureProject.objects.filter(contractor=contractor), user, VIEW)
        .select_related("community")
        .order_by("-created_at")
    )
