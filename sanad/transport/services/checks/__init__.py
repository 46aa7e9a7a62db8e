"""Departure and arrival checks of a convoy, re-balancing after no-shows, departing and
completing, and incidents on the way.

- Departure (convoy ready): each household is ticked or scanned "boarded" or "no-show"
  (or undone). Re-balancing removes the no-shows (postponed, with the reason) and
  re-solves the plan for the rest keeping what can stay where it is. Departing needs
  every household checked; no-shows still there are removed as above.
- Arrival (convoy departed): each boarded household is ticked or scanned "arrived", and
  handed over at once: allocated on the destination site (camps), its move recorded
  in the registry, its camp-closure row marked moved, and the transport recorded in the
  assistance ledger. A second tick or scan does nothing twice.
- Completing: every boarded household arrived, or a "missing" incident names those that
  did not; the movement request completes when all its households arrived or withdrew.
"""

from sanad.transport.services.checks._base import (
    CHECK_ACTIONS,
    INCIDENT_STATUSES,
    LEDGER_SOURCE,
    STAGES,
    check_loads,
    convoy_check_board,
    load_needs,
    no_show_reason,
)
from sanad.transport.services.checks.arrival import convoy_complete, missing_households
from sanad.transport.services.checks.departure import (
    convoy_check,
    convoy_depart,
    convoy_rebalance,
    convoy_scan,
)
from sanad.transport.services.checks.incidents import INCIDENT_FIELDS, incident_record

__all__ = [
    "CHECK_ACTIONS",
    "INCIDENT_FIELDS",
    "INCIDENT_STATUSES",
    "LEDGER_SOURCE",
    "STAGES",
    "check_loads",
    "convoy_check",
    "convoy_check_board",
    "convoy_complete",
    "convoy_depart",
    "convoy_rebalance",
    "convoy_scan",
    "incident_record",
    "load_needs",
    "missing_households",
    "no_show_reason",
]
