"""Reads of convoys, always inside the user's scope, and the plan board: the vehicles of
a convoy in order, the households in each with their passengers and needs, the usage of
seats, wheelchair and stretcher places and luggage, the households not placed and the
planner's problems with the current placements.

The convoy ↔ planner mapping lives here (`planning_input`), so the board, the planning
service and the manual moves see the same families and slots:

- a `planner.Family` per household in the convoy: key = MovementHousehold pk, seats =
  passengers who are neither wheelchair nor stretcher passengers, wheelchairs,
  stretchers, needs_escort = any passenger needs an escort, luggage in litres;
- a `planner.Slot` per vehicle: key = ConvoyVehicle pk, seats net of the escort.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from sanad.core.errors import NotFound
from sanad.core.scoping import scoped
from sanad.transport import planner
from sanad.transport.models import (
    VIEW,
    Convoy,
    ConvoyLoad,
    ConvoyVehicle,
    Driver,
    Fitness,
    MovementHousehold,
    Passenger,
    Vehicle,
)

OPEN = (Convoy.Status.PLANNING, Convoy.Status.READY, Convoy.Status.DEPARTED)
LITRES = Decimal(1000)


# --- lists and look-ups ----------------------------------------------------------------------


def _count(model: Any, path: str, **filters: Any) -> Coalesce:
    sub = (
        model.objects.filter(**{path: OuterRef("pk")}, **filters)
        .order_by()
        .values(path)
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def convoys_visible(user: Any, permission: str | None = None) -> QuerySet[Convoy]:
    """The convoys `user` may see, with `vehicle_count`, `household_count` and
    `people_count` (households and passengers in the convoy, no-shows left out)."""
    people = (
        Passenger.objects.filter(
            movement_household__loads__convoy=OuterRef("pk"),
            movement_household__loads__status__in=_counted_load_statuses(),
        )
        .order_by()
        .values("movement_household__loads__convoy")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return (
        scoped(Convoy.objects.all(), user, permission or VIEW)
        .select_related(
            "request", "request__origin", "request__destination", "request__destination_admin_unit"
        )
        .annotate(
            vehicle_count=_count(ConvoyVehicle, "convoy"),
            household_count=_count(ConvoyLoad, "convoy", status__in=_counted_load_statuses()),
            people_count=Coalesce(Subquery(people, output_field=IntegerField()), Value(0)),
        )
    )


def _counted_load_statuses() -> list[str]:
    return [s for s in ConvoyLoad.Status.values if s != ConvoyLoad.Status.NO_SHOW]


def convoy_get(*, user: Any, public_id: Any, permission: str | None = None) -> Convoy:
    convoy = convoys_visible(user, permission).filter(public_id=public_id).first()
    if convoy is None:
        raise NotFound()
    return convoy


def convoy_vehicles(convoy: Convoy) -> QuerySet[ConvoyVehicle]:
    return ConvoyVehicle.objects.filter(convoy=convoy).select_related(
        "vehicle", "vehicle__contractor", "driver"
    )


def convoy_loads(convoy: Convoy) -> QuerySet[ConvoyLoad]:
    """The loads of a convoy with their household and passengers (one query each)."""
    return (
        ConvoyLoad.objects.filter(convoy=convoy)
        .select_related("movement_household__household", "convoy_vehicle", "luggage_vehicle")
        .prefetch_related("movement_household__passengers__individual")
        .order_by("convoy_vehicle__position", "movement_household__household__registration_id")
    )


def busy_vehicle_ids(day: datetime.date, *, exclude_convoy: Convoy | None = None) -> QuerySet[Any]:
    """Vehicles already in an open convoy that day."""
    qs = ConvoyVehicle.objects.filter(convoy__departs_on=day, convoy__status__in=OPEN)
    if exclude_convoy is not None:
        qs = qs.exclude(convoy=exclude_convoy)
    return qs.values("vehicle_id")


def busy_driver_ids(day: datetime.date, *, exclude_convoy: Convoy | None = None) -> QuerySet[Any]:
    qs = ConvoyVehicle.objects.filter(
        convoy__departs_on=day, convoy__status__in=OPEN, driver__isnull=False
    )
    if exclude_convoy is not None:
        qs = qs.exclude(convoy=exclude_convoy)
    return qs.values("driver_id")


def vehicles_for_convoy(user: Any, convoy: Convoy) -> QuerySet[Vehicle]:
    """The vehicles `user` may add to the convoy: available on its day (in service, not
    in another open convoy, contractor not suspended) and not in it already."""
    from sanad.transport.selectors.fleet import vehicles_available

    return (
        vehicles_available(user=user, day=convoy.departs_on, except_convoy=convoy)
        .exclude(pk__in=ConvoyVehicle.objects.filter(convoy=convoy).values("vehicle_id"))
        .select_related("contractor")
        .order_by("kind", "plate_number")
    )


def drivers_for_convoy(user: Any, convoy: Convoy) -> QuerySet[Driver]:
    """The drivers `user` may put in the convoy's vehicles (active, licence valid that
    day, not driving in another open convoy that day)."""
    from sanad.transport.selectors.fleet import drivers_available

    return drivers_available(user=user, day=convoy.departs_on, except_convoy=convoy).order_by(
        "name"
    )


# --- the planner's view of a convoy ----------------------------------------------------------


def litres(m3: Any) -> int:
    return int(Decimal(m3 or 0) * LITRES)


def family_of(row: MovementHousehold, passengers: Iterable[Passenger] | None = None) -> Any:
    """The planner's Family of a household on a movement (passengers prefetched)."""
    people = list(passengers if passengers is not None else row.passengers.all())
    wheelchairs = sum(1 for p in people if p.fitness == Fitness.WHEELCHAIR)
    stretchers = sum(1 for p in people if p.fitness == Fitness.STRETCHER)
    return planner.Family(
        key=row.pk,
        seats=len(people) - wheelchairs - stretchers,
        wheelchairs=wheelchairs,
        stretchers=stretchers,
        needs_escort=any(p.needs_escort for p in people),
        luggage=litres(row.luggage_m3),
    )


