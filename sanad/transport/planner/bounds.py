"""Lower bounds on the number of slots a plan uses."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from sanad.transport.planner.types import Family, Slot


def _cover(capacities: Iterable[int], need: int) -> int:
    """The fewest of `capacities` whose sum reaches `need` (len + 1 when all do not)."""
    if need <= 0:
        return 0
    caps = sorted(capacities, reverse=True)
    total = 0
    for k, cap in enumerate(caps, start=1):
        total += cap
        if total >= need:
            return k
    return len(caps) + 1


@dataclass(frozen=True)
class Totals:
    seats: int
    wheelchairs: int
    stretchers: int
    luggage: int
    escort_seats: int
    escort_wheelchairs: int
    escort_stretchers: int

    @classmethod
    def of(cls, families: list[Family]) -> Totals:
        esc = [f for f in families if f.needs_escort]
        return cls(
            sum(f.seats for f in families),
            sum(f.wheelchairs for f in families),
            sum(f.stretchers for f in families),
            sum(f.luggage for f in families),
            sum(f.seats for f in esc),
            sum(f.wheelchairs for f in esc),
            sum(f.stretchers for f in esc),
        )


def resource_bounds(families: Iterable[Family], slots: Iterable[Slot]) -> dict[str, int]:
    """Lower bounds on the slots used, one per resource, and `combined`:
    - `seats_naive`: seats needed ÷ the largest slot's seats, rounded up;
    - `seats`, `wheelchair`, `stretcher`, `luggage`: the fewest slots whose capacities
      together reach the need (the largest first);
    - `escort`: the same over slots with an escort, for the families who need one;
    - `combined`: the fewest slots covering every need at once (a small CP-SAT model
      over the kinds of slot). A bound above the number of slots means impossible."""
    families, slots = list(families), list(slots)
    t = Totals.of(families)
    esc = [s for s in slots if s.has_escort]
    largest = max((s.seats for s in slots), default=0)
    bounds = {
        "seats_naive": (
            math.ceil(t.seats / largest) if largest else (len(slots) + 1) * (t.seats > 0)
        ),
        "seats": _cover((s.seats for s in slots), t.seats),
        "wheelchair": _cover((s.wheelchairs for s in slots), t.wheelchairs),
        "stretcher": _cover((s.stretchers for s in slots), t.stretchers),
        "luggage": _cover((s.luggage for s in slots), t.luggage),
        "escort": max(
            _cover((s.seats for s in esc), t.escort_seats),
            _cover((s.wheelchairs for s in esc), t.escort_wheelchairs),
            _cover((s.stretchers for s in esc), t.escort_stretchers),
        ),
    }
    floor = max(bounds.values())
    bounds["combined"] = max(floor, _combined(t, slots, floor))
    return bounds


def lower_bound(families: Iterable[Family], slots: Iterable[Slot]) -> int:
    """No plan of these families uses fewer of these slots (see `resource_bounds`)."""
    return resource_bounds(families, slots)["combined"]


def _combined(t: Totals, slots: list[Slot], floor: int) -> int:
    if floor > len(slots) or not slots:
        return floor
    kinds = Counter((s.seats, s.wheelchairs, s.stretchers, s.luggage, s.has_escort) for s in slots)
    m = cp_model.CpModel()
    n = {kind: m.new_int_var(0, count, "") for kind, count in kinds.items()}
    for i, need in enumerate((t.seats, t.wheelchairs, t.stretchers, t.luggage)):
        m.add(sum(kind[i] * v for kind, v in n.items()) >= need)
    for i, need in enumerate((t.escort_seats, t.escort_wheelchairs, t.escort_stretchers)):
        m.add(sum(kind[i] * v for kind, v in n.items() if kind[4]) >= need)
    m.add(sum(n.values()) >= floor)
    m.minimize(sum(n.values()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 1.0
    solver.parameters.num_workers = 1
    status = solver.solve(m)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return math.ceil(solver.best_objective_bound - 1e-6)
    return floor
