"""What every stock write shares: permission checks, quantities, movement numbers,
request-key replays and `_post`, the only function that changes a balance.

Why `_post` is the only door: a balance is the sum of its ledger entries, and the
two must never disagree. `_post` changes the balance with one conditional UPDATE
(`quantity >= n` in the WHERE clause) and writes the entry with the balance read back
in the same transaction, so two officers dispatching the last units at the same
moment cannot both succeed: the database serialises the two UPDATEs on the row and
the second one matches no row once the first has committed.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed
from sanad.core.scoping import can_reach, has_permission, scoped
from sanad.programmes.models import Project
from sanad.stock.models import Item, Movement, StockBalance, StockEntry, Warehouse

T = TypeVar("T")

MAX_QUANTITY = Decimal("1e11")
CENT = Decimal("0.01")
MAX_TEXT = 2000

PREFIX = {
    Movement.Kind.RECEIPT: "RCV",
    Movement.Kind.TRANSFER: "TRF",
    Movement.Kind.KITTING: "KIT",
    Movement.Kind.DISPATCH: "DSP",
    Movement.Kind.RETURN: "RTN",
    Movement.Kind.ADJUSTMENT: "ADJ",
    Movement.Kind.COUNT: "CNT",
}


# --- permissions ---------------------------------------------------------------------------
def _require(user: Any, obj: Any, permission: str) -> None:
    """The user holds `permission` in a role whose scope reaches `obj`."""
    if not has_permission(user, permission) or not can_reach(user, obj, permission):
        raise PermissionDenied()


def _require_any(user: Any, obj: Any, permissions: Iterable[str]) -> None:
    """Distribution's services call the stock services on behalf of programme officers
    (who plan and dispatch but do not run warehouses): any of `permissions` reaching
    the warehouse is enough."""
    for permission in permissions:
        if has_permission(user, permission) and can_reach(user, obj, permission):
            return
    raise PermissionDenied()


def _require_project(user: Any, project: Project, permission: str) -> None:
    """Warehouses are scoped by governorate, projects by programme: a warehouse
    officer in Duhok for NFI must not charge stock to a shelter project."""
    if not scoped(Project.objects.filter(pk=project.pk), user, permission).exists():
        raise PermissionDenied(
            _("Your role does not reach the project %(code)s.") % {"code": project.code}
        )


# --- values --------------------------------------------------------------------------------
def fmt(value: Decimal) -> str:
    """12.00 → "12", 2.50 → "2.5": quantities in sentences people read."""
    text = f"{value.normalize():f}"
    return text


def _qty(value: Any, field: str, *, allow_zero: bool = False, whole: bool = False) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError) as exc:
        message = _("Give the quantity as a number.")
        raise ValidationFailed(message, fields={field: [message]}) from exc
    if number < 0 or (number == 0 and not allow_zero) or number >= MAX_QUANTITY:
        message = (
            _("Give a quantity of zero or more.")
            if allow_zero
            else _("Give a quantity greater than zero.")
        )
        raise ValidationFailed(message, fields={field: [message]})
    if number != number.quantize(CENT):
        message = _("Give the quantity with at most two decimals.")
        raise ValidationFailed(message, fields={field: [message]})
    if whole and number != number.to_integral_value():
        message = _("Give a whole number.")
        raise ValidationFailed(message, fields={field: [message]})
    return number.quantize(CENT)


def _money(value: Any, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
        if not number.is_finite() or number < 0 or number >= Decimal("1e13"):
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError) as exc:
        message = _("Give the unit cost as a number of zero or more.")
        raise ValidationFailed(message, fields={field: [message]}) from exc
    return number.quantize(CENT)


def _date(value: Any, field: str = "date") -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError) as exc:
        message = _("Give the date as YYYY-MM-DD.")
        raise ValidationFailed(message, fields={field: [message]}) from exc


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    return str(value or "").strip()[:limit]


def _item(value: Any, field: str) -> Item:
    if not isinstance(value, Item) or value.pk is None:
        message = _("Choose an item of the catalogue.")
        raise ValidationFailed(message, fields={field: [message]})
    if not value.active:
        message = _("The item %(code)s is no longer active.") % {"code": value.code}
        raise ValidationFailed(message, fields={field: [message]})
    return value


def _active_warehouse(warehouse: Warehouse, field: str = "warehouse") -> Warehouse:
    if not warehouse.active:
        message = _("The warehouse %(name)s is closed.") % {"name": warehouse.name}
        raise ValidationFailed(message, fields={field: [message]})
    return warehouse


def _key(request_key: str | None) -> str | None:
    key = str(request_key).strip() if request_key else ""
    if len(key) > 64:
        message = _("The request key is longer than 64 characters.")
        raise ValidationFailed(message, fields={"request_key": [message]})
    return key or None


# --- documents -----------------------------------------------------------------------------
def _replayed(request_key: str | None) -> Movement | None:
    if not request_key:
        return None
    return Movement.objects.filter(request_key=request_key).first()


def _idempotent(request_key: str | None, write: Callable[[], Movement]) -> Movement:
    """Run `write` once per request key: a retried request (a phone on a poor line
    sends the same POST twice) gets the first document back and moves nothing. Two
    retries racing each other: the unique key makes the second INSERT fail, and the
    loser returns the winner's document."""
    first = _replayed(request_key)
    if first is not None:
        return first
    try:
        return write()
    except IntegrityError:
        first = _replayed(request_key)
        if first is None:
            raise
        return first


