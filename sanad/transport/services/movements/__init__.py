"""Movement requests and the households on them (part B of the transport app).

- `requests`: create and change a request, its status (submit, approve, return,
  cancel, in progress, completed).
- `households`: households added from the registry, from the origin site or
  registered at the border; declaration, consent, luggage, fitness and needs; postponed,
  withdrawn, back to waiting.
"""

from sanad.transport.services.movements.border import movement_border_register
from sanad.transport.services.movements.households import (
    movement_household_add,
    movement_household_add_by_id,
    movement_household_declare,
    movement_household_transition,
    movement_household_update,
    movement_households_from_site,
    origin_site,
    other_open_row,
    passengers_assess,
)
from sanad.transport.services.movements.requests import (
    movement_complete_if_done,
    movement_create,
    movement_transition,
    movement_update,
)

__all__ = [
    "movement_border_register",
    "movement_complete_if_done",
    "movement_create",
    "movement_household_add",
    "movement_household_add_by_id",
    "movement_household_declare",
    "movement_household_transition",
    "movement_household_update",
    "movement_households_from_site",
    "movement_transition",
    "movement_update",
    "origin_site",
    "other_open_row",
    "passengers_assess",
]
