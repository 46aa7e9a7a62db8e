"""Transportation: movement requests, passengers' fitness to travel, the fleet, convoy
planning that never splits a family, manifests, departure and arrival checks."""
