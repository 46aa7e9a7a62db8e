"""Creating a convoy; its vehicles, drivers and escorts."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, field_error
from sanad.core.scoping import can_reach
from sanad.transport.models import (
    MANAGE,
    VIEW,
    Convoy,
    ConvoyLoad,
    ConvoyVehicle,
    Driver,
    MovementRequest,
    OversizePolicy,
    Vehicle,
)
from sanad.transport.selectors import convoys as selectors
from sanad.transport.services._common import actor, next_reference, require
from sanad.transport.services.convoys._base import (
    OPEN,
    UNSET,
    changeable,
    locked,
    planning_only,
)

# --- convoys ---------------------------------------------------------------------------------


def convoy_create(
    *,
    user: Any,
    request: MovementRequest,
    departs_on: datetime.date,
    departure_time: datetime.time | None = None,
    oversize_policy: str | None = None,
    notes: str = "",
) -> Convoy:
    """A convoy of an approved (or in-progress) movement, in planning, referenced
    CNV-YYYY-NNNNN. `oversize_policy` defaults to SANAD_TRANSPORT_OVERSIZE_FAMILY."""
    require(user, MANAGE, request)
    if request.status not in (MovementRequest.Status.APPROVED, MovementRequest.Status.IN_PROGRESS):
        raise Conflict(
            _("Only an approved movement can have convoys. Have the request approved first."),
            code="movement_not_approved",
        )
    if not isinstance(departs_on, datetime.date):
        raise field_error("departs_on", _("Enter the departure date."), "departs_on_required")
    policy = oversize_policy or settings.SANAD_TRANSPORT_OVERSIZE_FAMILY
    if policy not in OversizePolicy.values:
        raise field_error(
            "oversize_policy",
            _("Choose what to do with a family larger than any vehicle."),
            "invalid_oversize_policy",
        )
    who = actor(user)
    for attempt in range(3):
        try:
            with transaction.atomic():
                return Convoy.objects.create(
                    reference=next_reference(Convoy, "CNV"),
                    request=request,
                    departs_on=departs_on,
                    departure_time=departure_time,
                    oversize_policy=policy,
                    notes=(notes or "").strip(),
                    created_by=who,
                    updated_by=who,
                )
        except IntegrityError:  # someone took the same reference meanwhile
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


# --- vehicles --------------------------------------------------------------------------------


def _driver_ok(user: Any, convoy: Convoy, driver: Driver, *, except_cv: Any = None) -> None:
    if not isinstance(driver, Driver) or not can_reach(user, driver, VIEW):
        raise field_error("driver", _("Choose a driver you can see."), "driver_not_found")
    if not driver.is_active:
        raise field_error("driver", _("This driver is not active."), "driver_inactive")
    if driver.contractor is not None and driver.contractor.status == "suspended":
        raise field_error(
            "driver", _("This driver's contractor is suspended."), "contractor_suspended"
        )
    expires = driver.licence_expires_on
    if expires is not None and expires < convoy.departs_on:
        raise field_error(
            "driver",
            _("This driver's licence expires before the departure."),
            "driver_licence_expired",
        )
    busy = ConvoyVehicle.objects.filter(
        driver=driver, convoy__departs_on=convoy.departs_on, convoy__status__in=OPEN
    )
    if except_cv is not None:
        busy = busy.exclude(pk=except_cv.pk)
    if busy.exists():
        raise field_error(
            "driver",
            _("This driver already drives another vehicle that day."),
            "driver_busy",
        )


def _escort(value: Any) -> str:
    name = str(value or "").strip()
    if len(name) > 120:
        raise field_error(
            "escort_name", _("Shorten the escort's name (120 characters)."), "escort_too_long"
        )
    return name


def convoy_vehicle_add(
    *,
    user: Any,
    convoy: Convoy,
    vehicle: Vehicle,
    driver: Driver | None = None,
    escort_name: str = "",
) -> ConvoyVehicle:
    """Add a vehicle to a convoy in planning, copying its capacities. Refused for a
    vehicle out of service, of a suspended contractor, or in another open convoy the
    same day."""
    require(user, MANAGE, convoy)
    if not isinstance(vehicle, Vehicle) or not can_reach(user, vehicle, VIEW):
        raise field_error("vehicle", _("Choose a vehicle you can see."), "vehicle_not_found")
    escort = _escort(escort_name)
    with transaction.atomic():
        convoy = locked(convoy)
        planning_only(convoy)
        # The vehicle's row lock makes two convoys taking it the same day wait for each other.
        vehicle = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
        if vehicle.status != Vehicle.Status.ACTIVE:
            raise field_error(
                "vehicle", _("This vehicle is out of service."), "vehicle_out_of_service"
            )
        if vehicle.contractor is not None and vehicle.contractor.status == "suspended":
            raise field_error(
                "vehicle",
                _("This vehicle's contractor is suspended: choose another vehicle."),
                "contractor_suspended",
            )
        if ConvoyVehicle.objects.filter(convoy=convoy, vehicle=vehicle).exists():
            raise field_error(
                "vehicle", _("This vehicle is already in the convoy."), "vehicle_already_in"
            )
        other = (
            ConvoyVehicle.objects.filter(
                vehicle=vehicle, convoy__departs_on=convoy.departs_on, convoy__status__in=OPEN
            )
            .select_related("convoy")
            .first()
        )
        if other is not None:
            raise field_error(
                "vehicle",
                _("This vehicle is already in convoy %(ref)s that day.")
                % {"ref": other.convoy.reference},
                "vehicle_busy",
            )
        if driver is not None:
            _driver_ok(user, convoy, driver)
        last = (
            ConvoyVehicle.objects.filter(convoy=convoy)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        who = actor(user)
        return ConvoyVehicle.objects.create(
            convoy=convoy,
            vehicle=vehicle,
            driver=driver,
            escort_name=escort,
            position=(last or 0) + 1,
            seats=vehicle.seats,
            wheelchair_places=vehicle.wheelchair_places,
            stretcher_places=vehicle.stretcher_places,
            luggage_m3=vehicle.luggage_m3,
            created_by=who,
            updated_by=who,
        )


def convoy_vehicle_update(
    *,
    user: Any,
    convoy_vehicle: ConvoyVehicle,
    driver: Any = UNSET,
    escort_name: Any = UNSET,
) -> ConvoyVehicle:
    """Set a vehicle's driver (None: none yet) and/or medical escort. Once the convoy is
    ready, a change of escort that breaks the plan is refused."""
    convoy = convoy_vehicle.convoy
    require(user, MANAGE, convoy)
    with transaction.atomic():
        convoy = locked(convoy)
        changeable(convoy)
        cv = ConvoyVehicle.objects.select_for_update().get(pk=convoy_vehicle.pk)
        if cv.convoy_id != convoy.pk:
            raise field_error("convoy_vehicle", _("Choose a vehicle of this convoy."), "not_in")
        if driver is not UNSET:
            if driver is not None:
                _driver_ok(user, convoy, driver, except_cv=cv)
                if ConvoyVehicle.objects.filter(convoy=convoy, driver=driver).exclude(pk=cv.pk):
                    raise field_error(
                        "driver",
                        _("This driver already drives another vehicle of the convoy."),
                        "driver_busy",
                    )
            cv.driver = driver
        if escort_name is not UNSET:
            cv.escort_name = _escort(escort_name)
            if convoy.status == Convoy.Status.READY:
                vehicles = [cv if v.pk == cv.pk else v for v in selectors.convoy_vehicles(convoy)]
                data = selectors.planning_input(convoy, selectors.convoy_loads(convoy), vehicles)
                mine = [p for p in selectors.plan_problems(data) if p.slot == cv.pk]
                if mine:
                    raise Conflict(mine[0].message, code=mine[0].code)
        cv.updated_by = actor(user)
        cv.save(update_fields=["driver", "escort_name", "updated_by", "updated_at"])
    return cv


def convoy_vehicle_remove(*, user: Any, convoy_vehicle: ConvoyVehicle) -> None:
    """Take a vehicle out of a convoy in planning; the households in it (and luggage
    carried in it) become unplaced."""
    convoy = convoy_vehicle.convoy
    require(user, MANAGE, convoy)
    with transaction.atomic():
        convoy = locked(convoy)
        planning_only(convoy)
        cv = ConvoyVehicle.objects.filter(pk=convoy_vehicle.pk, convoy=convoy).first()
        if cv is None:
            raise Conflict(_("This vehicle is no longer in the convoy."), code="not_in")
        ConvoyLoad.objects.filter(convoy=convoy, convoy_vehicle=cv).update(
            convoy_vehicle=None, luggage_vehicle=None, pinned=False
        )
        ConvoyLoad.objects.filter(convoy=convoy, luggage_vehicle=cv).update(luggage_vehicle=None)
        owned = selectors.own_vehicles(convoy)
        if any(cv.pk in cvs for cvs in owned.values()):
            summary = dict(convoy.plan_summary)
            summary["own_vehicles"] = {str(k): v for k, v in owned.items() if cv.pk not in v}
            convoy.plan_summary = summary
            convoy.save(update_fields=["plan_summary", "updated_at"])
        cv.delete()