def slot_of(cv: ConvoyVehicle) -> Any:
    return planner.Slot(
        key=cv.pk,
        seats=cv.passenger_seats,
        wheelchairs=cv.wheelchair_places,
        stretchers=cv.stretcher_places,
        luggage=litres(cv.luggage_m3),
        has_escort=cv.has_escort,
    )


def own_vehicles(convoy: Convoy) -> dict[int, list[int]]:
    """Households given vehicles of their own by the last planning run:
    {MovementHousehold pk: [ConvoyVehicle pk, ...]} (stored in the plan summary)."""
    raw = (convoy.plan_summary or {}).get("own_vehicles") or {}
    out: dict[int, list[int]] = {}
    for key, slots in raw.items():
        try:
            out[int(key)] = [int(s) for s in slots]
        except (TypeError, ValueError):
            continue
    return out


@dataclass
class PlanningInput:
    families: list[Any]
    slots: list[Any]
    assignment: dict[int, int]  # placed families only
    luggage: dict[int, int]
    dedicated: dict[int, list[int]]  # families with vehicles of their own
    rows: dict[int, MovementHousehold]
    vehicles: dict[int, ConvoyVehicle]

    def label(self, key: Any) -> str:
        row = self.rows.get(key)
        return row.household.registration_id if row is not None else str(key)

    def slot_label(self, key: Any) -> str:
        cv = self.vehicles.get(key)
        return cv.vehicle.plate_number if cv is not None else str(key)


def planning_input(
    convoy: Convoy, loads: Iterable[ConvoyLoad], vehicles: Iterable[ConvoyVehicle]
) -> PlanningInput:
    """Families and slots of the convoy's loads (no-shows left out) and vehicles, with
    the current placements."""
    by_pk = {cv.pk: cv for cv in vehicles}
    families, assignment, luggage, rows = [], {}, {}, {}
    for load in loads:
        if load.status == ConvoyLoad.Status.NO_SHOW:
            continue
        row = load.movement_household
        rows[row.pk] = row
        families.append(family_of(row, row.passengers.all()))
        if load.convoy_vehicle_id:
            assignment[row.pk] = load.convoy_vehicle_id
            luggage[row.pk] = load.luggage_vehicle_id or load.convoy_vehicle_id
    dedicated = {
        f: [k for k in cvs if k in by_pk]
        for f, cvs in own_vehicles(convoy).items()
        if f in assignment
    }
    return PlanningInput(
        families=families,
        slots=[slot_of(cv) for cv in by_pk.values()],
        assignment=assignment,
        luggage=luggage,
        dedicated={f: cvs for f, cvs in dedicated.items() if cvs},
        rows=rows,
        vehicles=by_pk,
    )


def plan_problems(data: PlanningInput) -> list[Any]:
    """planner.check on the placed families (unplaced ones are listed apart), naming
    households by registration id and vehicles by plate."""
    placed = [f for f in data.families if f.key in data.assignment]
    if not placed:
        return []
    return list(
        planner.check(
            placed,
            data.slots,
            data.assignment,
            data.luggage,
            dedicated=data.dedicated or None,
            label=data.label,
            slot_label=data.slot_label,
        )
    )


# --- the board -------------------------------------------------------------------------------


