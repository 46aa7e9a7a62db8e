"""Fraud signals: patterns in redemptions someone should look at.

They are checked after a redemption commits (`transaction.on_commit`), so a check can
never undo a sale, from what the sale holds in memory and in one query in the common
case (`check_new_redemption`), so they cost the sale little; and they only flag: a person reviews each one
(`signal_review`) and decides. Each check is idempotent (running it twice for one
redemption records nothing more), and a burst or a household at many vendors is
flagged once per window, not once per redemption inside it.

- burst: at least SANAD_CASH_BURST_COUNT redemptions at the vendor within
  SANAD_CASH_BURST_MINUTES minutes (a cashier running codes through a till).
- out_of_hours: outside the vendor's opening hours or days (Baghdad time).
- many_vendors: one household's vouchers redeemed at 3 or more vendors within 7 days.
- price_above_contract: a unit price above the vendor's contracted price that day.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.cash.models import (
    APPROVE_PAYMENT,
    MANAGE_VENDOR,
    RECONCILE,
    Entitlement,
    Redemption,
    RedemptionLine,
    Signal,
    Vendor,
    Voucher,
)
from sanad.cash.services._common import require_any, text
from sanad.core.errors import Conflict

MANY_VENDORS = 3
MANY_VENDORS_DAYS = 7
REVIEW_PERMISSIONS = (MANAGE_VENDOR, RECONCILE, APPROVE_PAYMENT)


def _burst_settings() -> tuple[int, int]:
    count_needed = max(1, int(getattr(settings, "SANAD_CASH_BURST_COUNT", 10)))
    minutes = int(getattr(settings, "SANAD_CASH_BURST_MINUTES", 5))
    return count_needed, minutes


def _windows(redemption: Redemption, household_id: int) -> dict[str, Any]:
    """What the burst and many-vendors checks need, in one query: whether the vendor's
    redemptions in the burst window reach the threshold (an EXISTS on the Nth row, not
    a count of them all; the index on (vendor, redeemed_at) serves it) and whether that
    burst is already flagged; how many vendors the household's vouchers were redeemed
    at in the last MANY_VENDORS_DAYS and whether that is already flagged.

    Written in SQL (portable: PostgreSQL and SQLite): the same four subqueries built
    with the ORM cost several times the query itself in Python, on every sale."""
    count_needed, minutes = _burst_settings()
    at = redemption.redeemed_at
    since = at - datetime.timedelta(minutes=minutes)
    week = at - datetime.timedelta(days=MANY_VENDORS_DAYS)
    q = connection.ops.quote_name
    r, s = q(Redemption._meta.db_table), q(Signal._meta.db_table)
    v, e = q(Voucher._meta.db_table), q(Entitlement._meta.db_table)
    sql = (  # table names from the models, values as parameters
        f"SELECT EXISTS(SELECT 1 FROM {r} WHERE vendor_id = %s AND redeemed_at > %s"  # noqa: S608
        " AND redeemed_at <= %s LIMIT 1 OFFSET %s),"
        f" EXISTS(SELECT 1 FROM {s} INNER JOIN {r} ON {r}.id = {s}.redemption_id"
        f" WHERE {s}.kind = %s AND {s}.vendor_id = %s AND {r}.redeemed_at > %s),"
        f" (SELECT COUNT(DISTINCT {r}.vendor_id) FROM {r}"
        f" INNER JOIN {v} ON {v}.id = {r}.voucher_id INNER JOIN {e} ON {e}.id = {v}.entitlement_id"
        f" WHERE {e}.household_id = %s AND {r}.redeemed_at > %s AND {r}.redeemed_at <= %s),"
        f" EXISTS(SELECT 1 FROM {s} WHERE kind = %s AND household_id = %s AND created_at > %s)"
    )
    moment = connection.ops.adapt_datetimefield_value
    params = [
        redemption.vendor_id,
        moment(since),
        moment(at),
        count_needed - 1,
        str(Signal.Kind.BURST),
        redemption.vendor_id,
        moment(since),
        household_id,
        moment(week),
        moment(at),
        str(Signal.Kind.MANY_VENDORS),
        household_id,
        moment(week),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return {
        "burst_reached": bool(row[0]),
        "burst_flagged": bool(row[1]),
        "vendors": int(row[2] or 0),
        "vendors_flagged": bool(row[3]),
    }


def _burst(redemption: Redemption, window: dict[str, Any]) -> Signal | None:
    if not window.get("burst_reached") or window.get("burst_flagged"):
        return None  # under the threshold, or this burst is already flagged
    count_needed, minutes = _burst_settings()
    since = redemption.redeemed_at - datetime.timedelta(minutes=minutes)
    count = Redemption.objects.filter(
        vendor_id=redemption.vendor_id,
        redeemed_at__gt=since,
        redeemed_at__lte=redemption.redeemed_at,
    ).count()
    return Signal(
        kind=Signal.Kind.BURST,
        vendor_id=redemption.vendor_id,
        redemption=redemption,
        details={"count": count, "minutes": minutes, "threshold": count_needed},
    )


def _is_open(vendor: Vendor, moment: datetime.datetime) -> bool:
    local = timezone.localtime(moment)
    days = [int(d) for d in (vendor.open_days or [])]
    opens, closes = vendor.opens_at, vendor.closes_at
    day = local.weekday()
    clock = local.time()
    if opens is None or closes is None:
        return not days or day in days
    if opens <= closes:
        return (not days or day in days) and opens <= clock < closes
    # Open past midnight (such as 18:00 to 02:00): after midnight belongs to the day before.
    if clock >= opens:
        return not days or day in days
    if clock < closes:
        return not days or (day - 1) % 7 in days
    return False


def _out_of_hours(redemption: Redemption, vendor: Vendor) -> Signal | None:
    if vendor.opens_at is None and not vendor.open_days:
        return None
    if _is_open(vendor, redemption.redeemed_at):
        return None
    local = timezone.localtime(redemption.redeemed_at)
    return Signal(
        kind=Signal.Kind.OUT_OF_HOURS,
        vendor=vendor,
        redemption=redemption,
        details={
            "at": local.isoformat(timespec="minutes"),
            "weekday": local.weekday(),
            "opens_at": vendor.opens_at.strftime("%H:%M") if vendor.opens_at else None,
            "closes_at": vendor.closes_at.strftime("%H:%M") if vendor.closes_at else None,
            "open_days": list(vendor.open_days or []),
        },
    )


def _many_vendors(
    redemption: Redemption, household_id: int, window: dict[str, Any]
) -> Signal | None:
    if (window.get("vendors") or 0) < MANY_VENDORS or window.get("vendors_flagged"):
        return None
    since = redemption.redeemed_at - datetime.timedelta(days=MANY_VENDORS_DAYS)
    vendors = sorted(
        set(
            Redemption.objects.filter(
                voucher__entitlement__household_id=household_id,
                redeemed_at__gt=since,
                redeemed_at__lte=redemption.redeemed_at,
            ).values_list("vendor_id", flat=True)
        )
    )
    if len(vendors) < MANY_VENDORS:
        return None
    codes = dict(Vendor.objects.filter(pk__in=vendors).values_list("pk", "code"))
    return Signal(
        kind=Signal.Kind.MANY_VENDORS,
        vendor_id=redemption.vendor_id,
        redemption=redemption,
        household_id=household_id,
        details={"vendors": [codes.get(v) for v in vendors], "days": MANY_VENDORS_DAYS},
    )


def _price_above_contract(redemption: Redemption, lines: Iterable[RedemptionLine]) -> Signal | None:
    above = [
        {
            "item": line.item.code,
            "unit_price": str(line.unit_price),
            "contracted_price": str(line.contracted_price),
        }
        for line in lines
        if line.contracted_price is not None
        and Decimal(line.unit_price) > Decimal(line.contracted_price)
    ]
    if not above:
        return None
    return Signal(
        kind=Signal.Kind.PRICE_ABOVE_CONTRACT,
        vendor_id=redemption.vendor_id,
        redemption=redemption,
        details={"lines": above, "currency": redemption.currency},
    )


def _check(
    redemption: Redemption,
    *,
    vendor: Vendor,
    household_id: int,
    lines: Callable[[], Iterable[RedemptionLine]],
    already: set[str],
) -> list[Signal]:
    window = _windows(redemption, household_id)
    found = [
        signal
        for kind, check in (
            (Signal.Kind.BURST, lambda: _burst(redemption, window)),
            (Signal.Kind.OUT_OF_HOURS, lambda: _out_of_hours(redemption, vendor)),
            (Signal.Kind.MANY_VENDORS, lambda: _many_vendors(redemption, household_id, window)),
            (Signal.Kind.PRICE_ABOVE_CONTRACT, lambda: _price_above_contract(redemption, lines())),
        )
        if kind not in already
        for signal in [check()]
        if signal is not None
    ]
    if found:
        with transaction.atomic():
            Signal.objects.bulk_create(found)
    return found


def check_redemption(*, redemption: Redemption | int) -> list[Signal]:
    """Run every check on one redemption and record what it finds. Returns the new
    signals."""
    pk = redemption.pk if isinstance(redemption, Redemption) else int(redemption)
    current = (
        Redemption.objects.select_related("vendor", "voucher__entitlement").filter(pk=pk).first()
    )
    if current is None:
        return []
    already = set(Signal.objects.filter(redemption=current).values_list("kind", flat=True))
    return _check(
        current,
        vendor=current.vendor,
        household_id=current.voucher.entitlement.household_id,
        lines=lambda: current.lines.select_related("item"),
        already=already,
    )


def check_new_redemption(
    *,
    redemption: Redemption,
    vendor: Vendor,
    household_id: int,
    lines: list[RedemptionLine],
) -> list[Signal]:
    """`check_redemption` for a redemption just committed, from what its sale holds in
    memory (the redemption, its vendor, household and lines, each line with its item):
    nothing is read again, and no signal can name it yet. One query in the common case
    (see `_windows`), more only when something is flagged."""
    return _check(
        redemption, vendor=vendor, household_id=household_id, lines=lambda: lines, already=set()
    )


def signal_review(*, user: Any, signal: Signal, note: str) -> Signal:
    """Close a signal with what the reviewer found (a note is required)."""
    require_any(user, signal, REVIEW_PERMISSIONS)
    note = text(note, "note", limit=300, required=True)
    now = timezone.now()
    changed = Signal.objects.filter(pk=signal.pk, reviewed_at__isnull=True).update(
        reviewed_by=user if getattr(user, "pk", None) else None,
        reviewed_at=now,
        review_note=note,
    )
    signal.refresh_from_db()
    if not changed:
        raise Conflict(
            _("This signal was already reviewed by %(user)s.")
            % {"user": signal.reviewed_by or _("someone")},
            code="already_reviewed",
        )
    return signal
