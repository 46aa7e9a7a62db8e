"""Properties, their damage assessments with bills of quantities, and prioritisation."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanad.core.models import BaseModel
from sanad.core.scoping import ScopePaths
from sanad.core.state import StateMachine
from sanad.shelter.models.catalogue import PriceItem
from sanad.shelter.models.common import (
    AREA,
    ASSESS,
    MANAGE_CASE,
    MONEY,
    QUANTITY,
    SCOPE,
    VIEW,
    Component,
    Currency,
    DamageCategory,
)


class Property(BaseModel):
    """A house (or flat, or room) that is assessed and perhaps repaired."""

    class Tenure(models.TextChoices):
        OWNER = "owner", _("Owner")
        TENANT = "tenant", _("Tenant")
        OTHER = "other", _("Other (hosted, inherited, informal)")

    class Document(models.TextChoices):
        TITLE_DEED = "title_deed", _("Title deed (tapu)")
        RENTAL = "rental_contract", _("Rental contract")
        MUNICIPALITY = "municipality_letter", _("Municipality letter")
        MUKHTAR = "mukhtar_letter", _("Mukhtar letter")
        INHERITANCE = "inheritance", _("Inheritance document")
        UTILITY = "utility_bill", _("Utility bill")
        NONE = "none", _("No document")

    SCOPE = ScopePaths(governorate="governorate__pcode")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = ASSESS
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("address", "latitude", "longitude", "owner_name")

    address = models.CharField(_("address"), max_length=300)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    admin_unit = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("admin unit"), on_delete=models.PROTECT, related_name="+"
    )
    governorate = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("governorate"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("occupying household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    tenure = models.CharField(_("occupant's tenure"), max_length=8, choices=Tenure.choices)
    documents = models.JSONField(_("tenure documents"), default=list, blank=True)
    owner_name = models.CharField(
        _("owner's name (when not the occupant)"), max_length=200, blank=True
    )
    floor_area_m2 = models.DecimalField(_("covered floor area (m²)"), null=True, blank=True, **AREA)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("property")
        verbose_name_plural = _("properties")

    def __str__(self) -> str:
        return self.address


class Assessment(BaseModel):
    """A damage assessment of a property by an engineer: draft (on the phone) →
    submitted → validated by the programme, or returned for correction; cancelled."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for correction")
        VALIDATED = "validated", _("Validated")
        CANCELLED = "cancelled", _("Cancelled")

    SCOPE = SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = ASSESS
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "draft": {"submitted", "cancelled"},
            "submitted": {"validated", "returned", "cancelled"},
            "returned": {"submitted", "cancelled"},
        },
        reason_required={"returned", "cancelled"},
    )

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    property = models.ForeignKey(
        Property, verbose_name=_("property"), on_delete=models.PROTECT, related_name="assessments"
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
    assessed_on = models.DateField(_("assessed on"))
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    damage = models.CharField(_("damage category"), max_length=10, choices=DamageCategory.choices)
    # {component: "intact" | "partial" | "destroyed"} for every checklist component.
    components = models.JSONField(_("component checklist"), default=dict, blank=True)
    occupants = models.PositiveSmallIntegerField(_("people living there"), default=0)
    covered_area_after_m2 = models.DecimalField(
        _("covered living space after the works (m²)"), null=True, blank=True, **AREA
    )
    boq_total = models.DecimalField(_("estimated cost"), default=0, **MONEY)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default="USD"
    )
    habitable = models.BooleanField(_("habitable now"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("damage assessment")
        verbose_name_plural = _("damage assessments")

    def __str__(self) -> str:
        return self.reference


class AssessmentPhoto(models.Model):
    """A photo of the damage, stripped of its metadata, kept under
    `settings.SANAD_SHELTER_PHOTO_DIR`."""

    SCOPE = ScopePaths(
        governorate="assessment__governorate__pcode", programme="assessment__programme__code"
    )
    VIEW_PERMISSION = VIEW

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="photos")
    path = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    component = models.CharField(
        _("component"), max_length=16, choices=Component.choices, blank=True
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessment", "id"]

    def __str__(self) -> str:
        return self.path


class BoqLine(models.Model):
    """A line of the bill of quantities: an item, a quantity and the unit price the
    catalogue gave on the assessment's date in its governorate (kept: a later price
    change does not rewrite an estimate)."""

    SCOPE = ScopePaths(
        governorate="assessment__governorate__pcode", programme="assessment__programme__code"
    )
    VIEW_PERMISSION = VIEW

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="boq")
    item = models.ForeignKey(
        PriceItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["assessment", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="shelter_boq_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} × {self.quantity} = {self.total}"


class PriorityRound(BaseModel):
    """Ranking of a project's validated assessments by damage severity and the
    household's vulnerability score from a targeting list, with the weights used; the
    rows are a snapshot (a later assessment or score does not change them)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FINAL = "final", _("Final")

    SCOPE = ScopePaths(programme="programme__code")
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE_CASE
    # Final once: the cases opened from it rely on its ranking.
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine("status", {"draft": {"final"}})

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
        verbose_name=_("vulnerability from the list"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    weight_damage = models.PositiveSmallIntegerField(_("weight of damage (%)"), default=60)
    weight_vulnerability = models.PositiveSmallIntegerField(
        _("weight of vulnerability (%)"), default=40
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("prioritisation")
        verbose_name_plural = _("prioritisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_damage__lte=100) & Q(weight_vulnerability__lte=100),
                name="shelter_priority_weights",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PriorityEntry(models.Model):
    """One assessed house in a prioritisation: its points and rank."""

    SCOPE = ScopePaths(
        governorate="assessment__governorate__pcode", programme="round__programme__code"
    )
    VIEW_PERMISSION = VIEW

    round = models.ForeignKey(PriorityRound, on_delete=models.CASCADE, related_name="entries")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+")
    damage_points = models.FloatField(_("damage points (0–100)"))
    # The raw score from the targeting list (None: the household is not on the list).
    vulnerability_score = models.FloatField(_("vulnerability score"), null=True, blank=True)
    vulnerability_points = models.FloatField(_("vulnerability points (0–100)"))
    priority = models.FloatField(_("priority"))
    rank = models.PositiveIntegerField(_("rank"))
    selected = models.BooleanField(_("selected for repair"), default=False)

    class Meta:
        ordering = ["round", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["round", "assessment"], name="shelter_priority_once"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}#{self.rank}"
