"""Shared by the check services: statuses, locks, removing no-shows, and the reads the
check pages and manifests use."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict
from sanad.transport.models import (
    Convoy,
    ConvoyLoad,
    ConvoyVehicle,
    MovementHousehold,
    Passenger,
)
from sanad.transport.services._common import actor

LOAD = ConvoyLoad.Status
HOUSEHOLD = MovementHousehold.Status
CHECK_ACTIONS = ("boarded", "no_show", "undo", "arrived")
STAGES = ("departure", "arrival")
INCIDENT_STATUSES = (Convoy.Status.READY, Convoy.Status.DEPARTED, Convoy.Status.ARRIVED)
LEDGER_SOURCE = "transport.movement_household"


# --- helpers ---------------------------------------------------------------------------------


def _locked(convoy: Convoy) -> Convoy:
    return Convoy.objects.select_for_update().select_related("request").get(pk=convoy.pk)


def _status_is(convoy: Convoy, status: str, what: str) -> None:
    if convoy.status != status:
        message = _("Convoy %(ref)s is “%(status)s”: %(what)s.") % {
            "ref": convoy.reference,
            "status": convoy.get_status_display(),
            "what": what,
        }
        raise Conflict(message, code="convoy_wrong_status")


def _reg(load: ConvoyLoad) -> str:
    return str(load.movement_household.household.registration_id)


def no_show_reason(convoy: Convoy) -> str:
    return _("Did not show up for convoy %(ref)s") % {"ref": convoy.reference}


def _remove_no_shows(*, user: Any, convoy: Convoy) -> list[str]:
    """Take the no-shows out of the convoy: their load is deleted and the household
    postponed with the reason (it can be planned again). Returns their registration ids."""
    removed = []
    loads = (
        ConvoyLoad.objects.filter(convoy=convoy, status=LOAD.NO_SHOW)
        .select_related("movement_household__household")
        .order_by("id")
    )
    reason = no_show_reason(convoy)
    for load in loads:
        row = load.movement_household
        removed.append(_reg(load))
        load.delete()
        if MovementHousehold.STATUS_MACHINE.can(row, HOUSEHOLD.POSTPONED):
            MovementHousehold.STATUS_MACHINE.transition(
                row, to=HOUSEHOLD.POSTPONED, by=actor(user), reason=reason
            )
    return removed


# --- reads for the check pages -----------------------------------------------------------------


def check_loads(convoy: Convoy) -> list[ConvoyLoad]:
    """The convoy's loads with what the check pages and manifests show (household,
    head, passengers with their person), in vehicle order."""
    passengers = Passenger.objects.select_related("individual").order_by(
        "-individual__relationship", "individual__date_of_birth", "id"
    )
    return list(
        ConvoyLoad.objects.filter(convoy=convoy)
        .select_related(
            "movement_household__household",
            "convoy_vehicle__vehicle",
            "convoy_vehicle__driver",
            "luggage_vehicle__vehicle",
        )
        .prefetch_related(Prefetch("movement_household__passengers", queryset=passengers))
        .order_by("convoy_vehicle__position", "convoy_vehicle_id", "id")
    )


def _head(passengers: Iterable[Passenger]) -> Passenger | None:
    people = list(passengers)
    for p in people:
        if p.individual.relationship == "head":
            return p
    return people[0] if people else None


def load_needs(passengers: Iterable[Passenger]) -> list[str]:
    """The needs of a household's passengers, each once, as short labels."""
    found: list[str] = []

    def add(label: str) -> None:
        if label not in found:
            found.append(label)

    for p in passengers:
        if p.fitness == "wheelchair":
            add(_("wheelchair"))
        if p.fitness == "stretcher":
            add(_("stretcher"))
        if p.fitness == "escort":
            add(_("medical escort"))
        if p.is_older:
            add(_("older person"))
        if p.has_disability:
            add(_("disability"))
        if p.late_pregnancy:
            add(_("late pregnancy"))
        if p.unaccompanied_child:
            add(_("unaccompanied child"))
    return found


def convoy_check_board(convoy: Convoy) -> dict[str, Any]:
    """What a departure or arrival page shows: the vehicles with their households
    (registration id, head's name, people, needs, status), and the counters."""
    loads = check_loads(convoy)
    vehicles: dict[Any, dict[str, Any]] = {}
    for cv in ConvoyVehicle.objects.filter(convoy=convoy).select_related("vehicle", "driver"):
        vehicles[cv.pk] = {"vehicle": cv, "loads": [], "people": 0}
    unplaced: dict[str, Any] = {"vehicle": None, "loads": [], "people": 0}
    counts = dict.fromkeys(LOAD.values, 0)
    people = dict.fromkeys(LOAD.values, 0)
    for load in loads:
        passengers = list(load.movement_household.passengers.all())
        head = _head(passengers)
        # Shown on the page's card for the household.
        setattr(load, "head_name", str(head.individual) if head else "")  # noqa: B010
        setattr(load, "people", len(passengers))  # noqa: B010
        setattr(load, "needs", load_needs(passengers))  # noqa: B010
        group = vehicles.get(load.convoy_vehicle_id, unplaced)
        group["loads"].append(load)
        group["people"] += len(passengers)
        counts[load.status] += 1
        people[load.status] += len(passengers)
    groups = [g for g in vehicles.values() if g["loads"]]
    if unplaced["loads"]:
        groups.append(unplaced)
    return {
        "groups": groups,
        "counts": counts,
        "people": people,
        "households": len(loads),
        "passengers": sum(people.values()),
        "waiting": counts[LOAD.PLANNED],
        "waiting_people": people[LOAD.PLANNED],
        "no_show": counts[LOAD.NO_SHOW],
        "not_arrived": counts[LOAD.BOARDED],
    }
