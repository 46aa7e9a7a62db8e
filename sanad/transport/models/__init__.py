"""Transportation.

- `fleet`: `TransportContractor`s and their `TransportContract`s, `Vehicle`s (bus,
  minibus, luggage truck, ambulance) with seats, wheelchair and stretcher places and
  luggage capacity, `Driver`s.
- `movements`: `MovementRequest`s (border reception, relocation on camp closure, family
  reunification) with their `MovementHousehold`s (declaration, consent, luggage) and
  `Passenger`s (fitness to travel, needs).
- `convoys`: a `Convoy` per departure, its `ConvoyVehicle`s (driver, escort, capacities
  copied), `ConvoyLoad`s (which household rides where; boarded, no-show, arrived) and
  `Incident`s on the way.
"""

from sanad.transport.models.common import (
    APPROVE,
    FLEET,
    MANAGE,
    VIEW,
    DeclarationMethod,
    Fitness,
    MovementKind,
    VehicleKind,
)
from sanad.transport.models.convoys import (
    Convoy,
    ConvoyLoad,
    ConvoyVehicle,
    Incident,
    OversizePolicy,
)
from sanad.transport.models.fleet import Driver, TransportContract, TransportContractor, Vehicle
from sanad.transport.models.movements import MovementHousehold, MovementRequest, Passenger

__all__ = [
    "APPROVE",
    "FLEET",
    "MANAGE",
    "VIEW",
    "Convoy",
    "ConvoyLoad",
    "ConvoyVehicle",
    "DeclarationMethod",
    "Driver",
    "Fitness",
    "Incident",
    "MovementHousehold",
    "MovementKind",
    "MovementRequest",
    "OversizePolicy",
    "Passenger",
    "TransportContract",
    "TransportContractor",
    "Vehicle",
    "VehicleKind",
]
