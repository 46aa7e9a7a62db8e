"""Contractors, tenders and contracts covering several houses, with payment milestones,
retention and penalties for delay."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanad.core.models import BaseModel
from sanad.core.scoping import ScopePaths
from sanad.core.state import StateMachine
from sanad.shelter.models.common import (
    MANAGE_CONTRACT,
    MONEY,
    PERCENT,
    SCOPE,
    VIEW,
    Currency,
)

CONTRACT_SCOPE = ScopePaths(
    governorate="contract__governorate__pcode", programme="contract__programme__code"
)


class Contractor(BaseModel):
    """A construction company (or a team) that may bid and be contracted."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        EXCLUDED = "excluded", _("Excluded")

    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_CONTRACT
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {"active": {"suspended", "excluded"}, "suspended": {"active", "excluded"}},
        reason_required={"suspended", "excluded"},
    )

    name = models.CharField(_("name"), max_length=200)
    registration_number = models.CharField(_("registration number"), max_length=60, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    governorates = models.ManyToManyField(
        "geo.AdminUnit", verbose_name=_("works in"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contractor")
        verbose_name_plural = _("contractors")

    def __str__(self) -> str:
        return self.name


class Tender(BaseModel):
    """A call for bids on a lot of houses (the cases): draft → open → evaluated →
    awarded (a contract made from the winning bid), or cancelled."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for bids")
        EVALUATED = "evaluated", _("Evaluated")
        AWARDED = "awarded", _("Awarded")
        CANCELLED = "cancelled", _("Cancelled")

    SCOPE = SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_CONTRACT
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "draft": {"open", "cancelled"},
            "open": {"evaluated", "cancelled"},
            "evaluated": {"awarded", "cancelled"},
        },
        reason_required={"cancelled"},
    )

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    title = models.CharField(_("title"), max_length=200)
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
        "geo.AdminUnit", verbose_name=_("governorate"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("scope of works"), blank=True)
    cases = models.ManyToManyField(
        "shelter.RehabCase", verbose_name=_("houses in the lot"), blank=True, related_name="tenders"
    )
    estimate = models.DecimalField(
        _("estimate (sum of the bills of quantities)"), default=0, **MONEY
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default="USD"
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    closes_on = models.DateField(_("bids close on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Bid(BaseModel):
    """A contractor's offer on a tender, with the committee's technical score."""

    SCOPE = ScopePaths(
        governorate="tender__governorate__pcode", programme="tender__programme__code"
    )
    VIEW_PERMISSION = VIEW

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="bids")
    contractor = models.ForeignKey(
        Contractor, verbose_name=_("contractor"), on_delete=models.PROTECT, related_name="bids"
    )
    amount = models.DecimalField(_("price offered"), **MONEY)
    duration_days = models.PositiveSmallIntegerField(
        _("duration offered (days)"), null=True, blank=True
    )
    technical_score = models.DecimalField(
        _("technical score (0–100)"), null=True, blank=True, **PERCENT
    )
    notes = models.TextField(_("notes"), blank=True)
    awarded = models.BooleanField(_("awarded"), default=False)

    class Meta:
        ordering = ["tender", "amount"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "contractor"], name="shelter_bid_once"),
            models.UniqueConstraint(
                fields=["tender"], condition=Q(awarded=True), name="shelter_bid_one_award"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="shelter_bid_positive"),
        ]


class Contract(BaseModel):
    """A works contract covering several houses: draft → active (signed) → completed
    (practical completion) → closed (retention released after the defects-liability
    period); or terminated."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Practically complete")
        CLOSED = "closed", _("Closed")
        TERMINATED = "terminated", _("Terminated")

    SCOPE = SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_CONTRACT
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "draft": {"active", "terminated"},
            "active": {"completed", "terminated"},
            "completed": {"closed"},
        },
        reason_required={"terminated"},
    )

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    contractor = models.ForeignKey(
        Contractor, verbose_name=_("contractor"), on_delete=models.PROTECT, related_name="contracts"
    )
    tender = models.OneToOneField(
        Tender,
        verbose_name=_("tender"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contract",
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
        "geo.AdminUnit", verbose_name=_("governorate"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(_("contract value"), **MONEY)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default="USD"
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    start_on = models.DateField(_("start"), null=True, blank=True)
    end_on = models.DateField(_("planned completion"), null=True, blank=True)
    retention_percent = models.DecimalField(_("retention (%)"), default=10, **PERCENT)
    # Liquidated damages: a share of the contract value per day late, capped.
    penalty_per_day_percent = models.DecimalField(
        _("penalty per day late (percentage of the milestone)"),
        max_digits=6,
        decimal_places=3,
        default=0.1,
    )
    penalty_cap_percent = models.DecimalField(
        _("penalty cap (percentage of the contract)"), default=10, **PERCENT
    )
    defects_liability_days = models.PositiveSmallIntegerField(
        _("defects liability (days)"), default=365
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    completed_on = models.DateField(_("practical completion on"), null=True, blank=True)
    retention_released_on = models.DateField(_("retention released on"), null=True, blank=True)
    retention_released = models.DecimalField(
        _("retention released"), null=True, blank=True, **MONEY
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="shelter_contract_positive"),
        ]

    def __str__(self) -> str:
        return self.reference


class ContractMilestone(models.Model):
    """A payment milestone: a share of the contract value, due on a date, certified
    when an inspector verified the work. Certifying it computes what is payable: the
    gross share, less retention, less the penalty for each day late (capped for the
    contract as a whole)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CERTIFIED = "certified", _("Certified")
        PAID = "paid", _("Paid")

    SCOPE = CONTRACT_SCOPE
    VIEW_PERMISSION = VIEW

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="milestones")
    sequence = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("milestone"), max_length=200)
    percent = models.DecimalField(_("share of the contract (%)"), **PERCENT)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    certified_at = models.DateTimeField(null=True, blank=True)
    days_late = models.PositiveIntegerField(_("days late"), default=0)
    gross = models.DecimalField(_("gross"), null=True, blank=True, **MONEY)
    retention = models.DecimalField(_("retention"), null=True, blank=True, **MONEY)
    penalty = models.DecimalField(_("penalty for delay"), null=True, blank=True, **MONEY)
    net = models.DecimalField(_("payable"), null=True, blank=True, **MONEY)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=60, blank=True)

    class Meta:
        ordering = ["contract", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "sequence"], name="shelter_cmilestone_order"
            ),
            models.CheckConstraint(
                condition=Q(percent__gt=0) & Q(percent__lte=100), name="shelter_cmilestone_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}:{self.sequence} {self.name}"
