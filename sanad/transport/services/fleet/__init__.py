"""The fleet: transport contractors and their contracts, vehicles and drivers.

Every write needs FLEET (`transport.manage_fleet`) and, for an existing record, the
record in the user's FLEET scope (a 404 otherwise); a new record's governorates must all
be in that scope. Contractors are suspended (reason) and reactivated; contracts ended
and reactivated; vehicles taken out of service (reason) and put back — each through the
model's status machine, so who, when and why is recorded.

A vehicle's capacities follow its kind: a bus or minibus has at least one seat, an
ambulance at least one stretcher place, a luggage truck no seat and some luggage space.
Plate numbers are kept in one spelling (single spaces, ASCII digits) and are unique
whatever the case, spacing or dashes typed."""

from __future__ import annotations

from sanad.transport.services.fleet._base import normalise_plate
from sanad.transport.services.fleet.contractors import (
    contract_create,
    contract_transition,
    contractor_create,
    contractor_transition,
    contractor_update,
)
from sanad.transport.services.fleet.vehicles import (
    driver_create,
    driver_update,
    vehicle_create,
    vehicle_transition,
    vehicle_update,
)

__all__ = [
    "contract_create",
    "contract_transition",
    "contractor_create",
    "contractor_transition",
    "contractor_update",
    "driver_create",
    "driver_update",
    "normalise_plate",
    "vehicle_create",
    "vehicle_transition",
    "vehicle_update",
]
