"""Convoy planner: which household rides in which vehicle, and where its luggage goes.

Pure Python and OR-Tools CP-SAT; no database. The caller (the convoys service) turns
households into `Family`s and convoy vehicles into `Slot`s, calls `plan()` and writes the
answer back.

Units: people for seats, wheelchair and stretcher places; litres (m³ × 1000, an int) for
luggage. `Family.seats` counts the passengers who sit (wheelchair and stretcher passengers
take a wheelchair or stretcher place instead); `Slot.seats` is net of the escort's seat.

Rules: a family is never split — one family rides in exactly one slot — except a family
that no single slot can hold when `oversize="own_vehicles"`: it gets the fewest slots
of its own (shared with nobody), listed in `Plan.dedicated`. Per slot the seats,
wheelchair and stretcher places are not exceeded; a family with `needs_escort` rides
only in a slot with an escort; a family's luggage rides in its own slot or in another
slot with luggage capacity (a luggage truck: 0 seats), and per slot the luggage it carries
fits. Objective: the fewest slots used (a slot carrying a family or luggage is used);
with `current` placements, then the fewest families moved from them. `pinned` placements
are kept as they are.

Messages name families and slots through the `label` and `slot_label` callables (default
`str` of the key), so the caller can show registration ids and plates; `PlanError.families`
and `Problem.families` hold the keys.
"""

from sanad.transport.planner.bounds import lower_bound, resource_bounds
from sanad.transport.planner.check import check
from sanad.transport.planner.solve import plan
from sanad.transport.planner.types import Family, Plan, PlanError, Problem, Slot

__all__ = [
    "Family",
    "Plan",
    "PlanError",
    "Problem",
    "Slot",
    "check",
    "lower_bound",
    "plan",
    "resource_bounds",
]
