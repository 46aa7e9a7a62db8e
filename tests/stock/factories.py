"""Stock test helpers, shared with the distribution and web tests:

    from tests.stock.factories import make_item, make_kit, make_warehouse, stocked

Everything goes through `stock.services` (as a stock keeper with every permission), so
the balances, entries and documents are those production would write."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from sanad.accounts.models import User
from sanad.geo.models import Place
from sanad.programmes.models import Project
from sanad.stock import services
from sanad.stock.models import Item, Kit, Movement, Warehouse
from tests.factories import (
    DUHOK,
    PlaceFactory,
    ProgrammeFactory,
    ProjectFactory,
    make_user,
    subdistrict_in,
)

DAY = datetime.date(2026, 3, 1)
KIT_FROM = datetime.date(2020, 1, 1)
_numbers = itertools.count(1)


def stock_keeper() -> User:
    """An administrator who records the test set-up (one per test database)."""
    user = User.objects.filter(username="stock-keeper").first()
    return user or make_user("administrator", username="stock-keeper")


def make_project(programme: str = "NFI", **kwargs: Any) -> Project:
    return ProjectFactory(programme=ProgrammeFactory(code=programme), **kwargs)


def make_item(
    code: str | None = None,
    *,
    name_en: str | None = None,
    category: str = Item.Category.BEDDING,
    unit: str = "piece",
    **kwargs: Any,
) -> Item:
    code = code or f"item_{next(_numbers)}"
    return services.item_create(
        user=stock_keeper(),
        code=code,
        name_en=name_en or code.replace("_", " "),
        category=category,
        unit=unit,
        **kwargs,
    )


def make_kit(
    code: str | None = None,
    *,
    components: Any = None,
    kind: str = Kit.Kind.BASIC,
    valid_from: datetime.date = KIT_FROM,
    replaces: Any = (),
    name_en: str | None = None,
) -> Kit:
    """A kit with version 1 valid from `valid_from`. `components` is a list of
    (item, quantity) pairs or {"item", "quantity"} dicts; two new items by default."""
    code = code or f"kit_{next(_numbers)}"
    if components is None:
        components = [(make_item(), 2), (make_item(), 1)]
    rows = [c if isinstance(c, dict) else {"item": c[0], "quantity": c[1]} for c in components]
    return services.kit_create(
        user=stock_keeper(),
        code=code,
        name_en=name_en or code.replace("_", " "),
        kind=kind,
        components=rows,
        valid_from=valid_from,
        replaces=replaces,
    )


def make_warehouse(
    governorate: str = DUHOK,
    *,
    code: str | None = None,
    name: str | None = None,
    place: Place | None = None,
    manager: Any = None,
) -> Warehouse:
    n = next(_numbers)
    place = place or PlaceFactory(
        kind=Place.Kind.WAREHOUSE_SITE,
        name_en=f"Warehouse site {n}",
        admin_unit=subdistrict_in(governorate),
    )
    return services.warehouse_create(
        user=stock_keeper(),
        code=code or f"wh-{n}",
        name=name or f"Warehouse {n}",
        place=place,
        manager=manager,
    )


def stocked(
    warehouse: Warehouse,
    item: Item,
    project: Project,
    qty: Any,
    *,
    date: datetime.date = DAY,
    unit_cost: Any = None,
    user: Any = None,
) -> Movement:
    """Receive `qty` of `item` at `warehouse` for `project` (a posted receipt)."""
    return services.receipt_record(
        user=user or stock_keeper(),
        warehouse=warehouse,
        project=project,
        date=date,
        lines=[{"item": item, "quantity": Decimal(str(qty)), "unit_cost": unit_cost}],
        supplier="Test supplier",
    )


def balance_of(warehouse: Warehouse, item: Item, project: Project) -> tuple[Decimal, Decimal]:
    """(on hand, reserved); (0, 0) when there is no balance row."""
    from sanad.stock.models import StockBalance

    row = (
        StockBalance.objects.filter(warehouse=warehouse, item=item, project=project)
        .values_list("quantity", "reserved")
        .first()
    )
    return (row[0], row[1]) if row else (Decimal(0), Decimal(0))
