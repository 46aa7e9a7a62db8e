"""Programmes, donor projects, activities and targets. Modules attach their records
to a programme and a project."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sanad.core.areas import ProgrammeArea
from sanad.core.models import BaseModel
from sanad.core.scoping import ScopePaths
from sanad.core.state import StateMachine


class Currency(models.TextChoices):
    IQD = "IQD", _("Iraqi dinar (IQD)")
    USD = "USD", _("US dollar (USD)")


class Programme(BaseModel):
    SCOPE = ScopePaths(programme="code")
    VIEW_PERMISSION = "programmes.view_programme"
    MANAGE_PERMISSION = "programmes.manage_programme"

    code = models.CharField(_("code"), max_length=16, choices=ProgrammeArea.choices, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=160)
    name_ar = models.CharField(_("name (Arabic)"), max_length=160, blank=True)
    name_ckb = models.CharField(_("name (Kurdish)"), max_length=160, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (get_language() or "en").split("-")[0]
        if lang == "ar" and self.name_ar:
            return self.name_ar
        if lang == "ckb" and self.name_ckb:
            return self.name_ckb
        return self.name_en


class Project(BaseModel):
    """A donor-funded project under a programme."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    SCOPE = ScopePaths(programme="programme__code")
    VIEW_PERMISSION = "programmes.view_programme"
    MANAGE_PERMISSION = "programmes.manage_programme"
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {"planned": {"active", "closed"}, "active": {"closed"}, "closed": {"active"}},
        reason_required={"closed"},
    )

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="projects"
    )
    code = models.CharField(_("project code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=250)
    donor = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("donor"),
        on_delete=models.PROTECT,
        related_name="funded_projects",
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.USD
    )
    budget = models.DecimalField(
        _("budget"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    governorates = models.ManyToManyField(
        "geo.AdminUnit",
        verbose_name=_("governorates"),
        blank=True,
        limit_choices_to={"level": 1},
        related_name="+",
    )

    class Meta:
        ordering = ["-start_date", "code"]
        verbose_name = _("donor project")
        verbose_name_plural = _("donor projects")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="programmes_project_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"


class Activity(BaseModel):
    SCOPE = ScopePaths(programme="project__programme__code")
    VIEW_PERMISSION = "programmes.view_programme"
    MANAGE_PERMISSION = "programmes.manage_programme"

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="activities"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=250)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["project", "code"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "code"], name="programmes_activity_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Target(BaseModel):
    """What an activity aims to reach on an indicator in a period."""

    SCOPE = ScopePaths(programme="activity__project__programme__code")
    VIEW_PERMISSION = "programmes.view_programme"
    MANAGE_PERMISSION = "programmes.manage_programme"

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="targets"
    )
    indicator = models.CharField(
        _("indicator"),
        max_length=80,
        help_text=_("Indicator code, for example people_reached_nfi."),
    )
    label = models.CharField(_("description"), max_length=250)
    unit = models.CharField(_("unit"), max_length=40, default="people")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(
        _("target"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["activity", "indicator", "period_start"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="programmes_target_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"
