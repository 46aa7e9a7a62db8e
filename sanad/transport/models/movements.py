"""Movement requests, the households on them (declaration, consent, luggage) and their
passengers (fitness to travel, needs)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanad.core.models import BaseModel
from sanad.core.scoping import ScopePaths
from sanad.core.state import StateMachine
from sanad.transport.models.common import (
    MANAGE,
    MOVEMENT_SCOPE,
    VIEW,
    VOLUME,
    DeclarationMethod,
    Fitness,
    MovementKind,
)

HOUSEHOLD_SCOPE = ScopePaths(
    governorate="request__governorates__pcode",
    programme="request__programme__code",
    multi_valued=True,
)
PASSENGER_SCOPE = ScopePaths(
    governorate="movement_household__request__governorates__pcode",
    programme="movement_household__request__programme__code",
    multi_valued=True,
)


class MovementRequest(BaseModel):
    """A request to move households from an origin to a destination: draft → submitted
    → approved (by someone other than who submitted it) → in progress (a convoy left) →
    completed (every household arrived, stayed behind or was withdrawn); returned to
    draft with a reason, or cancelled."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        CAMP_CLOSURE = "camp_closure", _("Camp closure or consolidation plan")

    SCOPE = MOVEMENT_SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "draft": {"submitted", "cancelled"},
            "submitted": {"approved", "draft", "cancelled"},
            "approved": {"in_progress", "completed", "cancelled"},
            "in_progress": {"completed"},
        },
        reason_required={"cancelled", "draft"},
    )

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    kind = models.CharField(_("kind of movement"), max_length=20, choices=MovementKind.choices)
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    project = models.ForeignKey(
        "programmes.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    origin = models.ForeignKey(
        "geo.Place", verbose_name=_("origin"), on_delete=models.PROTECT, related_name="+"
    )
    destination = models.ForeignKey(
        "geo.Place",
        verbose_name=_("destination"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # For a family going to a village or town rather than a site: the district or
    # sub-district it goes to.
    destination_admin_unit = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("destination area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    governorates = models.ManyToManyField(
        "geo.AdminUnit", verbose_name=_("governorates"), related_name="+"
    )
    requested_date = models.DateField(_("requested date"))
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.MANUAL
    )
    source_ref = models.CharField(_("source reference"), max_length=64, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )

    class Meta:
        ordering = ["-requested_date", "-id"]
        verbose_name = _("movement request")
        verbose_name_plural = _("movement requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(destination__isnull=False) | Q(destination_admin_unit__isnull=False),
                name="transport_movement_has_destination",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class MovementHousehold(BaseModel):
    """A household on a movement request: waiting → planned (in a convoy) → departed →
    arrived; postponed (a passenger not fit to travel, or a no-show: it can be planned
    again) or withdrawn (it chose not to move, with the reason)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        PLANNED = "planned", _("In a convoy")
        DEPARTED = "departed", _("Departed")
        ARRIVED = "arrived", _("Arrived")
        POSTPONED = "postponed", _("Postponed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    SCOPE = HOUSEHOLD_SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "waiting": {"planned", "postponed", "withdrawn"},
            "planned": {"waiting", "departed", "postponed", "withdrawn"},
            "postponed": {"waiting", "withdrawn"},
            "departed": {"arrived"},
            "withdrawn": {"waiting"},
        },
        reason_required={"postponed", "withdrawn"},
    )

    request = models.ForeignKey(
        MovementRequest, on_delete=models.CASCADE, related_name="households"
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING, db_index=True
    )
    # The camps closure plan's row this household came from (reported back on arrival).
    closure_row_id = models.PositiveIntegerField(null=True, blank=True)
    registered_at_border = models.BooleanField(
        _("registered at the border (minimal record)"), default=False
    )
    declaration_on = models.DateField(
        _("voluntary movement declaration made on"), null=True, blank=True
    )
    declaration_method = models.CharField(
        _("how the declaration was made"),
        max_length=12,
        choices=DeclarationMethod.choices,
        blank=True,
    )
    declaration_witness = models.CharField(_("witness"), max_length=120, blank=True)
    consent_given = models.BooleanField(
        _("consents to share the manifest with the driver and the destination"), default=False
    )
    luggage_m3 = models.DecimalField(_("luggage (m³)"), default=0, **VOLUME)
    note = models.CharField(_("note"), max_length=300, blank=True)
    arrived_on = models.DateField(_("arrived on"), null=True, blank=True)
    handover = models.CharField(_("handed over to"), max_length=300, blank=True)

    class Meta:
        ordering = ["request", "id"]
        verbose_name = _("household on a movement")
        verbose_name_plural = _("households on a movement")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "household"], name="transport_household_once"
            ),
            models.CheckConstraint(
                condition=Q(luggage_m3__gte=0), name="transport_household_luggage"
            ),
        ]

    @property
    def declared(self) -> bool:
        return self.declaration_on is not None and bool(self.declaration_method)


class Passenger(BaseModel):
    """A member of a household on a movement: fitness to travel and needs. The needs are
    filled in from the registry when the household is added and can be corrected."""

    SCOPE = PASSENGER_SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE

    movement_household = models.ForeignKey(
        MovementHousehold, on_delete=models.CASCADE, related_name="passengers"
    )
    individual = models.ForeignKey(
        "registry.Individual", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    fitness = models.CharField(
        _("fitness to travel"), max_length=14, choices=Fitness.choices, default=Fitness.NOT_ASSESSED
    )
    is_older = models.BooleanField(_("older person (60+)"), default=False)
    has_disability = models.BooleanField(_("person with a disability"), default=False)
    late_pregnancy = models.BooleanField(_("late pregnancy"), default=False)
    unaccompanied_child = models.BooleanField(_("unaccompanied or separated child"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["movement_household", "id"]
        verbose_name = _("passenger")
        verbose_name_plural = _("passengers")
        constraints = [
            models.UniqueConstraint(
                fields=["movement_household", "individual"], name="transport_passenger_once"
            ),
        ]

    @property
    def needs_help(self) -> bool:
        return (
            self.is_older
            or self.has_disability
            or self.late_pregnancy
            or self.unaccompanied_child
            or self.fitness in (Fitness.ESCORT, Fitness.WHEELCHAIR, Fitness.STRETCHER)
        )

    @property
    def needs_escort(self) -> bool:
        """Rides in a vehicle with a medical escort: fit only with one, on a stretcher,
        or a child travelling without its family."""
        return self.fitness in (Fitness.ESCORT, Fitness.STRETCHER) or self.unaccompanied_child
