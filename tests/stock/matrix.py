"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
stock pages:

    from tests.stock.matrix import stock_checks, stock_world
    # in the world fixture:   extras={"stock": stock_world(), ...}
    # in registry_checks:     *stock_checks(role, w.extras["stock"], Check, can, allowed, HIDDEN)

Matrix users are scoped to Duhok and the NFI programme. Warehouses, balances and
movements are scoped by the warehouse's governorate (the Duhok warehouse in, the Erbil
one out); the catalogue (items, kits, seasons) is the same for everyone who may see
stock. Writes are checked on out-of-scope records only (404, nothing changes) or with
an empty form (400, nothing changes); tests/stock/test_pages.py checks the writes that
succeed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from sanad.stock import services
from tests.factories import DUHOK, ERBIL
from tests.stock.factories import (
    make_item,
    make_kit,
    make_project,
    make_warehouse,
    stock_keeper,
    stocked,
)

VIEW, CATALOGUE = "stock.view_stock", "stock.manage_catalogue"
WAREHOUSE, RECORD = "stock.manage_warehouse", "stock.record_movement"


def stock_world() -> dict[str, Any]:
    project = make_project("NFI", code="NFI-MATRIX-STOCK")
    item = make_item("matrix_blanket", name_en="Matrix blanket")
    kit = make_kit("matrix_kit", components=[(item, 2)])
    warehouse_in = make_warehouse(DUHOK, code="matrix-in", name="Matrix warehouse in")
    warehouse_out = make_warehouse(ERBIL, code="matrix-out", name="Matrix warehouse outside")
    movement_in = stocked(warehouse_in, item, project, 10)
    movement_out = stocked(warehouse_out, item, project, 10)
    transfer_out = services.transfer_create(
        user=stock_keeper(),
        from_warehouse=warehouse_out,
        to_warehouse=make_warehouse(ERBIL, code="matrix-out-2"),
        project=project,
        date=movement_out.date,
        lines=[{"item": item, "quantity": 1}],
    )
    services.transfer_dispatch(user=stock_keeper(), movement=transfer_out)
    return {
        "item": item,
        "kit": kit,
        "warehouse_in": warehouse_in,
        "warehouse_out": warehouse_out,
        "movement_in": movement_in,
        "movement_out": movement_out,
        "transfer_out": transfer_out,
    }


def stock_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, catalogue = can(role, VIEW), can(role, CATALOGUE)
    manage_wh, record = can(role, WAREHOUSE), can(role, RECORD)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    hid = lambda ok: allowed(ok, denied=hidden)  # noqa: E731
    item, kit = world["item"].public_id, world["kit"].public_id
    w_in, w_out = world["warehouse_in"].public_id, world["warehouse_out"].public_id
    m_in, m_out = world["movement_in"], world["movement_out"]
    t_out = world["transfer_out"]
    outside = "Matrix warehouse outside"
    return [
        Check("stock:overview", "get", reverse("stock:overview"), allowed(view), absent=outside),
        # --- catalogue -----------------------------------------------------------------
        Check("stock:item_list", "get", reverse("stock:item_list"), allowed(view)),
        Check("stock:item_create", "get", reverse("stock:item_create"), allowed(catalogue)),
        Check("stock:item_detail", "get", reverse("stock:item_detail", args=[item]), hid(view)),
        Check("stock:item_edit", "get", reverse("stock:item_edit", args=[item]), hid(catalogue)),
        Check(
            "stock:item_cost_set (empty form)",
            "post",
            reverse("stock:item_cost_set", args=[item]),
            allowed(catalogue, ok_codes={400}, denied=hidden),
            {},
        ),
        Check("stock:kit_list", "get", reverse("stock:kit_list"), allowed(view)),
        Check("stock:kit_create", "get", reverse("stock:kit_create"), allowed(catalogue)),
        Check("stock:kit_detail", "get", reverse("stock:kit_detail", args=[kit]), hid(view)),
        Check(
            "stock:kit_version_create",
            "get",
            reverse("stock:kit_version_create", args=[kit]),
            hid(catalogue),
        ),
        Check("stock:season_list", "get", reverse("stock:season_list"), allowed(view)),
        Check("stock:season_create", "get", reverse("stock:season_create"), allowed(catalogue)),
        # --- warehouses ----------------------------------------------------------------
        Check(
            "stock:warehouse_list",
            "get",
            reverse("stock:warehouse_list"),
            allowed(view),
            absent=outside,
        ),
        Check(
            "stock:warehouse_create", "get", reverse("stock:warehouse_create"), allowed(manage_wh)
        ),
        Check(
            "stock:warehouse_detail in",
            "get",
            reverse("stock:warehouse_detail", args=[w_in]),
            hid(view),
            absent=outside,
        ),
        Check(
            "stock:warehouse_detail out",
            "get",
            reverse("stock:warehouse_detail", args=[w_out]),
            out404(view),
        ),
        Check(
            "stock:warehouse_edit in",
            "get",
            reverse("stock:warehouse_edit", args=[w_in]),
            hid(manage_wh),
        ),
        Check(
            "stock:warehouse_edit out",
            "get",
            reverse("stock:warehouse_edit", args=[w_out]),
            out404(manage_wh),
        ),
        Check(
            "stock:threshold_set out",
            "post",
            reverse("stock:threshold_set", args=[w_out]),
            out404(manage_wh),
            {"item": str(item), "minimum": "5"},
        ),
        Check(
            "stock:stock_card in",
            "get",
            reverse("stock:stock_card", args=[w_in, item]),
            hid(view),
            absent=m_out.number,
        ),
        Check(
            "stock:stock_card out",
            "get",
            reverse("stock:stock_card", args=[w_out, item]),
            out404(view),
        ),
        # --- movements -----------------------------------------------------------------
        Check(
            "stock:movement_list",
            "get",
            reverse("stock:movement_list"),
            allowed(view),
            absent=m_out.number,
        ),
        Check("stock:receipt_create", "get", reverse("stock:receipt_create"), allowed(record)),
        Check("stock:transfer_create", "get", reverse("stock:transfer_create"), allowed(record)),
        Check("stock:kitting_create", "get", reverse("stock:kitting_create"), allowed(record)),
        Check(
            "stock:adjustment_create", "get", reverse("stock:adjustment_create"), allowed(record)
        ),
        Check("stock:count_create", "get", reverse("stock:count_create"), allowed(record)),
        Check(
            "stock:count_create (sheet of a warehouse outside)",
            "get",
            reverse("stock:count_create") + f"?warehouse={w_out}",
            allowed(record, ok_codes={400}),
            absent="Matrix blanket",
        ),
        Check(
            "stock:movement_detail in",
            "get",
            reverse("stock:movement_detail", args=[m_in.public_id]),
            hid(view),
        ),
        Check(
            "stock:movement_detail out",
            "get",
            reverse("stock:movement_detail", args=[m_out.public_id]),
            out404(view),
        ),
        Check(
            "stock:movement_action out",
            "post",
            reverse("stock:movement_action", args=[t_out.public_id]),
            out404(view),
            {"action": "in_transit"},
        ),
        Check(
            "stock:transfer_receive out",
            "post",
            reverse("stock:transfer_receive", args=[t_out.public_id]),
            out404(record),
            {},
        ),
    ]
