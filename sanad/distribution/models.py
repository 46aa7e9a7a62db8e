"""In-kind distributions: a plan made from an approved beneficiary list, its events
(place, date, kit, the households expected there), the receipts recorded on
distribution day, the reconciliation of each event, and the post-distribution
monitoring sample.

Stock moves through `stock.services` only: a plan reserves its kits when it is
approved (released if it is cancelled), an event's dispatch consumes the reservation,
and what comes back is returned at closing. Each receipt writes the assistance ledger
(`assistance.services.assistance_record`, source "distribution.receipt").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanad.core.models import BaseModel
from sanad.core.scoping import ScopePaths
from sanad.core.state import StateMachine

VIEW = "distribution.view_distribution"
MANAGE = "distribution.manage_plan"
RECORD = "distribution.record_receipt"
CLOSE = "distribution.close_event"

QTY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class Plan(BaseModel):
    """draft → approved (stock reserved) → closed, or cancelled (reservation released)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    SCOPE = ScopePaths(
        governorate="warehouse__place__admin_unit__governorate__pcode",
        programme="programme__code",
    )
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {"draft": {"approved", "cancelled"}, "approved": {"closed", "cancelled"}},
        reason_required={"cancelled"},
    )

    name = models.CharField(_("name"), max_length=200)
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    project = models.ForeignKey(
        "programmes.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="+"
    )
    beneficiary_list = models.ForeignKey(
        "targeting.BeneficiaryList",
        verbose_name=_("beneficiary list"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kit = models.ForeignKey(
        "stock.Kit", verbose_name=_("kit"), on_delete=models.PROTECT, related_name="+"
    )
    quantity_per_household = models.DecimalField(_("kits per household"), default=Decimal(1), **QTY)
    warehouse = models.ForeignKey(
        "stock.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    reserved = models.DecimalField(_("kits reserved"), default=Decimal(0), **QTY)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("distribution plan")
        verbose_name_plural = _("distribution plans")

    def __str__(self) -> str:
        return self.name


class Event(BaseModel):
    """planned → open (kits dispatched to it) → closed (reconciled), or cancelled."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    SCOPE = ScopePaths(
        governorate="place__admin_unit__governorate__pcode", programme="plan__programme__code"
    )
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {"planned": {"open", "cancelled"}, "open": {"closed"}},
        reason_required={"cancelled"},
    )

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="events")
    place = models.ForeignKey(
        "geo.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    expected_households = models.PositiveIntegerField(_("households expected"), default=0)
    # Reconciliation (kits): dispatched = distributed + returned + lost.
    dispatched = models.DecimalField(_("kits dispatched"), default=Decimal(0), **QTY)
    distributed = models.DecimalField(_("kits distributed"), default=Decimal(0), **QTY)
    returned = models.DecimalField(_("kits returned"), default=Decimal(0), **QTY)
    lost = models.DecimalField(_("kits lost"), default=Decimal(0), **QTY)
    difference_reason = models.TextField(_("reason for the difference"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["date", "place__name_en"]
        verbose_name = _("distribution event")
        verbose_name_plural = _("distribution events")

    def __str__(self) -> str:
        return f"{self.place} {self.date}"


class Expected(models.Model):
    """A household of the plan's list expected at an event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="expected")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "household"], name="distribution_expected_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.household_id}"


class Receipt(BaseModel):
    """A household's receipt of its kit at an event. One per household per event: the
    unique constraint decides when two devices record at once. `client_key` is the
    device's id for the attempt, so a retried submission returns the first receipt."""

    class Collector(models.TextChoices):
        HEAD = "head", _("Head of household")
        ALTERNATE = "alternate", _("Registered alternate collector")

    class Proof(models.TextChoices):
        SIGNATURE = "signature", _("Signature")
        THUMBPRINT = "thumbprint", _("Thumbprint")
        DECLARED = "declared", _("Declared by the distribution team")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        VOIDED = "voided", _("Voided")

    SCOPE = ScopePaths(
        governorate="event__place__admin_unit__governorate__pcode",
        programme="event__plan__programme__code",
    )
    VIEW_PERMISSION = VIEW
    PERSONAL_FIELDS = ("signature",)

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="receipts")
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kit = models.ForeignKey("stock.Kit", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QTY)
    collected_by = models.ForeignKey(
        "registry.Individual",
        verbose_name=_("collected by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    collector = models.CharField(_("collector"), max_length=16, choices=Collector.choices)
    proof = models.CharField(_("proof of receipt"), max_length=16, choices=Proof.choices)
    # A PNG data URI of the signature or thumbprint drawn on the device (personal data).
    signature = models.TextField(_("signature"), blank=True)
    found_by = models.CharField(_("found by"), max_length=16, default="search")  # qr | search
    client_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    device = models.CharField(_("device"), max_length=80, blank=True)
    received_at = models.DateTimeField(_("received at"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "household"], name="distribution_receipt_once_per_event"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="distribution_receipt_qty"),
        ]


class Refusal(models.Model):
    """A household turned away at an event, with the reason shown to the team: kept so
    that the event report counts them and the feedback desk can follow up."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="refusals")
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(max_length=40)
    message = models.CharField(max_length=300)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.code} {self.at:%Y-%m-%d}"


class MonitoringSample(BaseModel):
    """A post-distribution monitoring sample of a plan: households drawn at random,
    stratified by event place (proportional allocation, at least one per place), with
    the seed recorded so the draw can be repeated."""

    SCOPE = ScopePaths(
        governorate="plan__warehouse__place__admin_unit__governorate__pcode",
        programme="plan__programme__code",
    )
    VIEW_PERMISSION = VIEW

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="samples")
    size = models.PositiveIntegerField(_("sample size"))
    seed = models.BigIntegerField(_("seed"))
    households = models.ManyToManyField(
        "registry.Household", through="SampledHousehold", related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("monitoring sample")
        verbose_name_plural = _("monitoring samples")


class SampledHousehold(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "pending", _("To call")
        REACHED = "reached", _("Reached")
        NOT_REACHED = "not_reached", _("Not reached")

    sample = models.ForeignKey(MonitoringSample, on_delete=models.CASCADE, related_name="rows")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    satisfied = models.BooleanField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sample", "household"], name="distribution_sample_once")
        ]

    def __str__(self) -> str:
        return f"{self.sample_id}:{self.household_id}"
