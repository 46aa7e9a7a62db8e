"""Community infrastructure projects: budget, contractor, milestones and progress,
workers paid for their days (cash for work: the people directly assisted), the
population served with the method of its estimate, completion and handover."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanad.core.models import BaseModel
from sanad.core.scoping import ScopePaths
from sanad.core.state import StateMachine
from sanad.revitalization.models.common import (
    MANAGE,
    MONEY,
    PERCENT,
    RATE,
    SCOPE,
    VIEW,
    Currency,
    child_scope,
)


class ProjectKind(models.TextChoices):
    WATER_NETWORK = "water_network", _("Water network")
    SCHOOL = "school", _("School")
    HEALTH_CENTRE = "health_centre", _("Health centre")
    ROAD = "road", _("Road or bridge")
    ELECTRICITY = "electricity", _("Electricity")
    MARKET = "market", _("Market")
    SANITATION = "sanitation", _("Sanitation or drainage")
    COMMUNITY_SPACE = "community_space", _("Community space or park")
    OTHER = "other", _("Other")


class EstimationMethod(models.TextChoices):
    """How the population served by a facility was estimated (written down with it)."""

    CATCHMENT = "catchment", _("Population of the catchment area (census, DTM or local authority)")
    USERS_COUNTED = "users_counted", _("Users counted (pupils enrolled, patients a month, traders)")
    CONNECTIONS = "connections", _("Households connected × average household size")
    TRAFFIC = "traffic", _("Traffic count (people using the road a day)")
    OTHER = "other", _("Other (described)")


class Contractor(BaseModel):
    """A construction company contracted for community infrastructure."""

    SCOPE = ScopePaths()
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE

    name = models.CharField(_("name"), max_length=200)
    registration_number = models.CharField(_("registration number"), max_length=60, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("infrastructure contractor")
        verbose_name_plural = _("infrastructure contractors")

    def __str__(self) -> str:
        return self.name


class InfrastructureProject(BaseModel):
    """proposed → endorsed (by the provincial authority) → in progress → completed →
    handed over (to the authority that runs it); or cancelled."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ENDORSED = "endorsed", _("Endorsed")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        HANDED_OVER = "handed_over", _("Handed over")
        CANCELLED = "cancelled", _("Cancelled")

    SCOPE = SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "proposed": {"endorsed", "cancelled"},
            "endorsed": {"in_progress", "cancelled"},
            "in_progress": {"completed", "cancelled"},
            "completed": {"handed_over"},
        },
        reason_required={"cancelled"},
    )

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ProjectKind.choices)
    community = models.ForeignKey(
        "revitalization.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    need = models.ForeignKey(
        "revitalization.Need",
        verbose_name=_("need it answers"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    project = models.ForeignKey(
        "programmes.Project",
        verbose_name=_("donor project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    governorate = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("governorate"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.ForeignKey(
        "geo.Place",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("description"), blank=True)
    budget = models.DecimalField(_("budget"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    exchange_rate = models.DecimalField(_("IQD per USD"), **RATE)
    contractor = models.ForeignKey(
        Contractor,
        verbose_name=_("contractor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    contract_number = models.CharField(_("contract number"), max_length=60, blank=True)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    planned_end_on = models.DateField(_("planned end"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    population_served = models.PositiveIntegerField(_("people benefiting"), null=True, blank=True)
    estimation_method = models.CharField(
        _("estimated by"), max_length=16, choices=EstimationMethod.choices, blank=True
    )
    estimation_note = models.TextField(
        _("how the estimate was made"),
        blank=True,
        help_text=_("The figures and sources, such as 412 households connected × 6.1 (DTM)."),
    )
    endorsed_by = models.CharField(_("endorsed by (authority)"), max_length=200, blank=True)
    endorsed_on = models.DateField(_("endorsed on"), null=True, blank=True)
    endorsement_reference = models.CharField(_("endorsement letter"), max_length=100, blank=True)
    handover_authority = models.CharField(_("handed over to"), max_length=200, blank=True)
    handover_on = models.DateField(_("handed over on"), null=True, blank=True)
    handover_reference = models.CharField(_("handover document"), max_length=100, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.PROPOSED,
        db_index=True,
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("infrastructure project")
        verbose_name_plural = _("infrastructure projects")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class ProjectMilestone(models.Model):
    """A stage of the works; the project's progress is the weighted mean of its
    milestones' progress (weights sum to 100)."""

    SCOPE = child_scope("project")
    VIEW_PERMISSION = VIEW

    project = models.ForeignKey(
        InfrastructureProject, on_delete=models.CASCADE, related_name="milestones"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("milestone"), max_length=200)
    weight = models.DecimalField(_("weight (%)"), **PERCENT)
    due_on = models.DateField(_("due"), null=True, blank=True)
    progress = models.DecimalField(_("progress (%)"), default=0, **PERCENT)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["project", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "order"], name="revitalization_milestone_order_once"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=100),
                name="revitalization_milestone_progress_0_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectWorker(BaseModel):
    """A registered person working on the project (cash for work)."""

    SCOPE = child_scope("project")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE

    project = models.ForeignKey(
        InfrastructureProject, on_delete=models.CASCADE, related_name="workers"
    )
    individual = models.ForeignKey(
        "registry.Individual",
        verbose_name=_("worker"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=100, blank=True)
    daily_rate = models.DecimalField(_("daily rate"), **MONEY)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["project", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "individual"], name="revitalization_worker_once"
            )
        ]


class WorkerPayment(BaseModel):
    """Days worked in a period and what was paid for them; writes the ledger (cash)."""

    SCOPE = child_scope("worker__project")
    VIEW_PERMISSION = VIEW

    worker = models.ForeignKey(ProjectWorker, on_delete=models.PROTECT, related_name="payments")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    days = models.DecimalField(_("days worked"), max_digits=5, decimal_places=1)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    exchange_rate = models.DecimalField(_("IQD per USD"), **RATE)
    paid_on = models.DateField(_("paid on"))

    class Meta:
        ordering = ["worker", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "period_start"], name="revitalization_worker_paid_once"
            )
        ]
