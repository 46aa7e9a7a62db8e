"""Writes of cash: vendors, plans and entitlements, vouchers, redemption, fraud
signals, reconciliation and transfers. Pages, the API, commands and jobs all come
through here.

Every function takes keyword-only arguments with `user` first, returns what it
created or changed, and raises `sanad.core.errors` exceptions with a sentence that
says what to fix and a stable `code`. Money is `Decimal` quantized to 0.01; a
voucher's balance changes only by the conditional UPDATE in `redeem._write`.

The names imported from `payments` (reconciliation) and `transfers` (FSP payment
lists) are kept in step with those modules by whoever changes them: add a new public
function to its import and to `__all__`.
"""

from __future__ import annotations

from sanad.cash.services._common import (
    code_display,
    code_normalise,
    code_tail,
    fmt_money,
)
from sanad.cash.services.payments import (
    discrepancy_message,
    payment_request_approve,
    payment_request_create,
    payment_request_paid,
    payment_request_reject,
    payment_request_submit,
    reconciliation_preview,
)
from sanad.cash.services.plans import (
    entitlement_amount,
    entitlement_condition_met,
    entitlement_tranche_release,
    plan_approve,
    plan_cancel,
    plan_close,
    plan_create,
    plan_create_for_households,
)
from sanad.cash.services.redeem import REFUSAL_CODES, request_hash, voucher_redeem
from sanad.cash.services.signals import check_redemption, signal_review
from sanad.cash.services.transfers import (
    follow_up_create,
    fsp_template_create,
    payment_list_close,
    payment_list_create,
    payment_list_export,
    payment_results_import,
)
from sanad.cash.services.vendors import (
    vendor_create,
    vendor_price_set,
    vendor_staff_create,
    vendor_staff_remove,
    vendor_transition,
    vendor_update,
)
from sanad.cash.services.vouchers import (
    VOUCHER_STATUS,
    voucher_cancel,
    voucher_lookup,
    voucher_mark_delivered,
    voucher_reissue,
    vouchers_issue,
)

__all__ = [
    "REFUSAL_CODES",
    "VOUCHER_STATUS",
    "check_redemption",
    "code_display",
    "code_normalise",
    "code_tail",
    "discrepancy_message",
    "entitlement_amount",
    "entitlement_condition_met",
    "entitlement_tranche_release",
    "fmt_money",
    "follow_up_create",
    "fsp_template_create",
    "payment_list_close",
    "payment_list_create",
    "payment_list_export",
    "payment_request_approve",
    "payment_request_create",
    "payment_request_paid",
    "payment_request_reject",
    "payment_request_submit",
    "payment_results_import",
    "plan_approve",
    "plan_cancel",
    "plan_close",
    "plan_create",
    "plan_create_for_households",
    "reconciliation_preview",
    "request_hash",
    "signal_review",
    "vendor_create",
    "vendor_price_set",
    "vendor_staff_create",
    "vendor_staff_remove",
    "vendor_transition",
    "vendor_update",
    "voucher_cancel",
    "voucher_lookup",
    "voucher_mark_delivered",
    "voucher_redeem",
    "voucher_reissue",
    "vouchers_issue",
]
