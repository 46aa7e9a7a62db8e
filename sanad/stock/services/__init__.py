"""Writes of stock: the catalogue, warehouses and the stock ledger. Pages, the API,
commands and distribution's services all come through here.

Every function takes keyword-only arguments with `user` first, returns what it
created or changed, and raises `sanad.core.errors` exceptions with sentences that
say what to fix. Balances change only in `_base._post`, by conditional UPDATEs inside
the movement's transaction (see its docstring for why).
"""

from __future__ import annotations

from sanad.stock.selectors import kit_version_on
from sanad.stock.services.catalogue import (
    item_cost_set,
    item_create,
    item_update,
    kit_create,
    kit_update,
    kit_version_create,
    season_create,
    threshold_set,
    warehouse_create,
    warehouse_update,
)
from sanad.stock.services.movements import (
    DISTRIBUTION_PERMISSIONS,
    adjustment_approve,
    adjustment_reject,
    adjustment_request,
    count_approve,
    count_record,
    count_reject,
    dispatch_to_distribution,
    kitting_record,
    movement_cancel,
    receipt_record,
    return_from_distribution,
    stock_release,
    stock_reserve,
    transfer_create,
    transfer_dispatch,
    transfer_mark_in_transit,
    transfer_receive,
)

__all__ = [
    "DISTRIBUTION_PERMISSIONS",
    "adjustment_approve",
    "adjustment_reject",
    "adjustment_request",
    "count_approve",
    "count_record",
    "count_reject",
    "dispatch_to_distribution",
    "item_cost_set",
    "item_create",
    "item_update",
    "kit_create",
    "kit_update",
    "kit_version_create",
    "kit_version_on",
    "kitting_record",
    "movement_cancel",
    "receipt_record",
    "return_from_distribution",
    "season_create",
    "stock_release",
    "stock_reserve",
    "threshold_set",
    "transfer_create",
    "transfer_dispatch",
    "transfer_mark_in_transit",
    "transfer_receive",
    "warehouse_create",
    "warehouse_update",
]
