"""Convoys: the vehicles of one departure (with driver and escort), which household
rides in which vehicle (and where its luggage goes), the departure and arrival checks,
and incidents on the way."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanad.core.models import BaseModel
from sanad.core.scoping import ScopePaths
from sanad.core.state import StateMachine
from sanad.transport.models.common import MANAGE, VIEW
from sanad.transport.models.fleet import Driver, Vehicle
from sanad.transport.models.movements import MovementHousehold, MovementRequest

CONVOY_SCOPE = ScopePaths(
    governorate="request__governorates__pcode",
    programme="request__programme__code",
    multi_valued=True,
)
IN_CONVOY_SCOPE = ScopePaths(
    governorate="convoy__request__governorates__pcode",
    programme="convoy__request__programme__code",
    multi_valued=True,
)


class OversizePolicy(models.TextChoices):
    """What the planner does with a family larger than the largest vehicle."""

    REFUSE = "refuse", _("Refuse the plan and say which family")
    OWN_VEHICLES = "own_vehicles", _("Give the family vehicles of its own")


class Convoy(BaseModel):
    """One departure of a movement: planning (households assigned to vehicles, adjusted
    by hand) → ready (manifests issued; boarding is checked) → departed → arrived; or
    cancelled."""

    class Status(models.TextChoices):
        PLANNING = "planning", _("Planning")
        READY = "ready", _("Ready: boarding")
        DEPARTED = "departed", _("On the way")
        ARRIVED = "arrived", _("Arrived")
        CANCELLED = "cancelled", _("Cancelled")

    SCOPE = CONVOY_SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "planning": {"ready", "cancelled"},
            "ready": {"planning", "departed", "cancelled"},
            "departed": {"arrived"},
        },
        reason_required={"cancelled"},
    )

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    request = models.ForeignKey(
        MovementRequest,
        verbose_name=_("movement"),
        on_delete=models.PROTECT,
        related_name="convoys",
    )
    departs_on = models.DateField(_("departs on"))
    departure_time = models.TimeField(_("departure time"), null=True, blank=True)
    oversize_policy = models.CharField(
        _("a family larger than any vehicle"),
        max_length=14,
        choices=OversizePolicy.choices,
        default=OversizePolicy.REFUSE,
    )
    # What the last planning run found: vehicles used, lower bound, solver status and
    # time, households placed, refusals (see services.convoys).
    plan_summary = models.JSONField(_("plan summary"), default=dict, blank=True)
    planned_at = models.DateTimeField(_("planned at"), null=True, blank=True)
    departed_at = models.DateTimeField(_("departed at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNING, db_index=True
    )

    class Meta:
        ordering = ["-departs_on", "-id"]
        verbose_name = _("convoy")
        verbose_name_plural = _("convoys")

    def __str__(self) -> str:
        return self.reference


class ConvoyVehicle(BaseModel):
    """A vehicle in a convoy, its driver and (if any) its medical escort. The capacities
    are copied from the vehicle when it joins, so a later edit of the fleet does not
    change a plan made."""

    SCOPE = IN_CONVOY_SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE

    convoy = models.ForeignKey(Convoy, on_delete=models.CASCADE, related_name="vehicles")
    vehicle = models.ForeignKey(
        Vehicle, verbose_name=_("vehicle"), on_delete=models.PROTECT, related_name="+"
    )
    driver = models.ForeignKey(
        Driver,
        verbose_name=_("driver"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    escort_name = models.CharField(_("medical escort"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(_("position in the convoy"), default=0)
    seats = models.PositiveSmallIntegerField(_("passenger seats"))
    wheelchair_places = models.PositiveSmallIntegerField(_("wheelchair places"), default=0)
    stretcher_places = models.PositiveSmallIntegerField(_("stretcher places"), default=0)
    luggage_m3 = models.DecimalField(
        _("luggage capacity (m³)"), max_digits=7, decimal_places=2, default=0
    )

    class Meta:
        ordering = ["convoy", "position", "id"]
        verbose_name = _("vehicle in a convoy")
        verbose_name_plural = _("vehicles in a convoy")
        constraints = [
            models.UniqueConstraint(fields=["convoy", "vehicle"], name="transport_vehicle_once"),
        ]

    @property
    def has_escort(self) -> bool:
        return bool(self.escort_name.strip())

    @property
    def passenger_seats(self) -> int:
        """Seats left for passengers: the escort takes one."""
        return max(0, self.seats - (1 if self.has_escort else 0))


class ConvoyLoad(BaseModel):
    """A household in a convoy: the vehicle it rides in and the one that carries its
    luggage (its own, or a luggage truck). planned → boarded → arrived, or no-show.
    `pinned` marks a placement an officer made by hand: re-planning keeps it."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        BOARDED = "boarded", _("Boarded")
        NO_SHOW = "no_show", _("Did not show up")
        ARRIVED = "arrived", _("Arrived")

    SCOPE = IN_CONVOY_SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {
            "planned": {"boarded", "no_show"},
            "boarded": {"planned", "no_show", "arrived"},
            "no_show": {"planned", "boarded"},
        },
    )

    convoy = models.ForeignKey(Convoy, on_delete=models.CASCADE, related_name="loads")
    movement_household = models.ForeignKey(
        MovementHousehold, on_delete=models.PROTECT, related_name="loads"
    )
    convoy_vehicle = models.ForeignKey(
        ConvoyVehicle,
        verbose_name=_("vehicle"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loads",
    )
    luggage_vehicle = models.ForeignKey(
        ConvoyVehicle,
        verbose_name=_("luggage carried in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="luggage_loads",
    )
    pinned = models.BooleanField(_("placed by hand"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    boarded_at = models.DateTimeField(_("boarded at"), null=True, blank=True)
    boarded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    arrived_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["convoy", "convoy_vehicle", "id"]
        verbose_name = _("household in a convoy")
        verbose_name_plural = _("households in a convoy")
        constraints = [
            models.UniqueConstraint(
                fields=["convoy", "movement_household"], name="transport_load_once"
            ),
        ]


class Incident(BaseModel):
    """Something that happened on the way: a breakdown, an accident, a medical
    emergency, a security or checkpoint delay."""

    class Kind(models.TextChoices):
        BREAKDOWN = "breakdown", _("Vehicle breakdown")
        ACCIDENT = "accident", _("Road accident")
        MEDICAL = "medical", _("Medical emergency")
        SECURITY = "security", _("Security incident")
        CHECKPOINT = "checkpoint", _("Checkpoint delay")
        MISSING = "missing", _("Passenger missing")
        OTHER = "other", _("Other")

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    SCOPE = IN_CONVOY_SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = MANAGE

    convoy = models.ForeignKey(Convoy, on_delete=models.CASCADE, related_name="incidents")
    convoy_vehicle = models.ForeignKey(
        ConvoyVehicle,
        verbose_name=_("vehicle"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incidents",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # The households it concerns (a passenger missing, someone taken to hospital): a
    # household not checked in on arrival must be named by a "missing" incident before
    # the convoy can complete.
    households = models.ManyToManyField(
        MovementHousehold,
        verbose_name=_("households concerned"),
        blank=True,
        related_name="incidents",
    )
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.LOW
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    location = models.CharField(_("where"), max_length=200, blank=True)
    description = models.TextField(_("what happened"))
    people_affected = models.PositiveSmallIntegerField(_("people affected"), default=0)
    action_taken = models.TextField(_("action taken"), blank=True)

    class Meta:
        ordering = ["convoy", "-occurred_at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [
            models.CheckConstraint(
                condition=~Q(description=""), name="transport_incident_described"
            ),
        ]
