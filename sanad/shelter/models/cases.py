"""Rehabilitation cases, their milestones, inspections, handover and defects."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanad.core.models import BaseModel
from sanad.core.scoping import ScopePaths
from sanad.core.state import StateMachine
from sanad.shelter.models.assessments import Assessment, Property
from sanad.shelter.models.common import (
    AREA,
    INSPECT,
    MANAGE_CASE,
    MONEY,
    PERCENT,
    SCOPE,
    VIEW,
    Component,
    Currency,
)

CASE_SCOPE = ScopePaths(governorate="case__governorate__pcode", programme="case__programme__code")


class RehabCase(BaseModel):
    """The repair of one house: open → in progress → works completed (the final
    inspection signed off) → handed over (the family signed) → closed (the
    defects-liability period ended with no open defect); or cancelled."""

    class Modality(models.TextChoices):
        DIRECT = "direct", _("Direct implementation")
        CONTRACTOR = "contractor", _("By a contractor")
        CASH = "cash", _("Cash for beneficiary-led rehabilitation")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Works completed")
        HANDED_OVER = "handed_over", _("Handed over")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    SCOPE = SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_CASE
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "open": {"in_progress", "cancelled"},
            "in_progress": {"completed", "cancelled"},
            "completed": {"handed_over"},
            "handed_over": {"closed"},
        },
        reason_required={"cancelled"},
    )

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    assessment = models.OneToOneField(
        Assessment, verbose_name=_("assessment"), on_delete=models.PROTECT, related_name="case"
    )
    property = models.ForeignKey(
        Property, verbose_name=_("property"), on_delete=models.PROTECT, related_name="cases"
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    project = models.ForeignKey(
        "programmes.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="+"
    )
    governorate = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", editable=False
    )
    modality = models.CharField(_("modality"), max_length=12, choices=Modality.choices)
    contract = models.ForeignKey(
        "shelter.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    # Cash modality: the household's entitlement under a cash plan whose condition is a
    # verified shelter milestone; its tranches are released by signed-off inspections.
    entitlement = models.ForeignKey(
        "cash.Entitlement",
        verbose_name=_("cash entitlement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    budget = models.DecimalField(_("budget"), default=0, **MONEY)
    actual_cost = models.DecimalField(_("actual cost"), null=True, blank=True, **MONEY)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default="USD"
    )
    occupants_after = models.PositiveSmallIntegerField(_("people living there after the works"))
    covered_area_after_m2 = models.DecimalField(
        _("covered living space after the works (m²)"), **AREA
    )
    # Kept by the services: covered area ÷ occupants, and whether it is below the
    # standard (settings.SANAD_SHELTER_MIN_M2_PER_PERSON, 3.5 m² by default).
    space_per_person = models.DecimalField(_("m² per person"), null=True, blank=True, **AREA)
    below_standard = models.BooleanField(_("below the space standard"), default=False)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    progress = models.DecimalField(_("progress (%)"), default=0, **PERCENT)
    handed_over_on = models.DateField(_("handed over on"), null=True, blank=True)
    handover_signed_by = models.CharField(_("signed for the family by"), max_length=200, blank=True)
    handover_relationship = models.CharField(
        _("relationship to the head"), max_length=60, blank=True
    )
    handover_signature = models.CharField(max_length=200, blank=True)  # stored PNG, relative path
    certificate_number = models.CharField(_("completion certificate"), max_length=30, blank=True)
    defects_liability_until = models.DateField(_("defects liability until"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("rehabilitation case")
        verbose_name_plural = _("rehabilitation cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(modality="contractor") | Q(contract__isnull=True),
                name="shelter_case_contract_only_for_contractor",
            ),
            models.CheckConstraint(
                condition=Q(modality="cash") | Q(entitlement__isnull=True),
                name="shelter_case_entitlement_only_for_cash",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class CaseMilestone(models.Model):
    """A stage of a house's works, verified by an inspection. In the cash modality it
    may release a tranche: tranche 1 on signing, tranche k+1 when milestone k is
    verified."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        VERIFIED = "verified", _("Verified")

    SCOPE = CASE_SCOPE
    VIEW_PERMISSION = VIEW

    case = models.ForeignKey(RehabCase, on_delete=models.CASCADE, related_name="milestones")
    sequence = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("milestone"), max_length=200)
    progress = models.DecimalField(_("progress reached (%)"), **PERCENT)
    releases_tranche = models.PositiveSmallIntegerField(
        _("releases tranche"), null=True, blank=True
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    inspection = models.ForeignKey(
        "shelter.Inspection", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["case", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="shelter_milestone_order"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.sequence} {self.name}"


class Inspection(BaseModel):
    """A visit by an inspector: draft → signed off. A signed-off milestone inspection
    that found the milestone met verifies it (and releases its tranche)."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Progress")
        MILESTONE = "milestone", _("Milestone verification")
        FINAL = "final", _("Final (completion)")
        DEFECTS = "defects", _("Defects liability")

    class Result(models.TextChoices):
        VERIFIED = "verified", _("Verified: the work is done to standard")
        NOT_VERIFIED = "not_verified", _("Not verified: work missing or below standard")
        NOTED = "noted", _("Progress noted")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED_OFF = "signed_off", _("Signed off")

    class Check(models.TextChoices):
        OK = "ok", _("Done to standard")
        NOT_OK = "not_ok", _("Not done or below standard")
        NA = "na", _("Not part of the works")

    SCOPE = CASE_SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = INSPECT

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    case = models.ForeignKey(RehabCase, on_delete=models.PROTECT, related_name="inspections")
    milestone = models.ForeignKey(
        CaseMilestone,
        verbose_name=_("milestone"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    inspected_on = models.DateField(_("inspected on"))
    # {component: "ok" | "not_ok" | "na"}
    checklist = models.JSONField(_("checklist"), default=dict, blank=True)
    progress = models.DecimalField(_("progress (%)"), **PERCENT)
    result = models.CharField(_("result"), max_length=14, choices=Result.choices)
    findings = models.TextField(_("findings"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="shelter_inspection_progress_range",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class InspectionPhoto(models.Model):
    SCOPE = ScopePaths(
        governorate="inspection__case__governorate__pcode",
        programme="inspection__case__programme__code",
    )
    VIEW_PERMISSION = VIEW

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    path = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["inspection", "id"]

    def __str__(self) -> str:
        return self.path


class Defect(BaseModel):
    """A defect found after handover, during the defects-liability period: open →
    fixed (by whoever did the works) → verified by an inspector."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FIXED = "fixed", _("Fixed, to verify")
        VERIFIED = "verified", _("Verified fixed")

    SCOPE = CASE_SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_CASE
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status", {"open": {"fixed"}, "fixed": {"verified", "open"}}, reason_required={"open"}
    )

    case = models.ForeignKey(RehabCase, on_delete=models.PROTECT, related_name="defects")
    component = models.CharField(_("component"), max_length=16, choices=Component.choices)
    description = models.TextField(_("description"))
    reported_on = models.DateField(_("reported on"))
    due_on = models.DateField(_("to fix by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    fixed_on = models.DateField(_("fixed on"), null=True, blank=True)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-reported_on", "-id"]
        verbose_name = _("defect")
        verbose_name_plural = _("defects")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.description[:40]}"
