"""The fleet pages: vehicles (list with capacity totals, detail with the convoys served,
register, edit, out of service and back), drivers (list with licence expiry, register,
edit) and contractors (list, detail with vehicles, drivers and contracts, register,
edit, suspend and reactivate; contracts added and ended). Pages only adapt: the rules
are in `transport.services.fleet`."""

from sanad.transport.views.fleet.contractors import (
    ContractorListView,
    contract_action,
    contract_create,
    contractor_action,
    contractor_create,
    contractor_detail,
    contractor_edit,
)
from sanad.transport.views.fleet.drivers import DriverListView, driver_create, driver_edit
from sanad.transport.views.fleet.vehicles import (
    VehicleListView,
    vehicle_action,
    vehicle_create,
    vehicle_detail,
    vehicle_edit,
)

__all__ = [
    "ContractorListView",
    "DriverListView",
    "VehicleListView",
    "contract_action",
    "contract_create",
    "contractor_action",
    "contractor_create",
    "contractor_detail",
    "contractor_edit",
    "driver_create",
    "driver_edit",
    "vehicle_action",
    "vehicle_create",
    "vehicle_detail",
    "vehicle_edit",
]