def passenger_needs(p: Passenger) -> list[tuple[str, str]]:
    """(code, label) of what a passenger needs on the way, for badges and manifests."""
    needs: list[tuple[str, str]] = []
    if p.fitness == Fitness.ESCORT:
        needs.append(("escort", _("medical escort")))
    if p.fitness == Fitness.WHEELCHAIR:
        needs.append(("wheelchair", _("wheelchair")))
    if p.fitness == Fitness.STRETCHER:
        needs.append(("stretcher", _("stretcher")))
    if p.is_older:
        needs.append(("older", _("older person")))
    if p.has_disability:
        needs.append(("disability", _("disability")))
    if p.late_pregnancy:
        needs.append(("late_pregnancy", _("late pregnancy")))
    elif getattr(p.individual, "is_pregnant", False):
        needs.append(("pregnant", _("pregnant")))
    if p.unaccompanied_child:
        needs.append(("unaccompanied_child", _("unaccompanied child")))
    return needs


def _pct(used: Any, capacity: Any) -> int:
    if not capacity:
        return 100 if used else 0
    return min(100, int(Decimal(used) * 100 / Decimal(capacity)))


def _load_entry(load: ConvoyLoad, dedicated: set[int]) -> dict[str, Any]:
    row = load.movement_household
    people = list(row.passengers.all())
    passengers: list[dict[str, Any]] = []
    for p in people:
        passengers.append(
            {
                "passenger": p,
                "individual": p.individual,
                "fitness": p.fitness,
                "fitness_label": p.get_fitness_display(),
                "needs": passenger_needs(p),
                "needs_escort": p.needs_escort,
            }
        )
    family = family_of(row, people)
    badges: dict[str, str] = {}
    for e in passengers:
        for code, label in e["needs"]:
            badges.setdefault(code, label)
    return {
        "load": load,
        "movement_household": row,
        "household": row.household,
        "registration_id": row.household.registration_id,
        "status": load.status,
        "passengers": passengers,
        "people": len(passengers),
        "seats": family.seats,
        "wheelchairs": family.wheelchairs,
        "stretchers": family.stretchers,
        "needs_escort": family.needs_escort,
        "needs": list(badges.items()),
        "luggage_m3": row.luggage_m3,
        "convoy_vehicle": load.convoy_vehicle,
        "luggage_vehicle": load.luggage_vehicle,
        "luggage_elsewhere": bool(
            load.luggage_vehicle_id and load.luggage_vehicle_id != load.convoy_vehicle_id
        ),
        "pinned": load.pinned,
        "dedicated": row.pk in dedicated,
    }


