"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
stock API, on the world of `tests.stock.matrix.stock_world`:

    from tests.stock.api_matrix import stock_api_checks
    # next to stock_checks:
    *stock_api_checks(role, w.extras["stock"], Check, can, allowed, HIDDEN)

Matrix users are scoped to Duhok and the NFI programme: the Duhok warehouse and its
receipt are in, the Erbil ones out (404, never their data). Writes are checked on the
warehouse or movement outside the scope only (nothing changes); tests/stock/test_api.py
checks the writes that succeed."""

from __future__ import annotations

from typing import Any

VIEW, RECORD, APPROVE = "stock.view_stock", "stock.record_movement", "stock.approve_adjustment"


def stock_api_checks(
    role: str, world: dict[str, Any], Check: Any, can: Any, allowed: Any, hidden: set[int]
) -> list[Any]:
    view, record, approve = can(role, VIEW), can(role, RECORD), can(role, APPROVE)
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    hid = lambda ok: allowed(ok, denied=hidden)  # noqa: E731
    item, kit = world["item"], world["kit"]
    w_in, w_out = world["warehouse_in"].public_id, world["warehouse_out"].public_id
    m_in, m_out = world["movement_in"], world["movement_out"]
    project = m_out.project.code
    base = "/api/v1/stock"
    outside = {
        "warehouse": str(w_out),
        "project": project,
        "date": m_out.date.isoformat(),
    }
    receipt = {**outside, "lines": [{"item": item.code, "quantity": "1"}]}
    kitting = {**outside, "kit": kit.code, "quantity": 1}
    adjustment = {
        **outside,
        "reason": "damage",
        "lines": [{"item": item.code, "quantity": "1", "direction": -1}],
    }
    return [
        Check("stock-item-list", "get", f"{base}/items/", allowed(view), api=True),
        Check("stock-item-detail", "get", f"{base}/items/{item.public_id}/", hid(view), api=True),
        Check("stock-kit-list", "get", f"{base}/kits/", allowed(view), api=True),
        Check("stock-kit-detail", "get", f"{base}/kits/{kit.public_id}/", hid(view), api=True),
        Check(
            "stock-warehouse-list",
            "get",
            f"{base}/warehouses/",
            allowed(view),
            api=True,
            absent="Matrix warehouse outside",
        ),
        Check(
            "stock-warehouse-detail in", "get", f"{base}/warehouses/{w_in}/", hid(view), api=True
        ),
        Check(
            "stock-warehouse-detail out",
            "get",
            f"{base}/warehouses/{w_out}/",
            out404(view),
            api=True,
        ),
        Check(
            "stock-warehouse-card in",
            "get",
            f"{base}/warehouses/{w_in}/card/?item={item.code}",
            hid(view),
            api=True,
        ),
        Check(
            "stock-warehouse-card out",
            "get",
            f"{base}/warehouses/{w_out}/card/?item={item.code}",
            out404(view),
            api=True,
        ),
        Check(
            "stock-balance-list",
            "get",
            f"{base}/balances/",
            allowed(view),
            api=True,
            absent="matrix-out",
        ),
        Check(
            "stock-movement-list",
            "get",
            f"{base}/movements/",
            allowed(view),
            api=True,
            absent=m_out.number,
        ),
        Check(
            "stock-movement-detail in",
            "get",
            f"{base}/movements/{m_in.public_id}/",
            hid(view),
            api=True,
        ),
        Check(
            "stock-movement-detail out",
            "get",
            f"{base}/movements/{m_out.public_id}/",
            out404(view),
            api=True,
        ),
        # Writes on the warehouse outside the scope: refused, nothing recorded.
        Check(
            "stock-movement-receipt out",
            "post",
            f"{base}/movements/receipt/",
            allowed(record, ok_codes={400}),
            data=receipt,
            api=True,
        ),
        Check(
            "stock-movement-kitting out",
            "post",
            f"{base}/movements/kitting/",
            allowed(record, ok_codes={400}),
            data=kitting,
            api=True,
        ),
        Check(
            "stock-movement-adjustment out",
            "post",
            f"{base}/movements/adjustment/",
            allowed(record, ok_codes={400}),
            data=adjustment,
            api=True,
        ),
        Check(
            "stock-movement-approve out",
            "post",
            f"{base}/movements/{m_out.public_id}/approve/",
            out404(approve),
            api=True,
        ),
        Check(
            "stock-movement-reject out",
            "post",
            f"{base}/movements/{m_out.public_id}/reject/",
            out404(approve),
            data={"reason": "matrix"},
            api=True,
        ),
    ]
