"""Read queries the pages need beyond `stock.selectors`: balances grouped by
warehouse × item (summed over funding projects) with their low-stock level, and the
rows of a physical-count sheet. Always on querysets already scoped by the caller."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from sanad.stock.models import Item, StockBalance, Threshold

ZERO = Decimal(0)
_QTY = DecimalField(max_digits=14, decimal_places=2)


def balances_by_warehouse_item(balances: QuerySet[StockBalance]) -> QuerySet[Any]:
    """One row per warehouse × item: on hand, reserved and the alert level."""
    minimum = Threshold.objects.filter(
        warehouse=OuterRef("warehouse"), item=OuterRef("item")
    ).values("minimum")[:1]
    return (
        balances.values(
            "warehouse",
            "warehouse__public_id",
            "warehouse__name",
            "item",
            "item__public_id",
            "item__code",
            "item__name_en",
            "item__name_ar",
            "item__name_ckb",
            "item__unit",
            "item__category",
        )
        .annotate(
            on_hand=Coalesce(Sum("quantity"), ZERO, output_field=_QTY),
            held=Coalesce(Sum("reserved"), ZERO, output_field=_QTY),
            minimum=Subquery(minimum, output_field=_QTY),
        )
        .order_by("warehouse__name", "item__category", "item__code")
    )


def decorate(rows: Any) -> list[dict[str, Any]]:
    """Add the item's name in the page's language, what is available and whether the
    row is below its alert level."""
    out = []
    for row in rows:
        item = Item(
            name_en=row["item__name_en"],
            name_ar=row["item__name_ar"],
            name_ckb=row["item__name_ckb"],
        )
        row = dict(row)
        row["item_name"] = item.name
        row["available"] = row["on_hand"] - row["held"]
        row["low"] = row["minimum"] is not None and row["on_hand"] < row["minimum"]
        out.append(row)
    return out


def count_sheet(warehouse: Any) -> list[dict[str, Any]]:
    """The lines of a count sheet: every item × project the warehouse's book holds
    (also those at zero: the count may find some)."""
    balances = (
        StockBalance.objects.filter(warehouse=warehouse)
        .select_related("item", "project")
        .order_by("item__category", "item__code", "project__code")
    )
    return [
        {
            "item": b.item,
            "project": b.project,
            "book": b.quantity,
            "label": f"{b.item.name} · {b.project.code}",
        }
        for b in balances
    ]
