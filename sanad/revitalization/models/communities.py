"""Communities and their participatory assessments: who took part, the needs they
ranked, the resources they already have, and the provincial endorsement."""

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
    ParticipationCount,
    Sector,
    child_scope,
)


class Community(BaseModel):
    """A village, a town quarter or a sub-district the programme works with: an admin
    unit (sub-district or district), optionally a place on the map."""

    SCOPE = SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE

    code = models.CharField(_("code"), max_length=24, unique=True)
    name = models.CharField(_("name"), max_length=200)
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    admin_unit = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("district or sub-district"),
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
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_source = models.CharField(
        _("population: source"),
        max_length=200,
        blank=True,
        help_text=_(
            "Where the population figure comes from, such as DTM round 130 or the mukhtar."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["governorate__pcode", "name"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")

    def __str__(self) -> str:
        return self.name


class CommunityAssessment(BaseModel):
    """A participatory session: draft → completed (needs ranked) → endorsed (the
    provincial authority endorsed the chosen projects); or cancelled."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMPLETED = "completed", _("Completed: needs ranked")
        ENDORSED = "endorsed", _("Endorsed by the provincial authority")
        CANCELLED = "cancelled", _("Cancelled")

    class Method(models.TextChoices):
        VOTES = "votes", _("Votes: each participant votes for the needs that matter most")
        SCORES = "scores", _("Scores: each group scores every need from 1 to 5")

    SCOPE = SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "draft": {"completed", "cancelled"},
            "completed": {"endorsed", "draft", "cancelled"},
        },
        reason_required={"cancelled", "draft"},
    )

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="assessments",
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
    held_on = models.DateField(_("held on"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    facilitators = models.CharField(_("facilitators"), max_length=300, blank=True)
    method = models.CharField(
        _("ranking method"), max_length=8, choices=Method.choices, default=Method.VOTES
    )
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    endorsed_by = models.CharField(
        _("endorsed by (authority)"),
        max_length=200,
        blank=True,
        help_text=_("Such as the Ninewa Provincial Council or the governor's office."),
    )
    endorsed_on = models.DateField(_("endorsed on"), null=True, blank=True)
    endorsement_reference = models.CharField(_("endorsement letter"), max_length=100, blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("community assessment")
        verbose_name_plural = _("community assessments")

    def __str__(self) -> str:
        return self.reference


class AssessmentParticipation(ParticipationCount):
    assessment = models.ForeignKey(
        CommunityAssessment, on_delete=models.CASCADE, related_name="participation"
    )

    SCOPE = child_scope("assessment")
    VIEW_PERMISSION = VIEW

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "group", "sex", "age_band"],
                name="revitalization_assessment_participation_once",
            )
        ]


class Need(models.Model):
    """A need the participants listed; votes (method "votes") or the groups' scores
    (method "scores") rank it. `rank` is computed (ties share a rank); `selected` marks
    the needs chosen for a project, which the authority endorses."""

    SCOPE = child_scope("assessment")
    VIEW_PERMISSION = VIEW

    assessment = models.ForeignKey(
        CommunityAssessment, on_delete=models.CASCADE, related_name="needs"
    )
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices)
    description = models.CharField(_("need"), max_length=300)
    votes = models.PositiveIntegerField(_("votes"), default=0)
    scores = models.JSONField(_("scores"), default=list, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    rank_note = models.CharField(_("how the rank was set"), max_length=300, blank=True)
    selected = models.BooleanField(_("chosen for a project"), default=False)
    estimated_cost = models.DecimalField(
        _("estimated cost (USD)"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["assessment", "rank", "id"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")

    def __str__(self) -> str:
        return self.description


class CommunityResource(models.Model):
    """What the community already has to build on."""

    class Kind(models.TextChoices):
        LABOUR = "labour", _("Skilled or unskilled labour")
        LAND = "land", _("Land")
        BUILDING = "building", _("Building or facility")
        EQUIPMENT = "equipment", _("Equipment or machinery")
        ORGANISATION = "organisation", _("Committee, association or cooperative")
        FUNDS = "funds", _("Funds or in-kind contributions")
        OTHER = "other", _("Other")

    SCOPE = child_scope("assessment")
    VIEW_PERMISSION = VIEW

    assessment = models.ForeignKey(
        CommunityAssessment, on_delete=models.CASCADE, related_name="resources"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.CharField(_("resource"), max_length=300)

    class Meta:
        ordering = ["assessment", "id"]
        verbose_name = _("community resource")
        verbose_name_plural = _("community resources")

    def __str__(self) -> str:
        return self.description


__all__ = [
    "AssessmentParticipation",
    "Community",
    "CommunityAssessment",
    "CommunityResource",
    "Need",
]
