"""Writes of the distribution app: plans, events, distribution day, reconciliation and
monitoring samples. Pages, the API and jobs all come through here, so one set of rules
holds however a receipt arrives.

- `plans`: plan_create, plan_approve (reserves the kits, marks the list used),
  plan_cancel, plan_close.
- `events`: event_create (expected households, season window), event_dispatch,
  event_cancel, event_close (reconciliation); `_notify_households`, the hook for the
  communication module.
- `receipts`: household_check, receipt_record (one per household per event, the
  ledger written in the same transaction).
- `sample`: sample_draw (monitoring sample stratified by place), sample_call_record.
"""

from sanad.distribution.services._common import REFUSAL_CODES, eligibility
from sanad.distribution.services.events import (
    _notify_households,
    event_cancel,
    event_close,
    event_create,
    event_dispatch,
)
from sanad.distribution.services.plans import plan_approve, plan_cancel, plan_close, plan_create
from sanad.distribution.services.receipts import collectors_of, household_check, receipt_record
from sanad.distribution.services.sample import sample_call_record, sample_draw

__all__ = [
    "REFUSAL_CODES",
    "_notify_households",
    "collectors_of",
    "eligibility",
    "event_cancel",
    "event_close",
    "event_create",
    "event_dispatch",
    "household_check",
    "plan_approve",
    "plan_cancel",
    "plan_close",
    "plan_create",
    "receipt_record",
    "sample_call_record",
    "sample_draw",
]
