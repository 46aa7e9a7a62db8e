"""Local governance and social cohesion: community centres (information, and complaints
that become feedback cases), civic engagement events and reconciliation activities."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from sanad.core.models import BaseModel
from sanad.core.state import StateMachine
from sanad.revitalization.models.common import (
    MANAGE,
    SCOPE,
    VIEW,
    ParticipantGroup,
    ParticipationCount,
    child_scope,
)


class CommunityCentre(BaseModel):
    """A place where people get information and submit complaints and feedback."""

    SCOPE = SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE

    name = models.CharField(_("name"), max_length=200)
    community = models.ForeignKey(
        "revitalization.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="centres",
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
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
    # The feedback channel its cases are logged under (a help desk).
    channel = models.ForeignKey(
        "feedback.Channel",
        verbose_name=_("feedback channel"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    services = models.TextField(_("services offered"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    active = models.BooleanField(_("open"), default=True)

    class Meta:
        ordering = ["governorate__pcode", "name"]
        verbose_name = _("community centre")
        verbose_name_plural = _("community centres")

    def __str__(self) -> str:
        return self.name


class CentreVisitDay(models.Model):
    """How many people came to a centre on a day and what for (counts, no names)."""

    SCOPE = child_scope("centre")
    VIEW_PERMISSION = VIEW

    centre = models.ForeignKey(CommunityCentre, on_delete=models.CASCADE, related_name="days")
    day = models.DateField(_("day"))
    visitors_female = models.PositiveIntegerField(_("women and girls"), default=0)
    visitors_male = models.PositiveIntegerField(_("men and boys"), default=0)
    information_requests = models.PositiveIntegerField(_("information requests"), default=0)
    referrals = models.PositiveIntegerField(_("referrals to services"), default=0)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["centre", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "day"], name="revitalization_centre_day_once")
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.day}"


class CentreCase(models.Model):
    """A complaint or feedback submitted at a centre: the feedback case it became."""

    SCOPE = child_scope("centre")
    VIEW_PERMISSION = VIEW

    centre = models.ForeignKey(CommunityCentre, on_delete=models.PROTECT, related_name="cases")
    case = models.OneToOneField("feedback.Case", on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-logged_at"]

    def __str__(self) -> str:
        return f"{self.centre_id}:{self.case_id}"


class CohesionActivity(BaseModel):
    """A civic engagement event, a reconciliation activity or a community dialogue:
    planned → held (participants recorded) ; or cancelled. A reconciliation activity
    brings together participants from at least two groups."""

    class Kind(models.TextChoices):
        CIVIC = "civic", _("Civic engagement event")
        RECONCILIATION = "reconciliation", _("Reconciliation activity")
        DIALOGUE = "dialogue", _("Community dialogue")
        SOCIAL = "social", _("Social, sports or cultural event")
        GOVERNANCE = "governance", _("Local governance training or forum")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    SCOPE = SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {"planned": {"held", "cancelled"}, "held": {"planned"}},
        reason_required={"cancelled", "planned"},
    )

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    community = models.ForeignKey(
        "revitalization.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    centre = models.ForeignKey(
        CommunityCentre,
        verbose_name=_("community centre"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
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
    held_on = models.DateField(_("date"))
    facilitators = models.CharField(_("facilitators"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    outcomes = models.TextField(_("outcomes and agreements"), blank=True)
    participants = models.ManyToManyField(
        "registry.Individual",
        verbose_name=_("registered participants"),
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED, db_index=True
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("social-cohesion activity")
        verbose_name_plural = _("social-cohesion activities")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class ActivityParticipation(ParticipationCount):
    activity = models.ForeignKey(
        CohesionActivity, on_delete=models.CASCADE, related_name="participation"
    )

    SCOPE = child_scope("activity")
    VIEW_PERMISSION = VIEW

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "group", "sex", "age_band"],
                name="revitalization_activity_participation_once",
            )
        ]


__all__ = [
    "ActivityParticipation",
    "CentreCase",
    "CentreVisitDay",
    "CohesionActivity",
    "CommunityCentre",
    "ParticipantGroup",
]
