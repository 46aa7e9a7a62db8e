"""Building transport records directly for tests (behaviour is tested through the
services). Every part's tests share these."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from sanad.geo.models import Place
from sanad.programmes.models import Programme
from sanad.registry.models import Household
from sanad.transport.models import (
    Convoy,
    ConvoyVehicle,
    Driver,
    MovementHousehold,
    MovementRequest,
    Passenger,
    TransportContractor,
    Vehicle,
)
from tests.factories import DUHOK, PlaceFactory, ProgrammeFactory, subdistrict_in, unit
from tests.registry.factories import make_household

_n = iter(range(1, 10**9))

# Seats, wheelchair places, stretcher places, luggage (m³) of each kind of vehicle.
KINDS: dict[str, tuple[int, int, int, str]] = {
    "bus": (45, 1, 0, "4.00"),
    "minibus": (20, 0, 0, "1.50"),
    "luggage_truck": (0, 0, 0, "30.00"),
    "ambulance": (3, 1, 1, "0.30"),
}


def transport_programme() -> Programme:
    return ProgrammeFactory(code="TRANSPORT")


def make_contractor(*, governorate: str = DUHOK, **kwargs: Any) -> TransportContractor:
    n = next(_n)
    kwargs.setdefault("name", f"Transport company {n}")
    contractor = TransportContractor.objects.create(**kwargs)
    contractor.governorates.set([unit(governorate)])
    return contractor


def make_vehicle(kind: str = "bus", *, governorate: str = DUHOK, **kwargs: Any) -> Vehicle:
    seats, wheelchairs, stretchers, luggage = KINDS[kind]
    n = next(_n)
    kwargs.setdefault("plate_number", f"DHK-{kind[:3].upper()}-{n:05d}")
    kwargs.setdefault("seats", seats)
    kwargs.setdefault("wheelchair_places", wheelchairs)
    kwargs.setdefault("stretcher_places", stretchers)
    kwargs.setdefault("luggage_m3", Decimal(luggage))
    vehicle = Vehicle.objects.create(kind=kind, **kwargs)
    vehicle.governorates.set([unit(governorate)])
    return vehicle


def make_driver(*, governorate: str = DUHOK, **kwargs: Any) -> Driver:
    n = next(_n)
    kwargs.setdefault("name", f"Driver {n}")
    kwargs.setdefault("phone", f"+96475000{n:05d}")
    driver = Driver.objects.create(**kwargs)
    driver.governorates.set([unit(governorate)])
    return driver


def make_place(
    *, governorate: str = DUHOK, kind: str = Place.Kind.FORMAL_CAMP, **kwargs: Any
) -> Place:
    n = next(_n)
    kwargs.setdefault("name_en", f"Place {n}")
    kwargs.setdefault("code", f"TP-{n}")
    return PlaceFactory(kind=kind, admin_unit=subdistrict_in(governorate), **kwargs)


def make_movement(
    *,
    origin: Place | None = None,
    destination: Place | None = None,
    kind: str = "relocation",
    status: str = MovementRequest.Status.APPROVED,
    requested_date: datetime.date | None = None,
    **kwargs: Any,
) -> MovementRequest:
    """A movement request between two places (new camps in Duhok by default), in
    `status`, without households."""
    origin = origin or make_place()
    destination = destination or make_place()
    n = next(_n)
    request = MovementRequest.objects.create(
        reference=kwargs.pop("reference", f"MOV-T-{n:05d}"),
        kind=kind,
        programme=transport_programme(),
        origin=origin,
        destination=destination,
        requested_date=requested_date or datetime.date(2026, 11, 30),
        status=status,
        **kwargs,
    )
    governorates = {origin.admin_unit.governorate_id, destination.admin_unit.governorate_id}
    request.governorates.set([g for g in governorates if g])
    return request


def add_household(
    request: MovementRequest,
    *,
    household: Household | None = None,
    members: int = 4,
    fitness: str = "fit",
    declared: bool = True,
    luggage: str = "0.40",
    governorate: str = DUHOK,
    status: str = MovementHousehold.Status.WAITING,
    **passenger_flags: Any,
) -> MovementHousehold:
    """A household on the request with a passenger per member, each of `fitness`;
    `passenger_flags` (e.g. `unaccompanied_child=True`) apply to the first member."""
    household = household or make_household(governorate=governorate, members=members)
    row = MovementHousehold.objects.create(
        request=request,
        household=household,
        status=status,
        luggage_m3=Decimal(luggage),
        declaration_on=datetime.date(2026, 11, 20) if declared else None,
        declaration_method="signed" if declared else "",
        consent_given=declared,
    )
    for i, member in enumerate(household.members.order_by("id")):
        flags = passenger_flags if i == 0 else {}
        Passenger.objects.create(
            movement_household=row,
            individual=member,
            fitness=fitness,
            assessed_on=datetime.date(2026, 11, 21) if fitness != "not_assessed" else None,
            **flags,
        )
    return row


def make_convoy(
    request: MovementRequest,
    *,
    vehicles: tuple[str, ...] = ("bus",),
    escorts: tuple[bool, ...] = (),
    departs_on: datetime.date | None = None,
    status: str = Convoy.Status.PLANNING,
    **kwargs: Any,
) -> Convoy:
    """A convoy of the request with new vehicles of `vehicles` kinds (each with a new
    driver; the i-th has a medical escort when `escorts[i]`)."""
    n = next(_n)
    convoy = Convoy.objects.create(
        reference=kwargs.pop("reference", f"CNV-T-{n:05d}"),
        request=request,
        departs_on=departs_on or request.requested_date,
        status=status,
        **kwargs,
    )
    for i, kind in enumerate(vehicles):
        vehicle = make_vehicle(kind)
        ConvoyVehicle.objects.create(
            convoy=convoy,
            vehicle=vehicle,
            driver=make_driver(),
            escort_name="Dr. Escort" if i < len(escorts) and escorts[i] else "",
            position=i + 1,
            seats=vehicle.seats,
            wheelchair_places=vehicle.wheelchair_places,
            stretcher_places=vehicle.stretcher_places,
            luggage_m3=vehicle.luggage_m3,
        )
    return convoy
