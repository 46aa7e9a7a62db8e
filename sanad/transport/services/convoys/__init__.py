"""Convoys and their planning.

A convoy is one departure of an approved movement: planning → ready → departed →
arrived (departure and arrival belong to `services.checks`), or cancelled. Vehicles join
it with a driver and, if any, a medical escort; their capacities are copied. Planning
puts the movement's ready households into the vehicles with `sanad.transport.planner`
(families never split, fewest vehicles); an officer may move a household by hand (the
move is checked and pinned), and re-planning keeps what is pinned.

Every write that touches the plan locks the convoy row first, so two people planning
or moving at once do not interleave."""

from sanad.transport.services.convoys._base import CHANGEABLE, OPEN, UNSET
from sanad.transport.services.convoys.planning import (
    convoy_load_move,
    convoy_load_remove,
    convoy_load_unpin,
    convoy_plan,
)
from sanad.transport.services.convoys.status import convoy_transition
from sanad.transport.services.convoys.vehicles import (
    convoy_create,
    convoy_vehicle_add,
    convoy_vehicle_remove,
    convoy_vehicle_update,
)

__all__ = [
    "CHANGEABLE",
    "OPEN",
    "UNSET",
    "convoy_create",
    "convoy_load_move",
    "convoy_load_remove",
    "convoy_load_unpin",
    "convoy_plan",
    "convoy_transition",
    "convoy_vehicle_add",
    "convoy_vehicle_remove",
    "convoy_vehicle_update",
]
