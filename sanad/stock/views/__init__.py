"""Stock pages: the overview of balances, the catalogue (items, kits, seasons),
warehouses and stock cards, and the movements (receipts, transfers, kitting,
adjustments, physical counts). They adapt requests to `stock.selectors` and
`stock.services`; the rules are there."""

from sanad.stock.views.catalogue import (
    ItemListView,
    KitListView,
    SeasonListView,
    item_cost_set,
    item_create,
    item_detail,
    item_edit,
    kit_create,
    kit_detail,
    kit_version_create,
    season_create,
)
from sanad.stock.views.movements import (
    MovementListView,
    adjustment_create,
    count_create,
    kitting_create,
    movement_action,
    movement_detail,
    receipt_create,
    transfer_create,
    transfer_receive,
)
from sanad.stock.views.overview import overview
from sanad.stock.views.warehouses import (
    WarehouseListView,
    stock_card,
    threshold_set,
    warehouse_create,
    warehouse_detail,
    warehouse_edit,
)

__all__ = [
    "ItemListView",
    "KitListView",
    "MovementListView",
    "SeasonListView",
    "WarehouseListView",
    "adjustment_create",
    "count_create",
    "item_cost_set",
    "item_create",
    "item_detail",
    "item_edit",
    "kit_create",
    "kit_detail",
    "kit_version_create",
    "kitting_create",
    "movement_action",
    "movement_detail",
    "overview",
    "receipt_create",
    "season_create",
    "stock_card",
    "threshold_set",
    "transfer_create",
    "transfer_receive",
    "warehouse_create",
    "warehouse_detail",
    "warehouse_edit",
]
