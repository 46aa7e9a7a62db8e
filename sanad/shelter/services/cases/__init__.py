"""Rehabilitation cases: opened from a validated assessment (one case per house, or in
bulk from a final prioritisation round), their milestones, start (the cash modality's
first tranche), handover signed by the family with its completion certificate and
the assistance ledger, defects during the liability period, and closing.

open → in progress (started) → completed (a final inspection verified, see
`services.inspections`) → handed over → closed (the liability period over, no defect
left open); open/in progress → cancelled.

Cash modality: the household's entitlement under an approved cash plan whose condition
is a verified shelter milestone. Tranche 1 is released when the case starts (the
agreement is signed); milestone k releases tranche k + 1 when an inspection verifies it.
"""

from __future__ import annotations

from sanad.shelter.services.cases._base import (
    DONE,
    LEDGER_ITEM,
    LEDGER_SOURCE,
    LIVE,
    MAX_SIGNATURE_BYTES,
    SHELTER_CONDITION,
    TRANCHE_NAMES,
    WORKS_MILESTONES,
    Modality,
    Status,
)
from sanad.shelter.services.cases.handover import (
    case_close,
    case_handover,
    cases_close_due,
    defect_fix,
    defect_reopen,
    defect_report,
    defect_verify,
    defects_days,
    signature_png,
)
from sanad.shelter.services.cases.opening import (
    case_cancel,
    case_create,
    case_create_from_round,
    case_link_entitlement,
    case_milestones_set,
    case_start,
    case_update,
    default_milestones,
)

__all__ = [
    "DONE",
    "LEDGER_ITEM",
    "LEDGER_SOURCE",
    "LIVE",
    "MAX_SIGNATURE_BYTES",
    "SHELTER_CONDITION",
    "TRANCHE_NAMES",
    "WORKS_MILESTONES",
    "Modality",
    "Status",
    "case_cancel",
    "case_close",
    "case_create",
    "case_create_from_round",
    "case_handover",
    "case_link_entitlement",
    "case_milestones_set",
    "case_start",
    "case_update",
    "cases_close_due",
    "default_milestones",
    "defect_fix",
    "defect_reopen",
    "defect_report",
    "defect_verify",
    "defects_days",
    "signature_png",
]
