"""Stock documents: receipts, transfers, kitting, reservations, dispatches to and
returns from distributions, adjustments and physical counts.

Each service is one transaction: the document, its lines, its ledger entries and its
status transition are written together or not at all (a kitting short of one
component changes nothing). Balances change only through `_post`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed
from sanad.programmes.models import Project
from sanad.stock.models import (
    APPROVE,
    RECORD,
    Item,
    Kit,
    Movement,
    MovementLine,
    StockBalance,
    Warehouse,
)
from sanad.stock.services._base import (
    _active_warehouse,
    _date,
    _idempotent,
    _item,
    _key,
    _money,
    _new_movement,
    _post,
    _qty,
    _require,
    _require_any,
    _require_project,
    _shortage,
    _sorted_posts,
    _text,
    _transition,
    fmt,
)

# Distribution's services reserve, dispatch and take back stock for the plans and
# events they manage; any of these permissions reaching the warehouse is enough.
DISTRIBUTION_PERMISSIONS = (
    RECORD,
    "distribution.manage_plan",
    "distribution.close_event",
    "distribution.record_receipt",
)

Post = tuple[Warehouse, Item, Project, Decimal]


def _lines(lines: Any, *, cost: bool = False, direction: bool = False) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for index, line in enumerate(lines or ()):
        field = f"lines.{index}"
        if not isinstance(line, Mapping):
            message = _("Give each line as an item and a quantity.")
            raise ValidationFailed(message, fields={field: [message]})
        row: dict[str, Any] = {
            "item": _item(line.get("item"), f"{field}.item"),
            "quantity": _qty(line.get("quantity"), f"{field}.quantity"),
        }
        if cost:
            row["unit_cost"] = _money(line.get("unit_cost"), f"{field}.unit_cost")
        if direction:
            value: Any = line.get("direction")
            try:
                sign = int(str(value))
            except (TypeError, ValueError):
                sign = 0
            if sign not in (-1, 1):
                message = _("Say whether the stock was lost (−1) or found (+1).")
                raise ValidationFailed(message, fields={f"{field}.direction": [message]})
            row["direction"] = sign
        rows.append(row)
    if not rows:
        message = _("Add at least one line.")
        raise ValidationFailed(message, fields={"lines": [message]})
    return rows


def _locked(movement: Movement, kind: str) -> Movement:
    """The document read again under a row lock: its status is the current one, and a
    second request on the same document waits for this one to finish."""
    fresh = Movement.objects.select_for_update().get(pk=movement.pk)
    if fresh.kind != kind:
        raise ValidationFailed(
            _("%(number)s is a %(kind)s, not a %(expected)s.")
            % {
                "number": fresh.number,
                "kind": fresh.get_kind_display(),
                "expected": Movement.Kind(kind).label,
            }
        )
    return fresh


def _post_all(movement: Movement, posts: Iterable[Post], *, user: Any) -> None:
    for warehouse, item, project, quantity in _sorted_posts(posts):
        _post(
            movement=movement,
            warehouse=warehouse,
            item=item,
            project=project,
            quantity=quantity,
            user=user,
        )


def _movement_project(user: Any, warehouse: Warehouse, project: Project) -> None:
    _require(user, warehouse, RECORD)
    _require_project(user, project, RECORD)
    _active_warehouse(warehouse)


# --- receipts ---------------------------------------------------------------------------------
def receipt_record(
    *,
    user: Any,
    warehouse: Warehouse,
    project: Project,
    date: Any,
    lines: Any,
    supplier: str = "",
    donor: Any = None,
    delivery_note: str = "",
    batch: str = "",
    notes: str = "",
    request_key: str | None = None,
) -> Movement:
    """Goods arriving from a supplier or an in-kind donor, charged to a project:
    posted at once (+ at the warehouse)."""
    _movement_project(user, warehouse, project)
    day, key, rows = _date(date), _key(request_key), _lines(lines, cost=True)

    def write() -> Movement:
        with transaction.atomic():
            movement = _new_movement(
                user=user,
                kind=Movement.Kind.RECEIPT,
                date=day,
                warehouse=warehouse,
                project=project,
                supplier=_text(supplier, 200),
                donor=donor,
                delivery_note=_text(delivery_note, 80),
                batch=_text(batch, 80),
                notes=_text(notes),
                request_key=key,
            )
            MovementLine.objects.bulk_create(
                MovementLine(
                    movement=movement,
                    item=r["item"],
                    project=project,
                    quantity=r["quantity"],
                    unit_cost=r["unit_cost"],
                )
                for r in rows
            )
            _post_all(
                movement,
                ((warehouse, r["item"], project, r["quantity"]) for r in rows),
                user=user,
            )
            _transition(movement, to=Movement.Status.POSTED, user=user)
            return movement

    return _idempotent(key, write)


# --- transfers ---------------------------------------------------------------------------------
def transfer_create(
    *,
    user: Any,
    from_warehouse: Warehouse,
    to_warehouse: Warehouse,
    project: Project,
    date: Any,
    lines: Any,
    notes: str = "",
    request_key: str | None = None,
) -> Movement:
    """A draft transfer: nothing moves until it is dispatched."""
    _movement_project(user, from_warehouse, project)
    _active_warehouse(to_warehouse, "to_warehouse")
    if from_warehouse.pk == to_warehouse.pk:
        message = _("Choose another warehouse to transfer to.")
        raise ValidationFailed(message, fields={"to_warehouse": [message]})
    day, key, rows = _date(date), _key(request_key), _lines(lines)

    def write() -> Movement:
        with transaction.atomic():
            movement = _new_movement(
                user=user,
                kind=Movement.Kind.TRANSFER,
                date=day,
                warehouse=from_warehouse,
                to_warehouse=to_warehouse,
                project=project,
                notes=_text(notes),
                request_key=key,
            )
            MovementLine.objects.bulk_create(
                MovementLine(
                    movement=movement, item=r["item"], project=project, quantity=r["quantity"]
                )
                for r in rows
            )
            return movement

    return _idempotent(key, write)


def transfer_dispatch(*, user: Any, movement: Movement) -> Movement:
    """The truck leaves: − every line at the source warehouse."""
    _require(user, movement.warehouse, RECORD)
    with transaction.atomic():
        movement = _locked(movement, Movement.Kind.TRANSFER)
        _transition(movement, to=Movement.Status.DISPATCHED, user=user)
        _post_all(
            movement,
            (
                (movement.warehouse, line.item, line.project, -line.quantity)
                for line in movement.lines.select_related("item", "project")
            ),
            user=user,
        )
    return movement


def transfer_mark_in_transit(*, user: Any, movement: Movement) -> Movement:
    _require(user, movement.warehouse, RECORD)
    with transaction.atomic():
        movement = _locked(movement, Movement.Kind.TRANSFER)
        _transition(movement, to=Movement.Status.IN_TRANSIT, user=user)
    return movement


def transfer_receive(
    *, user: Any, movement: Movement, received: Mapping[Any, Mapping[str, Any]] | None = None
) -> Movement:
    """The truck arrives: + what arrived at the destination. A line not mentioned
    arrived in full; what did not arrive is recorded as lost and needs a reason (it
    left the source's balance at dispatch and never reaches the destination's)."""
    destination = movement.to_warehouse
    if destination is None:
        raise ValidationFailed(_("This transfer has no destination warehouse."))
    _require(user, destination, RECORD)
    given = {str(k): v for k, v in (received or {}).items()}
    with transaction.atomic():
        movement = _locked(movement, Movement.Kind.TRANSFER)
        lines = list(movement.lines.select_related("item", "project"))
        unknown = set(given) - {str(line.pk) for line in lines}
        if unknown:
            message = _("These lines are not part of the transfer: %(ids)s.") % {
                "ids": ", ".join(sorted(unknown))
            }
            raise ValidationFailed(message, fields={"received": [message]})
        errors: dict[str, list[str]] = {}
        for line in lines:
            answer = given.get(str(line.pk)) or {}
            field = f"received.{line.pk}"
            arrived = (
                _qty(answer.get("received"), f"{field}.received", allow_zero=True)
                if answer.get("received") not in (None, "")
                else line.quantity
            )
            if arrived > line.quantity:
                errors[f"{field}.received"] = [
                    _("At most %(quantity)s were sent.") % {"quantity": fmt(line.quantity)}
                ]
                continue
            line.received = arrived
            line.lost = line.quantity - arrived
            line.loss_reason = _text(answer.get("loss_reason"), 200)
            if line.lost > 0 and not line.loss_reason:
                errors[f"{field}.loss_reason"] = [
                    _("%(lost)s %(unit)s of %(item)s did not arrive: say why.")
                    % {"lost": fmt(line.lost), "unit": line.item.unit, "item": line.item.name}
                ]
        if errors:
            raise ValidationFailed(
                _("Say how much arrived of each line and why anything is missing."),
                fields=errors,
            )
        _transition(movement, to=Movement.Status.RECEIVED, user=user)
        MovementLine.objects.bulk_update(lines, ["received", "lost", "loss_reason"])
        _active_warehouse(destination, "to_warehouse")
        _post_all(
            movement,
            (
                (destination, line.item, line.project, line.received)
                for line in lines
                if line.received
            ),
            user=user,
        )
    return movement


# --- kitting ---------------------------------------------------------------------------------------
def kitting_record(
    *,
    user: Any,
    warehouse: Warehouse,
    kit: Kit,
    quantity: Any,
    project: Project,
    date: Any,
    request_key: str | None = None,
) -> Movement:
    """Assemble kits: − each component × quantity, + quantity kits, with the kit
    version valid on the date. Short of any component, nothing changes."""
    from sanad.stock.selectors import kit_version_on

    _movement_project(user, warehouse, project)
    if not kit.active:
        message = _("The kit %(code)s is no longer active.") % {"code": kit.code}
        raise ValidationFailed(message, fields={"kit": [message]})
    count = _qty(quantity, "quantity", whole=True)
    day, key = _date(date), _key(request_key)
    version = kit_version_on(kit=kit, day=day)
    components = list(version.components.select_related("item"))

    def write() -> Movement:
        with transaction.atomic():
            movement = _new_movement(
                user=user,
                kind=Movement.Kind.KITTING,
                date=day,
                warehouse=warehouse,
                project=project,
                kit_version=version,
                request_key=key,
            )
            used = [(c.item, c.quantity * count) for c in components]
            MovementLine.objects.bulk_create(
                [
                    MovementLine(
                        movement=movement, item=item, project=project, quantity=q, direction=-1
                    )
                    for item, q in used
                ]
                + [MovementLine(movement=movement, item=kit.item, project=project, quantity=count)]
            )
            _post_all(
                movement,
                [(warehouse, item, project, -q) for item, q in used]
                + [(warehouse, kit.item, project, count)],
                user=user,
            )
            _transition(movement, to=Movement.Status.POSTED, user=user)
            return movement

    return _idempotent(key, write)


# --- reservations, dispatches and returns ------------------------------------------------------------
def stock_reserve(
    *,
    user: Any,
    warehouse: Warehouse,
    item: Item,
    project: Project,
    quantity: Any,
    reference_type: str,
    reference_id: Any,
    permissions: Iterable[str] = DISTRIBUTION_PERMISSIONS,
) -> None:
    """Set stock aside for a distribution plan: one conditional UPDATE that succeeds
    only while enough is available (on hand minus reserved), so two plans cannot
    reserve the same kits."""
    _require_any(user, warehouse, permissions)
    asked = _qty(quantity, "quantity")
    changed = StockBalance.objects.filter(
        warehouse=warehouse, item=item, project=project, quantity__gte=F("reserved") + asked
    ).update(reserved=F("reserved") + asked)
    if changed != 1:
        raise _shortage(warehouse=warehouse, item=item, project=project, asked=asked)


def stock_release(
    *,
    user: Any,
    warehouse: Warehouse,
    item: Item,
    project: Project,
    quantity: Any,
    reference_type: str,
    reference_id: Any,
    permissions: Iterable[str] = DISTRIBUTION_PERMISSIONS,
) -> None:
    """Give back what a plan had set aside (cancelled, or closed with kits left)."""
    _require_any(user, warehouse, permissions)
    asked = _qty(quantity, "quantity")
    changed = StockBalance.objects.filter(
        warehouse=warehouse, item=item, project=project, reserved__gte=asked
    ).update(reserved=F("reserved") - asked)
    if changed != 1:
        raise _shortage(warehouse=warehouse, item=item, project=project, asked=asked, reserved=True)


def _distribution_movement(
    *,
    user: Any,
    kind: str,
    warehouse: Warehouse,
    item: Item,
    project: Project,
    quantity: Decimal,
    reference_type: str,
    reference_id: Any,
    date: datetime.date,
    request_key: str | None,
    from_reserved: bool = False,
) -> Movement:
    def write() -> Movement:
        with transaction.atomic():
            movement = _new_movement(
                user=user,
                kind=kind,
                date=date,
                warehouse=warehouse,
                project=project,
                reference_type=_text(reference_type, 60),
                reference_id=_text(reference_id, 64),
                request_key=request_key,
            )
            MovementLine.objects.create(
                movement=movement,
                item=item,
                project=project,
                quantity=quantity,
                direction=-1 if kind == Movement.Kind.DISPATCH else 1,
            )
            _post(
                movement=movement,
                warehouse=warehouse,
                item=item,
                project=project,
                quantity=-quantity if kind == Movement.Kind.DISPATCH else quantity,
                user=user,
                from_reserved=from_reserved,
            )
            _transition(movement, to=Movement.Status.POSTED, user=user)
            return movement

    return _idempotent(request_key, write)


def dispatch_to_distribution(
    *,
    user: Any,
    warehouse: Warehouse,
    item: Item,
    project: Project,
    quantity: Any,
    reference_type: str,
    reference_id: Any,
    date: Any,
    from_reservation: bool = True,
    request_key: str | None = None,
    permissions: Iterable[str] = DISTRIBUTION_PERMISSIONS,
) -> Movement:
    """Kits leave for a distribution event: − at the warehouse, consuming the plan's
    reservation (or, without one, only what is not reserved for anyone else)."""
    _require_any(user, warehouse, permissions)
    return _distribution_movement(
        user=user,
        kind=Movement.Kind.DISPATCH,
        warehouse=warehouse,
        item=item,
        project=project,
        quantity=_qty(quantity, "quantity"),
        reference_type=reference_type,
        reference_id=reference_id,
        date=_date(date),
        request_key=_key(request_key),
        from_reserved=from_reservation,
    )


def return_from_distribution(
    *,
    user: Any,
    warehouse: Warehouse,
    item: Item,
    project: Project,
    quantity: Any,
    reference_type: str,
    reference_id: Any,
    date: Any,
    request_key: str | None = None,
    permissions: Iterable[str] = DISTRIBUTION_PERMISSIONS,
) -> Movement:
    """Kits not handed out come back to the warehouse (+), free for other plans."""
    _require_any(user, warehouse, permissions)
    return _distribution_movement(
        user=user,
        kind=Movement.Kind.RETURN,
        warehouse=warehouse,
        item=item,
        project=project,
        quantity=_qty(quantity, "quantity"),
        reference_type=reference_type,
        reference_id=reference_id,
        date=_date(date),
        request_key=_key(request_key),
    )


# --- adjustments and counts ------------------------------------------------------------------------
ADJUSTMENT_REASONS = [r for r in Movement.Reason.values if r != Movement.Reason.COUNT]


def adjustment_request(
    *,
    user: Any,
    warehouse: Warehouse,
    project: Project,
    date: Any,
    reason: str,
    lines: Any,
    notes: str = "",
    request_key: str | None = None,
) -> Movement:
    """Ask for stock found (+1) or lost, damaged, expired or stolen (−1) to be booked;
    nothing moves until another person approves."""
    _movement_project(user, warehouse, project)
    if reason not in ADJUSTMENT_REASONS:
        message = _("Choose the reason: loss, damage, expiry, theft, found or correction.")
        raise ValidationFailed(message, fields={"reason": [message]})
    day, key, rows = _date(date), _key(request_key), _lines(lines, direction=True)

    def write() -> Movement:
        with transaction.atomic():
            movement = _new_movement(
                user=user,
                kind=Movement.Kind.ADJUSTMENT,
                date=day,
                warehouse=warehouse,
                project=project,
                reason=reason,
                notes=_text(notes),
                request_key=key,
            )
            MovementLine.objects.bulk_create(
                MovementLine(
                    movement=movement,
                    item=r["item"],
                    project=project,
                    quantity=r["quantity"],
                    direction=r["direction"],
                )
                for r in rows
            )
            _transition(movement, to=Movement.Status.REQUESTED, user=user)
            return movement

    return _idempotent(key, write)


def _second_person(user: Any, movement: Movement) -> None:
    if movement.created_by_id is not None and movement.created_by_id == getattr(user, "pk", None):
        raise PermissionDenied(
            _("Another person must decide on %(number)s: you recorded it.")
            % {"number": movement.number},
            code="same_person",
        )


def _approve(*, user: Any, movement: Movement, kind: str) -> Movement:
    _require(user, movement.warehouse, APPROVE)
    with transaction.atomic():
        movement = _locked(movement, kind)
        _second_person(user, movement)
        _transition(
            movement,
            to=Movement.Status.POSTED,
            user=user,
            approved_by=user,
            approved_at=timezone.now(),
        )
        _post_all(
            movement,
            (
                (movement.warehouse, line.item, line.project, line.quantity * line.direction)
                for line in movement.lines.select_related("item", "project")
                if line.quantity
            ),
            user=user,
        )
    return movement


def _reject(*, user: Any, movement: Movement, kind: str, reason: str) -> Movement:
    _require(user, movement.warehouse, APPROVE)
    with transaction.atomic():
        movement = _locked(movement, kind)
        _second_person(user, movement)
        _transition(
            movement,
            to=Movement.Status.REJECTED,
            user=user,
            reason=_text(reason),
            approved_by=user,
            approved_at=timezone.now(),
        )
    return movement


def adjustment_approve(*, user: Any, movement: Movement) -> Movement:
    """Book an adjustment someone else requested (two-person rule)."""
    return _approve(user=user, movement=movement, kind=Movement.Kind.ADJUSTMENT)


def adjustment_reject(*, user: Any, movement: Movement, reason: str) -> Movement:
    return _reject(user=user, movement=movement, kind=Movement.Kind.ADJUSTMENT, reason=reason)


def count_record(
    *,
    user: Any,
    warehouse: Warehouse,
    date: Any,
    lines: Any,
    notes: str = "",
    request_key: str | None = None,
) -> Movement:
    """A physical count: for each item × project, what was counted against the book
    balance at this moment. Approval (by another person) posts counted − expected;
    stock moved in between keeps its own entries, so only the difference found by the
    count is booked."""
    _require(user, warehouse, RECORD)
    _active_warehouse(warehouse)
    day = _date(date)
    rows: list[tuple[Item, Project, Decimal]] = []
    seen: set[tuple[int, int]] = set()
    for index, line in enumerate(lines or ()):
        field = f"lines.{index}"
        if not isinstance(line, Mapping):
            message = _("Give each line as an item, a project and what was counted.")
            raise ValidationFailed(message, fields={field: [message]})
        item = _item(line.get("item"), f"{field}.item")
        project = line.get("project")
        if not isinstance(project, Project):
            message = _("Choose the project the counted stock belongs to.")
            raise ValidationFailed(message, fields={f"{field}.project": [message]})
        _require_project(user, project, RECORD)
        if (item.pk, project.pk) in seen:
            message = _("%(code)s is counted twice for the same project.") % {"code": item.code}
            raise ValidationFailed(message, fields={field: [message]})
        seen.add((item.pk, project.pk))
        rows.append((item, project, _qty(line.get("counted"), f"{field}.counted", allow_zero=True)))
    if not rows:
        message = _("Add at least one line.")
        raise ValidationFailed(message, fields={"lines": [message]})
    return _idempotent(
        _key(request_key), lambda: _count_write(user, warehouse, day, rows, notes, request_key)
    )


def _count_write(
    user: Any,
    warehouse: Warehouse,
    day: Any,
    rows: list[tuple[Item, Project, Decimal]],
    notes: str,
    request_key: str | None,
) -> Movement:
    with transaction.atomic():
        movement = _new_movement(
            user=user,
            kind=Movement.Kind.COUNT,
            date=day,
            warehouse=warehouse,
            reason=Movement.Reason.COUNT,
            notes=_text(notes),
            request_key=_key(request_key),
        )
        books = {
            (b["item_id"], b["project_id"]): b["quantity"]
            for b in StockBalance.objects.filter(
                warehouse=warehouse, item__in=[r[0] for r in rows]
            ).values("item_id", "project_id", "quantity")
        }
        new_lines = []
        for item, project, counted in rows:
            expected = books.get((item.pk, project.pk), Decimal(0))
            difference = counted - expected
            new_lines.append(
                MovementLine(
                    movement=movement,
                    item=item,
                    project=project,
                    counted=counted,
                    expected=expected,
                    quantity=abs(difference),
                    direction=1 if difference >= 0 else -1,
                )
            )
        MovementLine.objects.bulk_create(new_lines)
        _transition(movement, to=Movement.Status.REQUESTED, user=user)
    return movement


def count_approve(*, user: Any, movement: Movement) -> Movement:
    """Post the differences of a count someone else recorded."""
    return _approve(user=user, movement=movement, kind=Movement.Kind.COUNT)


def count_reject(*, user: Any, movement: Movement, reason: str) -> Movement:
    return _reject(user=user, movement=movement, kind=Movement.Kind.COUNT, reason=reason)


def movement_cancel(*, user: Any, movement: Movement, reason: str) -> Movement:
    """Withdraw a draft transfer or a request awaiting approval (nothing was posted)."""
    _require(user, movement.warehouse, RECORD)
    with transaction.atomic():
        fresh = Movement.objects.select_for_update().get(pk=movement.pk)
        if fresh.status not in (Movement.Status.DRAFT, Movement.Status.REQUESTED):
            raise Conflict(
                _("%(number)s has moved stock already and cannot be cancelled.")
                % {"number": fresh.number},
                code="not_cancellable",
            )
        _transition(fresh, to=Movement.Status.CANCELLED, user=user, reason=_text(reason))
    return fresh