def convoy_board(convoy: Convoy) -> dict[str, Any]:
    """Everything the plan board, the manifests and the check pages show of a convoy.

    {"convoy", "vehicles": [vehicle…], "unplaced": [load…], "no_shows": [load…],
     "loads": [load…] (all, in vehicle order), "problems": [problem…], "summary",
     "households", "passengers", "seats_needed", "vehicles_used", "lower_bound"}

    vehicle = {"convoy_vehicle", "vehicle", "driver", "has_escort", "escort_name",
    "loads" (people riding in it), "luggage_loads" (luggage of other vehicles' households),
    "households", "people", "seats_used", "seats" (net of the escort), "wheelchairs_used",
    "wheelchair_places", "stretchers_used", "stretcher_places", "luggage_used",
    "luggage_capacity" (m³, Decimal), "pct" {seats, wheelchairs, stretchers, luggage},
    "used", "dedicated_to" (registration id of the household it is reserved for, or
    None), "problems"}

    load = {"load", "movement_household", "household", "registration_id", "status",
    "passengers": [{"passenger", "individual", "fitness", "fitness_label", "needs":
    [(code, label)], "needs_escort"}], "people", "seats", "wheelchairs", "stretchers",
    "needs_escort", "needs" [(code, label)], "luggage_m3", "convoy_vehicle",
    "luggage_vehicle", "luggage_elsewhere", "pinned", "dedicated"}

    problem = {"code", "message", "convoy_vehicle" (or None), "households" [registration
    ids]}. No-show loads are listed apart and count nowhere."""
    convoy.refresh_from_db(fields=["plan_summary", "planned_at", "status"])
    vehicles = list(convoy_vehicles(convoy))
    loads = list(convoy_loads(convoy))
    owned = own_vehicles(convoy)
    dedicated = set(owned)
    reg = {load.movement_household_id: load.movement_household.household for load in loads}
    reserved = {cv: reg[f].registration_id for f, cvs in owned.items() if f in reg for cv in cvs}
    entries = [_load_entry(load, dedicated) for load in loads]
    active = [e for e in entries if e["status"] != ConvoyLoad.Status.NO_SHOW]
    data = planning_input(convoy, loads, vehicles)
    by_pk = {cv.pk: cv for cv in vehicles}
    problems = []
    for problem in plan_problems(data):
        slot = getattr(problem, "slot", None)
        keys = list(getattr(problem, "families", []) or [])
        problems.append(
            {
                "code": problem.code,
                "message": str(problem.message),
                "convoy_vehicle": by_pk.get(slot) if slot is not None else None,
                "households": [reg[k].registration_id for k in keys if k in reg],
            }
        )
    cards: list[dict[str, Any]] = []
    for cv in vehicles:
        riding = [e for e in active if e["load"].convoy_vehicle_id == cv.pk]
        luggage_here = [
            e
            for e in active
            if e["load"].luggage_vehicle_id == cv.pk and e["load"].convoy_vehicle_id != cv.pk
        ]
        luggage_used = sum(
            (
                e["luggage_m3"]
                for e in active
                if (e["load"].luggage_vehicle_id or e["load"].convoy_vehicle_id) == cv.pk
            ),
            Decimal(0),
        )
        card = {
            "convoy_vehicle": cv,
            "vehicle": cv.vehicle,
            "driver": cv.driver,
            "has_escort": cv.has_escort,
            "escort_name": cv.escort_name,
            "loads": riding,
            "luggage_loads": luggage_here,
            "households": len(riding),
            "people": sum(e["people"] for e in riding),
            "seats_used": sum(e["seats"] for e in riding),
            "seats": cv.passenger_seats,
            "wheelchairs_used": sum(e["wheelchairs"] for e in riding),
            "wheelchair_places": cv.wheelchair_places,
            "stretchers_used": sum(e["stretchers"] for e in riding),
            "stretcher_places": cv.stretcher_places,
            "luggage_used": luggage_used,
            "luggage_capacity": cv.luggage_m3,
            "used": bool(riding or luggage_here),
            "dedicated_to": reserved.get(cv.pk),
            "problems": [p for p in problems if p["convoy_vehicle"] is cv],
        }
        _spread_dedicated(card, cards, reserved)
        card["pct"] = {
            "seats": _pct(card["seats_used"], card["seats"]),
            "wheelchairs": _pct(card["wheelchairs_used"], card["wheelchair_places"]),
            "stretchers": _pct(card["stretchers_used"], card["stretcher_places"]),
            "luggage": _pct(card["luggage_used"], card["luggage_capacity"]),
        }
        cards.append(card)
    summary = dict(convoy.plan_summary or {})
    summary.pop("own_vehicles", None)
    return {
        "convoy": convoy,
        "vehicles": cards,
        "loads": entries,
        "unplaced": [e for e in active if not e["load"].convoy_vehicle_id],
        "no_shows": [e for e in entries if e["status"] == ConvoyLoad.Status.NO_SHOW],
        "problems": problems,
        "summary": summary,
        "households": len(active),
        "passengers": sum(e["people"] for e in active),
        "seats_needed": sum(e["seats"] for e in active),
        "vehicles_used": sum(1 for c in cards if c["used"] or c["dedicated_to"]),
        "lower_bound": planner.lower_bound(data.families, data.slots) if data.families else 0,
    }


def _spread_dedicated(
    card: dict[str, Any], done: list[dict[str, Any]], reserved: dict[int, str]
) -> None:
    """A family with vehicles of its own rides in all of them; its load points at the
    first. Show the usage spread over them (fill each vehicle in convoy order)."""
    if card["dedicated_to"] is None:
        return
    first = next(
        (c for c in done if c["dedicated_to"] == card["dedicated_to"] and c["loads"]), None
    )
    if first is None:
        return
    for key, place in (
        ("seats_used", "seats"),
        ("wheelchairs_used", "wheelchair_places"),
        ("stretchers_used", "stretcher_places"),
    ):
        # What the earlier vehicles hold above their capacity moves on to this one.
        extra = sum(
            max(0, c[key] - c[place]) for c in done if c["dedicated_to"] == first["dedicated_to"]
        )
        if extra:
            moved = min(extra, card[place])
            card[key] += moved
            first[key] -= moved
    first["pct"] = {
        "seats": _pct(first["seats_used"], first["seats"]),
        "wheelchairs": _pct(first["wheelchairs_used"], first["wheelchair_places"]),
        "stretchers": _pct(first["stretchers_used"], first["stretcher_places"]),
        "luggage": _pct(first["luggage_used"], first["luggage_capacity"]),
    }
    card["people"] = card["seats_used"] + card["wheelchairs_used"] + card["stretchers_used"]
