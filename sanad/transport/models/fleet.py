"""The fleet: transport contractors and their contracts, vehicles and drivers."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanad.core.models import BaseModel
from sanad.core.scoping import ScopePaths
from sanad.core.state import StateMachine
from sanad.transport.models.common import (
    FLEET,
    FLEET_SCOPE,
    MONEY,
    VIEW,
    VOLUME,
    Currency,
    VehicleKind,
)


class TransportContractor(BaseModel):
    """A company that provides vehicles and drivers under contract."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    SCOPE = FLEET_SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = FLEET
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status", {"active": {"suspended"}, "suspended": {"active"}}, reason_required={"suspended"}
    )

    name = models.CharField(_("name"), max_length=200)
    registration_number = models.CharField(_("registration number"), max_length=60, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    governorates = models.ManyToManyField(
        "geo.AdminUnit", verbose_name=_("works in"), related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("transport contractor")
        verbose_name_plural = _("transport contractors")

    def __str__(self) -> str:
        return self.name


class TransportContract(BaseModel):
    """A framework contract with a transport contractor: its period and rate."""

    class RateKind(models.TextChoices):
        PER_TRIP = "per_trip", _("per vehicle and trip")
        PER_DAY = "per_day", _("per vehicle and day")
        PER_KM = "per_km", _("per vehicle and kilometre")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    SCOPE = ScopePaths(governorate="contractor__governorates__pcode", multi_valued=True)
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = FLEET
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status", {"active": {"ended"}, "ended": {"active"}}
    )

    contractor = models.ForeignKey(
        TransportContractor,
        verbose_name=_("contractor"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    project = models.ForeignKey(
        "programmes.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    rate_kind = models.CharField(
        _("rate"), max_length=10, choices=RateKind.choices, default=RateKind.PER_TRIP
    )
    rate = models.DecimalField(_("rate amount"), **MONEY)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default="USD"
    )
    terms = models.TextField(_("terms"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )

    class Meta:
        ordering = ["-starts_on", "reference"]
        verbose_name = _("transport contract")
        verbose_name_plural = _("transport contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="transport_contract_period"
            ),
            models.CheckConstraint(condition=Q(rate__gte=0), name="transport_contract_rate"),
        ]

    def __str__(self) -> str:
        return self.reference


class Vehicle(BaseModel):
    """A vehicle that can join convoys: its passenger seats (the driver's not counted),
    wheelchair and stretcher places, and luggage capacity. Owned (no contractor) or a
    contractor's."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In service")
        OUT_OF_SERVICE = "out_of_service", _("Out of service")

    SCOPE = FLEET_SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = FLEET
    STATUS_MACHINE: ClassVar[StateMachine] = StateMachine(
        "status",
        {"active": {"out_of_service"}, "out_of_service": {"active"}},
        reason_required={"out_of_service"},
    )

    kind = models.CharField(_("kind"), max_length=16, choices=VehicleKind.choices)
    plate_number = models.CharField(_("plate number"), max_length=30, unique=True)
    description = models.CharField(_("make and model"), max_length=120, blank=True)
    contractor = models.ForeignKey(
        TransportContractor,
        verbose_name=_("contractor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vehicles",
    )
    seats = models.PositiveSmallIntegerField(_("passenger seats"))
    wheelchair_places = models.PositiveSmallIntegerField(_("wheelchair places"), default=0)
    stretcher_places = models.PositiveSmallIntegerField(_("stretcher places"), default=0)
    luggage_m3 = models.DecimalField(_("luggage capacity (m³)"), default=0, **VOLUME)
    governorates = models.ManyToManyField(
        "geo.AdminUnit", verbose_name=_("based in"), related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["kind", "plate_number"]
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        constraints = [
            models.CheckConstraint(
                condition=Q(luggage_m3__gte=0), name="transport_vehicle_luggage"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.plate_number}"


class Driver(BaseModel):
    """A driver: owned fleet staff or a contractor's."""

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("name", "phone", "licence_number")
    SCOPE = FLEET_SCOPE
    VIEW_PERMISSION = VIEW
    MANAGE_PERMISSION = FLEET

    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    licence_number = models.CharField(_("driving licence number"), max_length=40, blank=True)
    licence_expires_on = models.DateField(_("licence expires on"), null=True, blank=True)
    contractor = models.ForeignKey(
        TransportContractor,
        verbose_name=_("contractor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="drivers",
    )
    governorates = models.ManyToManyField(
        "geo.AdminUnit", verbose_name=_("based in"), related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("driver")
        verbose_name_plural = _("drivers")

    def __str__(self) -> str:
        return self.name
