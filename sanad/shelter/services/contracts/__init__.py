"""Contractors, tenders and works contracts covering several houses.

- Contractors: register, edit, suspend or exclude (with a reason), reinstate.
- Tenders: a lot of open contractor-modality cases of one project in one governorate
  (a case is in one live tender at a time); estimate = the sum of the cases' budgets.
  draft → open (bids recorded) → evaluated → awarded (a contract made from one bid), or
  cancelled. The recommended bid is the lowest price among bids whose technical score
  reaches `TECHNICAL_PASS` (70); awarding another needs a reason.
- Contracts: from an award, or a direct award (with a reason). Payment milestones must
  add up to 100 % before signing. Certifying a milestone computes what is payable
  (`milestone_amounts`): gross share, less retention, less the penalty for each day late,
  the contract's penalties never exceeding its cap. Practical completion when every
  milestone is certified and every house is finished; the retention is released after
  the defects-liability period with no open defect → closed. Terminate with a reason.

Money is `Decimal`, rounded to 0.01 with ROUND_HALF_UP at each step.
"""

from __future__ import annotations

from sanad.shelter.services.contracts._base import (
    CASE_DONE,
    HUNDRED,
    LIVE_TENDER,
    TECHNICAL_PASS,
    UNRESOLVED_DEFECT,
    ZERO,
    eligible_cases_q,
)
from sanad.shelter.services.contracts.execution import (
    Amounts,
    completion_blockers,
    contract_cases_set,
    contract_check_completion,
    contract_complete,
    contract_create,
    contract_release_retention,
    contract_sign,
    contract_terminate,
    contract_update,
    milestone_amounts,
    milestone_certify,
    milestone_record_payment,
    milestones_set,
    milestones_total,
    open_defects,
    retention_due_on,
)
from sanad.shelter.services.contracts.tenders import (
    bid_record,
    bid_update,
    contractor_create,
    contractor_exclude,
    contractor_reinstate,
    contractor_suspend,
    contractor_update,
    recommended_bid,
    tender_award,
    tender_cancel,
    tender_create,
    tender_evaluate,
    tender_open,
    tender_update,
)

__all__ = [
    "CASE_DONE",
    "HUNDRED",
    "LIVE_TENDER",
    "TECHNICAL_PASS",
    "UNRESOLVED_DEFECT",
    "ZERO",
    "Amounts",
    "bid_record",
    "bid_update",
    "completion_blockers",
    "contract_cases_set",
    "contract_check_completion",
    "contract_complete",
    "contract_create",
    "contract_release_retention",
    "contract_sign",
    "contract_terminate",
    "contract_update",
    "contractor_create",
    "contractor_exclude",
    "contractor_reinstate",
    "contractor_suspend",
    "contractor_update",
    "eligible_cases_q",
    "milestone_amounts",
    "milestone_certify",
    "milestone_record_payment",
    "milestones_set",
    "milestones_total",
    "open_defects",
    "recommended_bid",
    "retention_due_on",
    "tender_award",
    "tender_cancel",
    "tender_create",
    "tender_evaluate",
    "tender_open",
    "tender_update",
]
