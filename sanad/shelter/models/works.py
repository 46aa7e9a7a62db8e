"""Critical-shelter upgrades in sites and camp-road rehabilitation."""

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
    MANAGE_WORKS,
    MONEY,
    PERCENT,
    SCOPE,
    VIEW,
    Currency,
)

_WORKS_MACHINE = {
    "planned": {"in_progress", "cancelled"},
    "in_progress": {"completed", "cancelled"},
}


class WorkStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class SiteUpgrade(BaseModel):
    """Upgrades of the shelters on a camp or informal site, of one kind, for a number of
    households (each delivered one written to the assistance ledger)."""

    class Kind(models.TextChoices):
        SEALING_OFF = "sealing_off", _("Sealing-off kits")
        WINDOWS_DOORS = "windows_doors", _("Windows and doors")
        PARTITIONS = "partitions", _("Partitions")
        LATRINES = "latrines", _("Latrines")
        ELECTRICAL = "electrical", _("Electrical rewiring")

    SCOPE = SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_WORKS
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status", _WORKS_MACHINE, reason_required={"cancelled"}
    )

    site = models.ForeignKey(
        "camps.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
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
    kind = models.CharField(_("kind of upgrade"), max_length=16, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    planned_households = models.PositiveIntegerField(_("households planned"))
    budget = models.DecimalField(_("budget"), **MONEY)
    spent = models.DecimalField(_("spent"), default=0, **MONEY)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default="USD"
    )
    contract = models.ForeignKey(
        "shelter.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=WorkStatus.choices,
        default=WorkStatus.PLANNED,
        db_index=True,
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("site upgrade")
        verbose_name_plural = _("site upgrades")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.site}"


class UpgradeHousehold(models.Model):
    """A household whose shelter an upgrade reached, on a date."""

    SCOPE = ScopePaths(
        governorate="upgrade__governorate__pcode", programme="upgrade__programme__code"
    )
    VIEW_PERMISSION = VIEW

    upgrade = models.ForeignKey(SiteUpgrade, on_delete=models.CASCADE, related_name="households")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    plot = models.ForeignKey(
        "camps.Plot", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delivered_on = models.DateField(_("delivered on"))
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["upgrade", "id"]
        constraints = [
            models.UniqueConstraint(fields=["upgrade", "household"], name="shelter_upgrade_once"),
        ]

    def __str__(self) -> str:
        return f"{self.upgrade_id}:{self.household_id}"


class RoadProject(BaseModel):
    """Rehabilitation of a road in or to a camp: its length, budget and progress."""

    class Surface(models.TextChoices):
        ASPHALT = "asphalt", _("Asphalt")
        CONCRETE = "concrete", _("Concrete")
        GRAVEL = "gravel", _("Gravel")

    SCOPE = SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_WORKS
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status", _WORKS_MACHINE, reason_required={"cancelled"}
    )

    name = models.CharField(_("name"), max_length=200)
    site = models.ForeignKey(
        "camps.Site",
        verbose_name=_("site"),
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
        "geo.AdminUnit", verbose_name=_("governorate"), on_delete=models.PROTECT, related_name="+"
    )
    length_m = models.DecimalField(_("length (m)"), max_digits=9, decimal_places=1)
    width_m = models.DecimalField(
        _("width (m)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    surface = models.CharField(_("surface"), max_length=10, choices=Surface.choices)
    budget = models.DecimalField(_("budget"), **MONEY)
    spent = models.DecimalField(_("spent"), default=0, **MONEY)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default="USD"
    )
    contract = models.ForeignKey(
        "shelter.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    length_done_m = models.DecimalField(
        _("length done (m)"), max_digits=9, decimal_places=1, default=0
    )
    progress = models.DecimalField(_("progress (%)"), default=0, **PERCENT)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=WorkStatus.choices,
        default=WorkStatus.PLANNED,
        db_index=True,
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("road project")
        verbose_name_plural = _("road projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(length_m__gt=0), name="shelter_road_length_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RoadProgress(models.Model):
    """A progress report on a road: length done, percentage, spending to date."""

    SCOPE = ScopePaths(governorate="road__governorate__pcode", programme="road__programme__code")
    VIEW_PERMISSION = VIEW

    road = models.ForeignKey(RoadProject, on_delete=models.CASCADE, related_name="reports")
    reported_on = models.DateField(_("reported on"))
    length_done_m = models.DecimalField(_("length done (m)"), max_digits=9, decimal_places=1)
    progress = models.DecimalField(_("progress (%)"), **PERCENT)
    spent_to_date = models.DecimalField(_("spent to date"), **MONEY)
    note = models.TextField(_("note"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["road", "-reported_on", "-id"]

    def __str__(self) -> str:
        return f"{self.road_id} {self.reported_on} {self.progress}%"
