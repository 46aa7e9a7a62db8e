"""Reads of cash: what a user may see of plans, entitlements, vouchers, vendors,
redemptions, payment requests and lists, and fraud signals (all through
`core.scoping.scoped`); the vendor a cashier works for; contracted prices; and what a
cashier may learn of a voucher (its balance and what it buys — nothing about the
family)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.cash.models import (
    REDEEM,
    VIEW,
    CashPlan,
    Entitlement,
    FspTemplate,
    Payment,
    PaymentList,
    PaymentRequest,
    PlannedAmount,
    Redemption,
    RedemptionLine,
    Signal,
    Vendor,
    VendorPrice,
    VendorStaff,
    Voucher,
)
from sanad.core.errors import NotFound, PermissionDenied
from sanad.core.scoping import has_permission, scoped
from sanad.registry.models import Household
from sanad.stock.models import Item


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def _get(qs: QuerySet[Any], public_id: Any) -> Any:
    key = _uuid(public_id)
    obj = qs.filter(public_id=key).first() if key else None
    if obj is None:
        raise NotFound()
    return obj


# --- vendors ---------------------------------------------------------------------------------
def vendors_visible_to(user: Any, permission: str = VIEW) -> QuerySet[Vendor]:
    return scoped(Vendor.objects.select_related("admin_unit", "organisation"), user, permission)


def vendor_get(*, user: Any, public_id: Any, permission: str = VIEW) -> Vendor:
    return _get(vendors_visible_to(user, permission), public_id)


def vendor_of(user: Any) -> Vendor | None:
    """The vendor the user is an active cashier of (None for everyone else)."""
    if not getattr(user, "pk", None) or not getattr(user, "is_active", False):
        return None
    staff = (
        VendorStaff.objects.select_related("vendor").filter(user_id=user.pk, active=True).first()
    )
    return staff.vendor if staff else None


def voucher_for_redemption(code: str) -> Voucher | None:
    """The voucher of this (normalised) code with what a sale needs, in one query: its
    entitlement, plan, programme and project. (Not the household: seven joined tables
    cost PostgreSQL about 1.7 ms to plan, five about 0.5; the sale reads the household
    with `household_for_ledger` once every check has passed.)"""
    if not code:
        return None
    return (
        Voucher.objects.select_related("entitlement__plan__programme", "entitlement__plan__project")
        .filter(code=code)
        .first()
    )


def household_for_ledger(pk: int) -> Household:
    """The household of a sale with its admin unit (where the ledger line is recorded)."""
    return Household.objects.select_related("admin_unit").get(pk=pk)


def plan_allows_vendor(plan_id: int, vendor: Vendor) -> bool:
    """Whether the plan lets `vendor` redeem its vouchers: it names no vendors, or names
    this one (one small query on the plan's list; cheaper for the ORM to build than an
    EXISTS annotation on the voucher's query)."""
    named = CashPlan.allowed_vendors.through.objects.filter(cashplan_id=plan_id).values_list(
        "vendor_id", flat=True
    )
    allowed = set(named)
    return not allowed or vendor.pk in allowed


def vendor_staff(vendor: Vendor) -> QuerySet[VendorStaff]:
    return (
        VendorStaff.objects.filter(vendor=vendor)
        .select_related("user")
        .order_by("-active", "user__username")
    )


def price_on(*, vendor: Vendor, item: Item, day: datetime.date) -> VendorPrice | None:
    """The vendor's contracted price of the item on `day`: the latest that started on
    or before it."""
    return (
        VendorPrice.objects.filter(vendor=vendor, item=item, valid_from__lte=day)
        .order_by("-valid_from")
        .first()
    )


def prices_on(
    *, vendor: Vendor, day: datetime.date, items: Iterable[Item] | None = None
) -> dict[int, VendorPrice]:
    """Item pk → the contracted price on `day`, for every item (or those given) in one
    query."""
    rows = VendorPrice.objects.filter(vendor=vendor, valid_from__lte=day).select_related("item")
    if items is not None:
        rows = rows.filter(item__in=[i.pk for i in items])
    result: dict[int, VendorPrice] = {}
    for row in rows.order_by("item_id", "-valid_from"):
        result.setdefault(row.item_id, row)
    return result


def with_contract_price(
    items: QuerySet[Item], *, vendor: Vendor, day: datetime.date
) -> QuerySet[Item]:
    """`items`, each annotated with the vendor's contracted price on `day`
    (`contract_price`, `contract_currency`; None without a contract): the latest that
    started on or before it, read in the same query as the items."""
    latest = VendorPrice.objects.filter(
        vendor_id=vendor.pk, item_id=OuterRef("pk"), valid_from__lte=day
    ).order_by("-valid_from")
    return items.annotate(
        contract_price=Subquery(latest.values("unit_price")[:1]),
        contract_currency=Subquery(latest.values("currency")[:1]),
    )


def price_list(vendor: Vendor) -> QuerySet[VendorPrice]:
    """Every price of the vendor, newest first per item (the history of the contract)."""
    return (
        VendorPrice.objects.filter(vendor=vendor)
        .select_related("item")
        .order_by("item__code", "-valid_from")
    )


# --- plans, entitlements, vouchers -------------------------------------------------------------
def plans_visible_to(user: Any, permission: str = VIEW) -> QuerySet[CashPlan]:
    return scoped(
        CashPlan.objects.select_related(
            "programme", "project", "beneficiary_list", "created_by", "approved_by"
        ),
        user,
        permission,
    )


def plan_get(*, user: Any, public_id: Any, permission: str = VIEW) -> CashPlan:
    return _get(plans_visible_to(user, permission), public_id)


def plan_totals(plan: CashPlan) -> dict[str, Any]:
    """Entitlements by status with their amounts, vouchers issued, value redeemed and
    balance left: the figures on the plan's page (a few aggregate queries)."""
    by_status = {
        row["status"]: row
        for row in Entitlement.objects.filter(plan=plan)
        .values("status")
        .annotate(n=Count("id"), total=Sum("amount"))
    }
    vouchers = Voucher.objects.filter(entitlement__plan=plan).aggregate(
        issued=Count("id", filter=~Q(status=Voucher.Status.CANCELLED)),
        balance=Sum("balance", filter=Q(status=Voucher.Status.ACTIVE)),
    )
    redeemed = Redemption.objects.filter(voucher__entitlement__plan=plan).aggregate(
        n=Count("id"), total=Sum("amount")
    )
    return {
        "entitlements": sum(r["n"] for r in by_status.values()),
        "by_status": {k: {"count": v["n"], "total": v["total"]} for k, v in by_status.items()},
        "entitled": sum((r["total"] for r in by_status.values() if r["status"] != "cancelled"), 0),
        "vouchers_issued": vouchers["issued"] or 0,
        "balance_left": vouchers["balance"] or 0,
        "redemptions": redeemed["n"] or 0,
        "redeemed": redeemed["total"] or 0,
    }


def plan_planned(plan: CashPlan) -> dict[str, Any] | None:
    """How many households a plan of amounts set per household has, and the sum of their
    amounts (None for a plan of a beneficiary list)."""
    if plan.amount_kind != CashPlan.AmountKind.PER_HOUSEHOLD:
        return None
    totals = PlannedAmount.objects.filter(plan=plan).aggregate(n=Count("id"), total=Sum("amount"))
    return {"count": totals["n"] or 0, "total": totals["total"] or 0}


def entitlements_visible_to(user: Any, permission: str = VIEW) -> QuerySet[Entitlement]:
    return scoped(
        Entitlement.objects.select_related("plan", "household", "condition_met_by"),
        user,
        permission,
    )


def entitlement_get(*, user: Any, public_id: Any, permission: str = VIEW) -> Entitlement:
    return _get(entitlements_visible_to(user, permission), public_id)


def vouchers_visible_to(user: Any, permission: str = VIEW) -> QuerySet[Voucher]:
    return scoped(
        Voucher.objects.select_related("entitlement__plan", "entitlement__household", "replaces"),
        user,
        permission,
    )


def voucher_get(*, user: Any, public_id: Any, permission: str = VIEW) -> Voucher:
    return _get(vouchers_visible_to(user, permission), public_id)


def voucher_history(voucher: Voucher) -> QuerySet[Any]:
    """Who cancelled the voucher, when and why."""
    from sanad.cash.services.vouchers import VOUCHER_STATUS

    return VOUCHER_STATUS.history(voucher)


def household_vouchers(*, user: Any, household: Household) -> QuerySet[Voucher]:
    """The household's vouchers the user may see, newest first, each with its
    redemptions (vendor, lines and items): "the voucher and what it bought"."""
    return (
        vouchers_visible_to(user)
        .filter(entitlement__household=household)
        .prefetch_related(
            Prefetch(
                "redemptions",
                queryset=Redemption.objects.select_related("vendor")
                .prefetch_related(
                    Prefetch("lines", queryset=RedemptionLine.objects.select_related("item"))
                )
                .order_by("redeemed_at"),
            )
        )
        .order_by("-created_at")
    )


# --- what a cashier sees -----------------------------------------------------------------------
def voucher_for_cashier(*, user: Any, code: str) -> dict[str, Any]:
    """What the cashier at the counter needs before a sale: balance, currency, status,
    expiry, whether a PIN is needed, and the items it buys at this shop with their
    contracted prices. Nothing about the household. The same refusals as a sale:
    voucher_not_found, wrong_vendor (the answers `voucher_redeem` would give)."""
    from sanad.cash.services._common import code_display, code_normalise

    if not has_permission(user, REDEEM):
        raise PermissionDenied()
    vendor = vendor_of(user)
    if vendor is None:
        raise PermissionDenied(code="not_vendor_staff")
    normalised = code_normalise(code)
    voucher = (
        Voucher.objects.select_related("entitlement__plan").filter(code=normalised).first()
        if normalised
        else None
    )
    if voucher is None:
        raise NotFound(code="voucher_not_found")
    plan = voucher.entitlement.plan
    allowed_vendors = set(plan.allowed_vendors.values_list("pk", flat=True))
    if allowed_vendors and vendor.pk not in allowed_vendors:
        raise PermissionDenied(
            _(
                "This voucher cannot be used at %(vendor)s: the family should go to one of the shops of its programme."
            )
            % {"vendor": vendor.name},
            code="wrong_vendor",
        )
    today = timezone.localdate()
    status = voucher.status
    if status == Voucher.Status.ACTIVE and voucher.expires_on < today:
        status = Voucher.Status.EXPIRED
    categories = list(plan.allowed_categories or [])
    prices = prices_on(vendor=vendor, day=today)
    items = [
        {
            "code": price.item.code,
            "name": price.item.name,
            "unit": price.item.unit,
            "category": price.item.category,
            "unit_price": price.unit_price,
            "currency": price.currency,
        }
        for price in sorted(prices.values(), key=lambda p: p.item.code)
        if price.item.active and (not categories or price.item.category in categories)
    ]
    return {
        "code": code_display(voucher.code),
        "balance": voucher.balance,
        "amount": voucher.amount,
        "currency": voucher.currency,
        "status": status,
        "usable": status == Voucher.Status.ACTIVE and voucher.balance > 0,
        "expires_on": voucher.expires_on,
        "allowed_categories": categories,
        "require_pin": bool(voucher.pin_hash),
        "items": items,
        "vendor": vendor.name,
    }


# --- redemptions, signals ------------------------------------------------------------------------
def redemptions_visible_to(user: Any, permission: str = VIEW) -> QuerySet[Redemption]:
    return scoped(
        Redemption.objects.select_related(
            "vendor", "voucher__entitlement__plan", "voucher__entitlement__household"
        ),
        user,
        permission,
    )


def redemption_get(*, user: Any, public_id: Any, permission: str = VIEW) -> Redemption:
    return _get(
        redemptions_visible_to(user, permission).prefetch_related(
            Prefetch("lines", queryset=RedemptionLine.objects.select_related("item"))
        ),
        public_id,
    )


def vendor_redemptions(user: Any) -> QuerySet[Redemption]:
    """A cashier's own shop's redemptions (its page "my sales"); nothing for anyone
    who is not an active cashier."""
    vendor = vendor_of(user)
    if vendor is None or not has_permission(user, REDEEM):
        return Redemption.objects.none()
    return (
        Redemption.objects.filter(vendor=vendor)
        .select_related("voucher", "created_by")
        .prefetch_related(Prefetch("lines", queryset=RedemptionLine.objects.select_related("item")))
        .order_by("-redeemed_at")
    )


def signals_visible_to(user: Any, permission: str = VIEW) -> QuerySet[Signal]:
    return scoped(
        Signal.objects.select_related("vendor", "redemption", "household", "reviewed_by"),
        user,
        permission,
    )


def signal_get(*, user: Any, pk: Any, permission: str = VIEW) -> Signal:
    """Signals have no public id: looked up by id inside what the user may see."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    signal = signals_visible_to(user, permission).filter(pk=key).first()
    if signal is None:
        raise NotFound()
    return signal


# --- reconciliation and transfers ----------------------------------------------------------------
def payment_requests_visible_to(user: Any, permission: str = VIEW) -> QuerySet[PaymentRequest]:
    return scoped(
        PaymentRequest.objects.select_related(
            "vendor", "submitted_by", "approved_by", "created_by"
        ),
        user,
        permission,
    )


def payment_request_get(*, user: Any, public_id: Any, permission: str = VIEW) -> PaymentRequest:
    return _get(payment_requests_visible_to(user, permission), public_id)


def fsp_templates_visible_to(user: Any, permission: str = VIEW) -> QuerySet[FspTemplate]:
    return scoped(FspTemplate.objects.all(), user, permission)


def fsp_template_get(*, user: Any, public_id: Any, permission: str = VIEW) -> FspTemplate:
    return _get(fsp_templates_visible_to(user, permission), public_id)


def payment_lists_visible_to(user: Any, permission: str = VIEW) -> QuerySet[PaymentList]:
    return scoped(
        PaymentList.objects.select_related("plan", "template", "follow_up_of"), user, permission
    )


def payment_list_get(*, user: Any, public_id: Any, permission: str = VIEW) -> PaymentList:
    return _get(payment_lists_visible_to(user, permission), public_id)


def payments_visible_to(user: Any, permission: str = VIEW) -> QuerySet[Payment]:
    return scoped(
        Payment.objects.select_related("payment_list", "entitlement__household"),
        user,
        permission,
    )
