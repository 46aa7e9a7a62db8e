"""Reads of stock: what a user may see of the catalogue, warehouses, balances and
movements; the stock card; value by project; low-stock alerts; the kit version and
season valid on a day. Pages, the API and distribution read through here."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import (
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import NotFound, ValidationFailed
from sanad.core.scoping import scoped
from sanad.programmes.models import Project
from sanad.stock.models import (
    VIEW,
    Item,
    ItemCost,
    Kit,
    KitComponent,
    KitVersion,
    Movement,
    MovementLine,
    Season,
    StockBalance,
    StockEntry,
    Threshold,
    Warehouse,
)

ZERO = Decimal(0)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


# --- catalogue --------------------------------------------------------------------------------
def items_visible_to(user: Any) -> QuerySet[Item]:
    return scoped(Item.objects.all(), user, VIEW)


def kits_visible_to(user: Any) -> QuerySet[Kit]:
    """Kits with their versions (newest first) and each version's components, in
    three queries whatever the number of kits."""
    return scoped(
        Kit.objects.select_related("item").prefetch_related(
            Prefetch(
                "versions",
                queryset=KitVersion.objects.order_by("-number").prefetch_related(
                    Prefetch("components", queryset=KitComponent.objects.select_related("item"))
                ),
            ),
            "replaces",
        ),
        user,
        VIEW,
    )


def kit_version_on(*, kit: Kit, day: datetime.date) -> KitVersion:
    """The contents of a kit on a day: the latest version that started on or before
    it. Kitting on a day before the first version is refused."""
    version = (
        KitVersion.objects.filter(kit=kit, valid_from__lte=day).order_by("-valid_from").first()
    )
    if version is None:
        message = _("The kit %(code)s has no contents defined on %(day)s.") % {
            "code": kit.code,
            "day": day.isoformat(),
        }
        raise ValidationFailed(message, code="no_kit_version", fields={"date": [message]})
    return version


def kit_current_version(kit: Kit, day: datetime.date | None = None) -> KitVersion | None:
    """The version valid today (or on `day`), from the prefetched versions when
    `kits_visible_to` loaded them; None before the first version starts."""
    day = day or timezone.localdate()
    versions = sorted(kit.versions.all(), key=lambda v: v.valid_from, reverse=True)
    return next((v for v in versions if v.valid_from <= day), None)


def season_on(*, kind: str, day: datetime.date) -> Season | None:
    """The season of `kind` (winter, summer) that `day` falls in, if any."""
    return Season.objects.filter(kind=kind, starts_on__lte=day, ends_on__gte=day).first()


def seasons_visible_to(user: Any) -> QuerySet[Season]:
    return scoped(Season.objects.all(), user, VIEW)


# --- warehouses and balances ------------------------------------------------------------------
def warehouses_visible_to(user: Any, perm: str = VIEW) -> QuerySet[Warehouse]:
    return scoped(
        Warehouse.objects.select_related("place", "place__admin_unit", "manager"), user, perm
    )


def warehouse_get(*, user: Any, public_id: Any, perm: str = VIEW) -> Warehouse:
    key = _uuid(public_id)
    warehouse = warehouses_visible_to(user, perm).filter(public_id=key).first() if key else None
    if warehouse is None:
        raise NotFound()
    return warehouse


def balances_visible_to(user: Any) -> QuerySet[StockBalance]:
    return scoped(StockBalance.objects.select_related("warehouse", "item", "project"), user, VIEW)


def available(*, warehouse: Warehouse, item: Item, project: Project) -> Decimal:
    """On hand minus reserved (zero when the warehouse never held the item)."""
    row = (
        StockBalance.objects.filter(warehouse=warehouse, item=item, project=project)
        .values_list("quantity", "reserved")
        .first()
    )
    return row[0] - row[1] if row else ZERO


def on_hand(*, warehouse: Warehouse, item: Item) -> dict[str, Decimal]:
    """On hand, reserved and available of an item in a warehouse, all projects."""
    totals = StockBalance.objects.filter(warehouse=warehouse, item=item).aggregate(
        quantity=Sum("quantity"), reserved=Sum("reserved")
    )
    quantity, reserved = totals["quantity"] or ZERO, totals["reserved"] or ZERO
    return {"quantity": quantity, "reserved": reserved, "available": quantity - reserved}


def stock_card(
    *, warehouse: Warehouse, item: Item, project: Project | None = None
) -> QuerySet[StockEntry]:
    """The ledger of one item in one warehouse, oldest first, each entry annotated with
    `running`: the balance after it (for one project, or all projects together when
    `project` is None). The window sum runs in the database, so a page of the card
    costs one query however long the history."""
    entries = StockEntry.objects.filter(warehouse=warehouse, item=item)
    if project is not None:
        entries = entries.filter(project=project)
    return (
        entries.select_related("movement", "project", "created_by")
        .annotate(
            running=Window(
                Sum("quantity"),
                order_by=F("id").asc(),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
        .order_by("id")
    )


def entries_visible_to(user: Any) -> QuerySet[StockEntry]:
    return scoped(StockEntry.objects.select_related("movement", "item", "project"), user, VIEW)


def _unit_costs(day: datetime.date) -> dict[str, Subquery]:
    cost = ItemCost.objects.filter(
        item=OuterRef("item"), project=OuterRef("project"), valid_from__lte=day
    ).order_by("-valid_from")
    return {
        "unit_cost": Subquery(cost.values("unit_cost")[:1]),
        "cost_currency": Subquery(cost.values("currency")[:1]),
        "cost_rate": Subquery(cost.values("exchange_rate")[:1]),
    }


def value_by_project(
    user: Any, *, warehouse: Warehouse | None = None, day: datetime.date | None = None
) -> list[dict[str, Any]]:
    """Stock on hand valued at each project's unit cost valid on `day` (today by
    default), in USD (IQD costs through the rate recorded with them). Lines without a
    cost are counted in `missing_cost`, never valued at zero silently."""
    day = day or timezone.localdate()
    balances = balances_visible_to(user).filter(quantity__gt=0)
    if warehouse is not None:
        balances = balances.filter(warehouse=warehouse)
    rows: dict[int, dict[str, Any]] = {}
    projects: dict[int, Project] = {}
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for balance in balances.annotate(**_unit_costs(day)):
        row = rows.setdefault(
            balance.project_id,
            {"quantity": ZERO, "value_usd": ZERO, "lines": 0, "missing_cost": 0},
        )
        projects[balance.project_id] = balance.project
        row["quantity"] += balance.quantity
        row["lines"] += 1
        cost = balance.unit_cost  # type: ignore[attr-defined]
        if cost is None:
            row["missing_cost"] += 1
            continue
        cost = Decimal(cost)
        if balance.cost_currency == "IQD":  # type: ignore[attr-defined]
            rate = balance.cost_rate  # type: ignore[attr-defined]
            if not rate:
                row["missing_cost"] += 1
                continue
            cost = cost / Decimal(rate)
        totals[balance.project_id] += balance.quantity * cost
    result = []
    for project_id, row in rows.items():
        row["value_usd"] = totals[project_id].quantize(Decimal("0.01"))
        result.append({"project": projects[project_id], **row})
    return sorted(result, key=lambda r: r["project"].code)


def low_stock(user: Any, *, warehouse: Warehouse | None = None) -> QuerySet[Threshold]:
    """Thresholds whose item, summed over projects, is below the alert level in the
    warehouse; each annotated with `on_hand` and `available`."""
    totals = (
        StockBalance.objects.filter(warehouse=OuterRef("warehouse"), item=OuterRef("item"))
        .values("warehouse", "item")
        .annotate(q=Sum("quantity"), r=Sum("reserved"))
    )
    decimal = DecimalField(max_digits=14, decimal_places=2)
    thresholds = Threshold.objects.filter(
        warehouse__in=warehouses_visible_to(user).values("pk"), minimum__gt=0
    )
    if warehouse is not None:
        thresholds = thresholds.filter(warehouse=warehouse)
    return (
        thresholds.select_related("warehouse", "item")
        .annotate(
            on_hand=Coalesce(
                Subquery(totals.values("q"), output_field=decimal),
                Value(ZERO),
                output_field=decimal,
            ),
            held=Coalesce(
                Subquery(totals.values("r"), output_field=decimal),
                Value(ZERO),
                output_field=decimal,
            ),
        )
        .annotate(available=F("on_hand") - F("held"))
        .filter(on_hand__lt=F("minimum"))
        .order_by("warehouse__name", "item__code")
    )


# --- movements -----------------------------------------------------------------------------------
MOVEMENT_RELATED = (
    "warehouse",
    "to_warehouse",
    "project",
    "created_by",
    "approved_by",
    "kit_version__kit",
)


def movements_visible_to(user: Any, perm: str = VIEW) -> QuerySet[Movement]:
    """Movements of the warehouses the user reaches, and transfers coming into them
    (the receiving warehouse must see what is on its way)."""
    base = Movement.objects.select_related(*MOVEMENT_RELATED)
    incoming = base.filter(to_warehouse__in=warehouses_visible_to(user, perm).values("pk"))
    return scoped(base, user, perm) | incoming


def movement_get(*, user: Any, public_id: Any, perm: str = VIEW) -> Movement:
    """A movement by public id within what the user may see, with its lines."""
    key = _uuid(public_id)
    movement = (
        movements_visible_to(user, perm)
        .prefetch_related(
            Prefetch("lines", queryset=MovementLine.objects.select_related("item", "project"))
        )
        .filter(public_id=key)
        .first()
        if key
        else None
    )
    if movement is None:
        raise NotFound()
    return movement


def movement_history(movement: Movement) -> QuerySet[Any]:
    """Who moved the document from which status to which, when and why."""
    return Movement.STATUS_MACHINE.history(movement)


# --- ledger check ------------------------------------------------------------------------------------
def ledger_differences() -> list[dict[str, Any]]:
    """Every balance that disagrees with the sum of its entries, every entry group
    without a balance, and every negative or over-reserved balance. Empty when the
    ledger is sound (`sanad stock_check`)."""
    sums = {
        (row["warehouse_id"], row["item_id"], row["project_id"]): row["total"]
        for row in StockEntry.objects.values("warehouse_id", "item_id", "project_id").annotate(
            total=Sum("quantity")
        )
    }
    problems: list[dict[str, Any]] = []
    for balance in StockBalance.objects.select_related("warehouse", "item", "project"):
        key = (balance.warehouse_id, balance.item_id, balance.project_id)
        ledger = sums.pop(key, ZERO)
        where = {
            "warehouse": balance.warehouse.code,
            "item": balance.item.code,
            "project": balance.project.code,
        }
        if balance.quantity != ledger:
            problems.append(
                {**where, "problem": "balance", "balance": balance.quantity, "ledger": ledger}
            )
        if balance.quantity < 0 or balance.reserved < 0 or balance.reserved > balance.quantity:
            problems.append(
                {
                    **where,
                    "problem": "negative",
                    "balance": balance.quantity,
                    "reserved": balance.reserved,
                }
            )
    if sums:
        warehouses = dict(Warehouse.objects.values_list("pk", "code"))
        items = dict(Item.objects.values_list("pk", "code"))
        projects = dict(Project.objects.values_list("pk", "code"))
        for (w, i, p), total in sums.items():
            if total != 0:
                problems.append(
                    {
                        "warehouse": warehouses.get(w),
                        "item": items.get(i),
                        "project": projects.get(p),
                        "problem": "no_balance",
                        "balance": None,
                        "ledger": total,
                    }
                )
    return problems
