"""Reads of the fleet, always inside the user's scope: vehicles, drivers, contractors
and contracts; which vehicles and drivers are free on a day; totals of seats."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from sanad.core.errors import NotFound
from sanad.core.scoping import scoped
from sanad.transport.models import (
    VIEW,
    Convoy,
    ConvoyVehicle,
    Driver,
    TransportContract,
    TransportContractor,
    Vehicle,
    VehicleKind,
)
from sanad.transport.services._common import today

# A vehicle or driver is taken for the day by a convoy in one of these.
OPEN_CONVOY = (Convoy.Status.PLANNING, Convoy.Status.READY, Convoy.Status.DEPARTED)
# A licence expiring within this many days is shown as expiring soon.
LICENCE_WARNING_DAYS = 30


def vehicles_visible(user: Any, permission: str | None = None) -> QuerySet[Vehicle]:
    """The vehicles `user` may see (or act on with `permission`), with their contractor."""
    return scoped(
        Vehicle.objects.select_related("contractor").prefetch_related("governorates"),
        user,
        permission or VIEW,
    )


def drivers_visible(user: Any, permission: str | None = None) -> QuerySet[Driver]:
    return scoped(
        Driver.objects.select_related("contractor").prefetch_related("governorates"),
        user,
        permission or VIEW,
    )


def contractors_visible(user: Any, permission: str | None = None) -> QuerySet[TransportContractor]:
    """The contractors `user` may see, with `vehicle_count`, `driver_count` and
    `active_contracts`."""
    return scoped(
        TransportContractor.objects.prefetch_related("governorates").annotate(
            vehicle_count=Count("vehicles", distinct=True),
            driver_count=Count("drivers", distinct=True),
            active_contracts=Count(
                "contracts", filter=Q(contracts__status="active"), distinct=True
            ),
        ),
        user,
        permission or VIEW,
    )


def contracts_visible(user: Any, permission: str | None = None) -> QuerySet[TransportContract]:
    return scoped(
        TransportContract.objects.select_related("contractor", "project"),
        user,
        permission or VIEW,
    )


def _get(qs: QuerySet[Any], public_id: Any) -> Any:
    obj = qs.filter(public_id=public_id).first()
    if obj is None:
        raise NotFound()
    return obj


def vehicle_get(*, user: Any, public_id: Any, permission: str | None = None) -> Vehicle:
    return _get(vehicles_visible(user, permission), public_id)


def driver_get(*, user: Any, public_id: Any, permission: str | None = None) -> Driver:
    return _get(drivers_visible(user, permission), public_id)


def contractor_get(
    *, user: Any, public_id: Any, permission: str | None = None
) -> TransportContractor:
    return _get(contractors_visible(user, permission), public_id)


def contract_get(*, user: Any, public_id: Any, permission: str | None = None) -> TransportContract:
    return _get(contracts_visible(user, permission), public_id)


def _busy(field: str, day: datetime.date, except_convoy: Any) -> Exists:
    taken = ConvoyVehicle.objects.filter(
        **{field: OuterRef("pk")}, convoy__departs_on=day, convoy__status__in=OPEN_CONVOY
    )
    if except_convoy is not None:
        taken = taken.exclude(convoy=except_convoy)
    return Exists(taken)


def _contractor_ok() -> Q:
    return Q(contractor__isnull=True) | Q(contractor__status=TransportContractor.Status.ACTIVE)


def vehicles_available(
    *,
    user: Any,
    day: datetime.date,
    except_convoy: Convoy | None = None,
    permission: str | None = None,
) -> QuerySet[Vehicle]:
    """The vehicles `user` sees that can join a convoy on `day`: in service, owned or of
    an active contractor, and not in another open (planning, ready, departed) convoy
    that day (`except_convoy`: the convoy being planned, whose own vehicles count as
    free)."""
    return (
        vehicles_visible(user, permission)
        .filter(_contractor_ok(), status=Vehicle.Status.ACTIVE)
        .exclude(_busy("vehicle", day, except_convoy))
    )


def drivers_available(
    *,
    user: Any,
    day: datetime.date,
    except_convoy: Convoy | None = None,
    permission: str | None = None,
) -> QuerySet[Driver]:
    """The drivers `user` sees who can drive on `day`: active, licence not expired on
    that day, owned or of an active contractor, not driving in another open convoy
    that day."""
    return (
        drivers_visible(user, permission)
        .filter(_contractor_ok(), is_active=True)
        .filter(Q(licence_expires_on__isnull=True) | Q(licence_expires_on__gte=day))
        .exclude(_busy("driver", day, except_convoy))
    )


def licence_expired(driver: Driver, on: datetime.date | None = None) -> bool:
    expires = driver.licence_expires_on
    return expires is not None and expires < (on or today())


def licence_state(driver: Driver, on: datetime.date | None = None) -> str:
    """ "expired", "expiring" (within LICENCE_WARNING_DAYS), "valid" or "unknown"."""
    expires, day = driver.licence_expires_on, on or today()
    if expires is None:
        return "unknown"
    if expires < day:
        return "expired"
    if expires <= day + datetime.timedelta(days=LICENCE_WARNING_DAYS):
        return "expiring"
    return "valid"


def seat_totals(vehicles: QuerySet[Vehicle]) -> list[dict[str, Any]]:
    """Per kind of vehicle (in the order of the kinds): vehicles, in service, seats,
    wheelchair and stretcher places and luggage m³ of those in service."""
    rows = {
        r["kind"]: r
        for r in vehicles.order_by()
        .values("kind")
        .annotate(
            vehicles=Count("pk", distinct=True),
            in_service=Count("pk", filter=Q(status=Vehicle.Status.ACTIVE), distinct=True),
        )
    }
    # Sums over the distinct vehicles (the scope's join on governorates can repeat rows).
    sums = {
        r["kind"]: r
        for r in Vehicle.objects.filter(
            pk__in=vehicles.order_by().values("pk"), status=Vehicle.Status.ACTIVE
        )
        .values("kind")
        .annotate(
            seats=Sum("seats"),
            wheelchairs=Sum("wheelchair_places"),
            stretchers=Sum("stretcher_places"),
            luggage=Sum("luggage_m3"),
        )
    }
    out = []
    for kind, label in VehicleKind.choices:
        if kind not in rows:
            continue
        s: dict[str, Any] = dict(sums.get(kind) or {})
        out.append(
            {
                "kind": kind,
                "label": label,
                "vehicles": rows[kind]["vehicles"],
                "in_service": rows[kind]["in_service"],
                "seats": s.get("seats") or 0,
                "wheelchairs": s.get("wheelchairs") or 0,
                "stretchers": s.get("stretchers") or 0,
                "luggage": s.get("luggage") or 0,
            }
        )
    return out


def vehicle_convoys(vehicle: Vehicle, user: Any) -> list[ConvoyVehicle]:
    """The convoys the vehicle served or is planned in, that the user may see (newest
    first), with the driver of each."""
    convoys = scoped(Convoy.objects.all(), user, VIEW)
    return list(
        ConvoyVehicle.objects.filter(vehicle=vehicle, convoy__in=convoys.values("pk"))
        .select_related("convoy__request", "driver")
        .order_by("-convoy__departs_on", "-convoy_id")[:50]
    )


def vehicle_open_convoys(vehicle: Vehicle, on: datetime.date | None = None) -> list[Convoy]:
    """Open convoys from `on` (today) on that count on this vehicle."""
    return list(
        Convoy.objects.filter(
            vehicles__vehicle=vehicle,
            status__in=OPEN_CONVOY,
            departs_on__gte=on or today(),
        ).order_by("departs_on")
    )


def status_history(obj: Any) -> list[Any]:
    return list(type(obj).STATUS_MACHINE.history(obj).order_by("-at")[:20])