def _new_movement(*, user: Any, kind: str, date: datetime.date, **fields: Any) -> Movement:
    """A draft document with a number people can read (`RCV-2026-000123`). The number
    comes from the primary key, given by the database on insert, so two concurrent
    documents can never receive the same number."""
    movement = Movement.objects.create(
        kind=kind,
        status=Movement.Status.DRAFT,
        number=f"TMP-{uuid.uuid4().hex[:24]}",
        date=date,
        created_by=user if getattr(user, "pk", None) else None,
        **fields,
    )
    movement.number = f"{PREFIX[Movement.Kind(kind)]}-{date.year}-{movement.pk:06d}"
    movement.save(update_fields=["number"])
    return movement


def _transition(movement: Movement, *, to: str, user: Any, reason: str = "", **extra: Any) -> None:
    for name, value in extra.items():
        setattr(movement, name, value)
    Movement.STATUS_MACHINE.transition(
        movement, to=to, by=user, reason=reason, extra_updates=tuple(extra)
    )


# --- the ledger ------------------------------------------------------------------------------
def _shortage(
    *, warehouse: Warehouse, item: Item, project: Project, asked: Decimal, reserved: bool = False
) -> Conflict:
    row = (
        StockBalance.objects.filter(warehouse=warehouse, item=item, project=project)
        .values("quantity", "reserved")
        .first()
    )
    on_hand = row["quantity"] if row else Decimal(0)
    held = row["reserved"] if row else Decimal(0)
    params = {
        "available": fmt(held if reserved else on_hand - held),
        "unit": item.unit,
        "item": item.name,
        "warehouse": warehouse.name,
        "project": project.code,
        "asked": fmt(asked),
    }
    if reserved:
        message = (
            _(
                "Only %(available)s %(unit)s of %(item)s are reserved in %(warehouse)s "
                "(project %(project)s); %(asked)s were asked."
            )
            % params
        )
    else:
        message = (
            _(
                "Only %(available)s %(unit)s of %(item)s are available in %(warehouse)s "
                "(project %(project)s); %(asked)s were asked."
            )
            % params
        )
    return Conflict(message, code="insufficient_stock", params=params)


def _post(
    *,
    movement: Movement,
    warehouse: Warehouse,
    item: Item,
    project: Project,
    quantity: Decimal,
    user: Any,
    from_reserved: bool = False,
) -> StockEntry:
    """Change one balance by a signed quantity and write the ledger entry, inside the
    caller's transaction.

    - Positive: the balance row is created if missing (get_or_create survives a
      concurrent creation), then increased with F().
    - Negative: one conditional UPDATE that matches only while enough is *available*
      (on hand minus what plans reserved), so reserved stock is not given to others;
      with `from_reserved` it consumes the reservation instead (`reserved >= n`).
      No row updated → Conflict naming what is there.
    """
    if quantity == 0:
        raise ValueError("a ledger entry moves something")
    assert transaction.get_connection().in_atomic_block, "_post runs inside a transaction"
    where = {"warehouse": warehouse, "item": item, "project": project}
    if quantity > 0:
        balance, _created = StockBalance.objects.get_or_create(
            warehouse=warehouse, item=item, project=project
        )
        StockBalance.objects.filter(pk=balance.pk).update(quantity=F("quantity") + quantity)
        pk = balance.pk
    else:
        asked = -quantity
        rows = StockBalance.objects.filter(**where)
        if from_reserved:
            changes = {"quantity": F("quantity") - asked, "reserved": F("reserved") - asked}
            rows = rows.filter(quantity__gte=asked, reserved__gte=asked)
        else:
            changes = {"quantity": F("quantity") - asked}
            rows = rows.filter(quantity__gte=F("reserved") + asked)
        if rows.update(**changes) != 1:
            raise _shortage(
                warehouse=warehouse, item=item, project=project, asked=asked, reserved=from_reserved
            )
        pk = StockBalance.objects.filter(**where).values_list("pk", flat=True).get()
    # Read back inside the same transaction: this transaction holds the row lock since
    # its UPDATE, so the value is this movement's own running balance.
    after = StockBalance.objects.filter(pk=pk).values_list("quantity", flat=True).get()
    return StockEntry.objects.create(
        movement=movement,
        warehouse=warehouse,
        item=item,
        project=project,
        quantity=quantity,
        balance_after=after,
        kind=movement.kind,
        date=movement.date,
        created_by=user if getattr(user, "pk", None) else None,
    )


def _sorted_posts(
    posts: Iterable[tuple[Warehouse, Item, Project, Decimal]],
) -> list[tuple[Warehouse, Item, Project, Decimal]]:
    """Lock balance rows in one order (warehouse, item, project) so that two
    multi-line documents touching the same rows wait for each other instead of
    deadlocking."""
    return sorted(posts, key=lambda p: (p[0].pk, p[1].pk, p[2].pk, p[3]))


def in_transaction(write: Callable[[], T]) -> T:
    with transaction.atomic():
        return write()
