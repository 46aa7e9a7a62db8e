"""Ready, back to planning, cancelled."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict
from sanad.transport.models import (
    MANAGE,
    Convoy,
    ConvoyLoad,
    ConvoyVehicle,
)
from sanad.transport.selectors import convoys as selectors
from sanad.transport.services._common import require
from sanad.transport.services.convoys._base import (
    back_to_waiting,
    locked,
)

# --- status ----------------------------------------------------------------------------------


def _ready_problems(convoy: Convoy) -> list[str]:
    """What stops the convoy from being ready, as sentences."""
    vehicles = list(selectors.convoy_vehicles(convoy))
    loads = [
        load for load in selectors.convoy_loads(convoy) if load.status != ConvoyLoad.Status.NO_SHOW
    ]
    out: list[str] = []
    if not loads:
        out.append(_("Plan the convoy first: no household is in it."))
    unplaced = [
        load.movement_household.household.registration_id
        for load in loads
        if not load.convoy_vehicle_id
    ]
    if unplaced:
        out.append(
            _("Place every household in a vehicle first (not placed: %(ids)s).")
            % {"ids": ", ".join(unplaced)}
        )
    no_driver = [cv.vehicle.plate_number for cv in vehicles if cv.driver_id is None]
    if no_driver:
        out.append(
            _("Give every vehicle a driver (no driver: %(plates)s).")
            % {"plates": ", ".join(no_driver)}
        )
    data = selectors.planning_input(convoy, loads, vehicles)
    for problem in selectors.plan_problems(data):
        out.append(str(problem.message))
    return out


def convoy_transition(*, user: Any, convoy: Convoy, to: str, reason: str = "") -> Convoy:
    """ready (every household placed, plan valid, every vehicle with a driver; the
    vehicles the plan does not use are released, listed in `released_vehicles`),
    planning (back from ready, before any boarding check), cancelled (reason; its
    households go back to waiting). Departure and arrival are in `services.checks`."""
    require(user, MANAGE, convoy)
    if to not in (Convoy.Status.READY, Convoy.Status.PLANNING, Convoy.Status.CANCELLED):
        raise Conflict(_("Use the departure and arrival pages for this change."), code="use_checks")
    original = convoy
    with transaction.atomic():
        convoy = locked(convoy)
        released: list[str] = []
        if to == Convoy.Status.READY and convoy.status == Convoy.Status.PLANNING:
            # Vehicles the plan does not use are released for other convoys that day.
            unused = ConvoyVehicle.objects.filter(convoy=convoy, loads__isnull=True).filter(
                luggage_loads__isnull=True
            )
            if ConvoyLoad.objects.filter(convoy=convoy).exists():
                released = list(unused.values_list("vehicle__plate_number", flat=True))
                ConvoyVehicle.objects.filter(pk__in=unused.values("pk")).delete()
            problems = _ready_problems(convoy)
            if problems:
                raise Conflict(" ".join(problems), code="convoy_not_ready")
        if to == Convoy.Status.PLANNING and convoy.status == Convoy.Status.READY:
            checked = ConvoyLoad.objects.filter(convoy=convoy).exclude(
                status=ConvoyLoad.Status.PLANNED
            )
            if checked.exists():
                raise Conflict(
                    _("Boarding has started: undo the boarding checks before planning again."),
                    code="boarding_started",
                )
        Convoy.STATUS_MACHINE.transition(convoy, to=to, by=user, reason=reason)
        if to == Convoy.Status.CANCELLED:
            why = _("Convoy %(ref)s cancelled") % {"ref": convoy.reference}
            rows = [
                load.movement_household
                for load in ConvoyLoad.objects.filter(convoy=convoy).select_related(
                    "movement_household"
                )
            ]
            ConvoyLoad.objects.filter(convoy=convoy).delete()
            for row in rows:
                back_to_waiting(user, row, why)
    original.status = convoy.status
    original.released_vehicles = released  # type: ignore[attr-defined]
    return original
