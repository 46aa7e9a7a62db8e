"""Vehicles (register, edit, out of service and back) and drivers (register, edit)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError
from django.utils.translation import gettext as _

from sanad.core.errors import field_error
from sanad.geo.models import AdminUnit
from sanad.transport.models import (
    FLEET,
    Driver,
    TransportContractor,
    Vehicle,
    VehicleKind,
)
from sanad.transport.services._common import (
    require,
)
from sanad.transport.services.fleet._base import (
    _contractor,
    _count,
    _date,
    _decimal,
    _governorates,
    _phone,
    _save_with_governorates,
    _stamp,
    _text,
    normalise_plate,
)

# --- vehicles --------------------------------------------------------------------------

VEHICLE_FIELDS = (
    "kind",
    "plate_number",
    "description",
    "contractor",
    "seats",
    "wheelchair_places",
    "stretcher_places",
    "luggage_m3",
    "notes",
)


def _check_capacities(vehicle: Vehicle) -> None:
    kind = vehicle.kind
    if kind == VehicleKind.LUGGAGE_TRUCK:
        if vehicle.seats or vehicle.wheelchair_places or vehicle.stretcher_places:
            raise field_error(
                "seats",
                _("A luggage truck carries no passengers: set its seats and places to 0."),
                "truck_has_seats",
            )
        if vehicle.luggage_m3 <= 0:
            raise field_error(
                "luggage_m3",
                _("Enter the luggage capacity of the truck in m³."),
                "truck_without_luggage",
            )
    elif kind == VehicleKind.AMBULANCE:
        if vehicle.stretcher_places < 1:
            raise field_error(
                "stretcher_places",
                _("An ambulance has at least one stretcher place."),
                "ambulance_without_stretcher",
            )
    elif vehicle.seats < 1:
        raise field_error(
            "seats",
            _("A bus or minibus has at least one passenger seat."),
            "vehicle_without_seats",
        )


def _vehicle_values(user: Any, vehicle: Vehicle, fields: dict[str, Any]) -> list[AdminUnit]:
    new = vehicle.pk is None
    if "kind" in fields or new:
        if fields.get("kind") not in VehicleKind.values:
            raise field_error("kind", _("Choose the kind of vehicle."), "invalid_kind")
        vehicle.kind = str(fields["kind"])
    if "plate_number" in fields or new:
        plate = normalise_plate(fields.get("plate_number"))
        if not plate:
            raise field_error("plate_number", _("Enter the plate number."), "plate_required")
        if len(plate) > 30:
            raise field_error(
                "plate_number", _("Shorten this to %(n)d characters.") % {"n": 30}, "plate_long"
            )
        taken = Vehicle.objects.exclude(pk=vehicle.pk).filter(plate_number__iexact=plate).first()
        if taken is not None:
            raise field_error(
                "plate_number",
                _(
                    "The plate number %(plate)s is already registered (%(kind)s). "
                    "Check the number or open that vehicle."
                )
                % {"plate": plate, "kind": taken.get_kind_display()},
                "plate_taken",
            )
        vehicle.plate_number = plate
    if "description" in fields or new:
        vehicle.description = _text(fields.get("description"), "description", max_length=120)
    if "notes" in fields or new:
        vehicle.notes = _text(fields.get("notes"), "notes", max_length=5000, multiline=True)
    if "contractor" in fields or new:
        current = None if new else Vehicle.objects.get(pk=vehicle.pk).contractor
        vehicle.contractor = _contractor(user, fields.get("contractor"), current=current)
    for name in ("seats", "wheelchair_places", "stretcher_places"):
        if name in fields or new:
            setattr(vehicle, name, _count(fields.get(name), name))
    if "luggage_m3" in fields or new:
        vehicle.luggage_m3 = _decimal(fields.get("luggage_m3"), "luggage_m3")
        if vehicle.luggage_m3 >= Decimal("100000"):
            raise field_error("luggage_m3", _("Enter a smaller volume."), "luggage_too_large")
    _check_capacities(vehicle)
    if "governorates" in fields or new:
        return _governorates(user, fields.get("governorates"))
    return list(vehicle.governorates.all())


def _save_vehicle(vehicle: Vehicle, governorates: list[AdminUnit]) -> None:
    try:
        _save_with_governorates(vehicle, governorates)
    except IntegrityError as exc:
        raise field_error(
            "plate_number",
            _("The plate number %(plate)s was registered meanwhile. Check the number.")
            % {"plate": vehicle.plate_number},
            "plate_taken",
        ) from exc


def vehicle_create(
    *,
    user: Any,
    kind: str,
    plate_number: str,
    seats: int,
    governorates: Iterable[AdminUnit],
    wheelchair_places: int = 0,
    stretcher_places: int = 0,
    luggage_m3: Any = 0,
    contractor: TransportContractor | None = None,
    description: str = "",
    notes: str = "",
) -> Vehicle:
    """Register a vehicle (owned when `contractor` is None, else an active contractor's)
    based in `governorates` of the user's scope. Seats are passenger seats, the driver's
    not counted."""
    require(user, FLEET)
    vehicle = Vehicle()
    chosen = _vehicle_values(
        user,
        vehicle,
        {
            "kind": kind,
            "plate_number": plate_number,
            "seats": seats,
            "governorates": governorates,
            "wheelchair_places": wheelchair_places,
            "stretcher_places": stretcher_places,
            "luggage_m3": luggage_m3,
            "contractor": contractor,
            "description": description,
            "notes": notes,
        },
    )
    _stamp(vehicle, user, created=True)
    _save_vehicle(vehicle, chosen)
    return vehicle


def vehicle_update(*, user: Any, vehicle: Vehicle, **fields: Any) -> Vehicle:
    """Change a vehicle: any of kind, plate_number, description, contractor, seats,
    wheelchair_places, stretcher_places, luggage_m3, notes, governorates. Convoys
    already planned keep the capacities they copied."""
    require(user, FLEET, vehicle)
    unknown = set(fields) - {*VEHICLE_FIELDS, "governorates"}
    if unknown:
        raise TypeError(f"vehicle_update: unknown fields {sorted(unknown)}")
    chosen = _vehicle_values(user, vehicle, fields)
    _stamp(vehicle, user)
    _save_vehicle(vehicle, chosen)
    return vehicle


def vehicle_transition(*, user: Any, vehicle: Vehicle, to: str, reason: str = "") -> Vehicle:
    """Take a vehicle out of service (`to="out_of_service"`, reason required: it joins
    no new convoy) or put it back in service (`to="active"`)."""
    require(user, FLEET, vehicle)
    Vehicle.STATUS_MACHINE.transition(vehicle, to=to, by=user, reason=reason)
    return vehicle


# --- drivers ---------------------------------------------------------------------------

DRIVER_FIELDS = (
    "name",
    "phone",
    "licence_number",
    "licence_expires_on",
    "contractor",
    "is_active",
)


def _driver_values(user: Any, driver: Driver, fields: dict[str, Any]) -> list[AdminUnit]:
    new = driver.pk is None
    if "name" in fields or new:
        driver.name = _text(fields.get("name"), "name", max_length=200, required=True)
    if "phone" in fields or new:
        driver.phone = _phone(fields.get("phone"))
    if "licence_number" in fields or new:
        driver.licence_number = _text(
            fields.get("licence_number"), "licence_number", max_length=40
        ).upper()
        if (
            driver.licence_number
            and Driver.objects.exclude(pk=driver.pk)
            .filter(licence_number__iexact=driver.licence_number)
            .exists()
        ):
            raise field_error(
                "licence_number",
                _("Another driver has this licence number. Check the number."),
                "licence_taken",
            )
    if "licence_expires_on" in fields or new:
        driver.licence_expires_on = _date(fields.get("licence_expires_on"), "licence_expires_on")
    if "contractor" in fields or new:
        current = None if new else Driver.objects.get(pk=driver.pk).contractor
        driver.contractor = _contractor(user, fields.get("contractor"), current=current)
    if "is_active" in fields:
        driver.is_active = bool(fields["is_active"])
    if "governorates" in fields or new:
        return _governorates(user, fields.get("governorates"))
    return list(driver.governorates.all())


def driver_create(
    *,
    user: Any,
    name: str,
    governorates: Iterable[AdminUnit],
    phone: str = "",
    licence_number: str = "",
    licence_expires_on: datetime.date | None = None,
    contractor: TransportContractor | None = None,
) -> Driver:
    """Register a driver (owned fleet staff, or an active contractor's). A licence that
    has expired is accepted but flagged (`selectors.fleet.licence_expired`): the driver
    is not offered for convoys until it is renewed."""
    require(user, FLEET)
    driver = Driver()
    chosen = _driver_values(
        user,
        driver,
        {
            "name": name,
            "governorates": governorates,
            "phone": phone,
            "licence_number": licence_number,
            "licence_expires_on": licence_expires_on,
            "contractor": contractor,
        },
    )
    _stamp(driver, user, created=True)
    _save_with_governorates(driver, chosen)
    return driver


def driver_update(*, user: Any, driver: Driver, **fields: Any) -> Driver:
    """Change a driver: any of name, phone, licence_number, licence_expires_on,
    contractor, is_active, governorates."""
    require(user, FLEET, driver)
    unknown = set(fields) - {*DRIVER_FIELDS, "governorates"}
    if unknown:
        raise TypeError(f"driver_update: unknown fields {sorted(unknown)}")
    chosen = _driver_values(user, driver, fields)
    _stamp(driver, user)
    _save_with_governorates(driver, chosen)
    return driver
