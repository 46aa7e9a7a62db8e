"""Pages of the movements part (the URLconf `urls_movements` uses these names)."""

from sanad.transport.views.movements.households import (
    movement_border_register,
    movement_household_action,
    movement_household_detail,
)
from sanad.transport.views.movements.requests import (
    MovementListView,
    movement_action,
    movement_create,
    movement_detail,
    movement_edit,
    movement_export,
    movement_household_add,
    movement_households_from_site,
)

__all__ = [
    "MovementListView",
    "movement_action",
    "movement_border_register",
    "movement_create",
    "movement_detail",
    "movement_edit",
    "movement_export",
    "movement_household_action",
    "movement_household_add",
    "movement_household_detail",
    "movement_households_from_site",
]
