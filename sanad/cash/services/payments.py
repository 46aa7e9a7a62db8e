"""Reconciliation: a vendor's redemptions over a period become a payment request,
submitted, approved by someone other than the requester, then paid.

draft → submitted → approved → paid, or rejected (from draft or submitted). A rejected
request frees its redemptions: they go into the next request for that vendor.

Why a redemption cannot be in two live requests: `Redemption.payment_request` is one
column. A request takes its redemptions with one conditional UPDATE
(`payment_request IS NULL`), the vendor's row locked meanwhile, so two requests made at
the same moment cannot share a redemption; rejecting sets the column back to NULL.

What the reconciliation checks (the `discrepancies` of the request, each a code and
its figures, shown in the reader's language by `discrepancy_message`):

- claim_differs: the amount the vendor claims is not the total of its redemptions;
- open_signal: a redemption has a fraud signal nobody has reviewed yet;
- price_above_contract: a line was sold above the vendor's contracted price.

The redemptions already wrote the assistance ledger (kind "voucher"): paying the
vendor writes nothing more there.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sanad.cash.models import (
    APPROVE_PAYMENT,
    RECONCILE,
    PaymentRequest,
    Redemption,
    RedemptionLine,
    Signal,
    Vendor,
)
from sanad.cash.services._common import (
    actor,
    fmt_money,
    money,
    require,
    require_any,
    text,
    today,
)
from sanad.cash.services._common import currency as clean_currency
from sanad.core.errors import Conflict, PermissionDenied, ValidationFailed

NUMBER_PREFIX = "PAY"
MAX_REASON = 2000
MAX_PERIOD_DAYS = 366

CLAIM_DIFFERS = "claim_differs"
OPEN_SIGNAL = "open_signal"
PRICE_ABOVE_CONTRACT = "price_above_contract"

STATUS = PaymentRequest.Status
LIVE = (STATUS.DRAFT, STATUS.SUBMITTED, STATUS.APPROVED, STATUS.PAID)


# --- reads ---------------------------------------------------------------------------------
def period_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, ...]:
    """The period as moments: from the first day's midnight to the midnight after the
    last day, in the deployment's time zone (Baghdad), where vendors' days are."""
    zone = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min), zone)
    until = timezone.make_aware(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min), zone
    )
    return since, until


def unreconciled(
    *, vendor: Vendor, period_start: datetime.date, period_end: datetime.date, currency: str
) -> Any:
    """The vendor's redemptions in the period (and currency) in no live request."""
    since, until = period_bounds(period_start, period_end)
    return Redemption.objects.filter(
        vendor=vendor,
        currency=currency,
        redeemed_at__gte=since,
        redeemed_at__lt=until,
        payment_request__isnull=True,
    )


def reconciliation_preview(
    *,
    vendor: Vendor,
    period_start: datetime.date,
    period_end: datetime.date,
    currency: str,
    vendor_claimed: Decimal | None = None,
) -> dict[str, Any]:
    """What a request made now would hold: count, total, and the difference from the
    vendor's claim (for the page, before saving)."""
    figures = unreconciled(
        vendor=vendor, period_start=period_start, period_end=period_end, currency=currency
    ).aggregate(count=Count("pk"), total=Sum("amount"))
    total = figures["total"] or Decimal(0)
    return {
        "count": figures["count"],
        "total": total,
        "claimed": vendor_claimed,
        "difference": None if vendor_claimed is None else vendor_claimed - total,
        "currency": currency,
    }


def discrepancies_of(
    *,
    redemption_ids: Iterable[int],
    total: Decimal,
    currency: str,
    vendor_claimed: Decimal | None,
) -> list[dict[str, Any]]:
    """The reconciliation's findings, as JSON-ready dicts (figures as strings)."""
    ids = list(redemption_ids)
    found: list[dict[str, Any]] = []
    if vendor_claimed is not None and vendor_claimed != total:
        found.append(
            {
                "code": CLAIM_DIFFERS,
                "claimed": str(vendor_claimed),
                "total": str(total),
                "difference": str(vendor_claimed - total),
                "currency": currency,
            }
        )
    signals = (
        Signal.objects.filter(redemption_id__in=ids, reviewed_at__isnull=True)
        .select_related("redemption")
        .order_by("created_at", "pk")
    )
    for signal in signals:
        assert signal.redemption is not None
        found.append(
            {
                "code": OPEN_SIGNAL,
                "signal": signal.pk,
                "kind": signal.kind,
                "redemption": str(signal.redemption.public_id),
                "amount": str(signal.redemption.amount),
                "currency": signal.redemption.currency,
            }
        )
    lines = (
        RedemptionLine.objects.filter(
            redemption_id__in=ids,
            contracted_price__isnull=False,
            unit_price__gt=F("contracted_price"),
        )
        .select_related("redemption", "item")
        .order_by("redemption__redeemed_at", "pk")
    )
    for line in lines:
        assert line.contracted_price is not None
        excess = (line.unit_price - line.contracted_price) * line.quantity
        found.append(
            {
                "code": PRICE_ABOVE_CONTRACT,
                "redemption": str(line.redemption.public_id),
                "item": line.item.code,
                "item_name": str(line.item),
                "quantity": str(line.quantity),
                "unit_price": str(line.unit_price),
                "contracted_price": str(line.contracted_price),
                "excess": str(excess.quantize(Decimal("0.01"))),
                "currency": line.redemption.currency,
            }
        )
    return found


def discrepancy_message(item: dict[str, Any]) -> str:
    """One finding as a sentence in the reader's language."""
    code = item.get("code")
    cur = str(item.get("currency") or "")
    if code == CLAIM_DIFFERS:
        difference = Decimal(item["difference"])
        return (
            _("The vendor claims %(claimed)s but its redemptions total %(total)s: %(diff)s more.")
            if difference > 0
            else _(
                "The vendor claims %(claimed)s but its redemptions total %(total)s: %(diff)s less."
            )
        ) % {
            "claimed": fmt_money(Decimal(item["claimed"]), cur),
            "total": fmt_money(Decimal(item["total"]), cur),
            "diff": fmt_money(abs(difference), cur),
        }
    if code == OPEN_SIGNAL:
        kinds = dict(Signal.Kind.choices)
        return _("A redemption of %(amount)s has a signal nobody has reviewed yet: %(kind)s.") % {
            "amount": fmt_money(Decimal(item["amount"]), cur),
            "kind": str(kinds.get(item.get("kind", ""), item.get("kind", ""))).lower(),
        }
    if code == PRICE_ABOVE_CONTRACT:
        return _(
            "%(item)s sold at %(price)s, above the contracted %(contract)s "
            "(%(qty)s sold: %(excess)s above the contract)."
        ) % {
            "item": item.get("item_name") or item.get("item"),
            "price": fmt_money(Decimal(item["unit_price"]), cur),
            "contract": fmt_money(Decimal(item["contracted_price"]), cur),
            "qty": f"{Decimal(item['quantity']).normalize():f}",
            "excess": fmt_money(Decimal(item["excess"]), cur),
        }
    return str(item)


# --- writes --------------------------------------------------------------------------------
def _number(prefix: str, pk: int, year: int) -> str:
    return f"{prefix}-{year}-{pk:06d}"


def _period(start: Any, end: Any) -> tuple[datetime.date, datetime.date]:
    errors: dict[str, list[str]] = {}
    if not isinstance(start, datetime.date):
        errors["period_start"] = [_("Give the first day of the period.")]
    if not isinstance(end, datetime.date):
        errors["period_end"] = [_("Give the last day of the period.")]
    if errors:
        raise ValidationFailed(fields=errors)
    if end < start:
        message = _("The period ends before it starts: the last day must be on or after the first.")
        raise ValidationFailed(message, fields={"period_end": [message]})
    if end > today():
        message = _("The period cannot end in the future: redemptions are reconciled after.")
        raise ValidationFailed(message, fields={"period_end": [message]})
    if (end - start).days >= MAX_PERIOD_DAYS:
        message = _("Reconcile at most a year at a time.")
        raise ValidationFailed(message, fields={"period_start": [message]})
    return start, end


def payment_request_create(
    *,
    user: Any,
    vendor: Vendor,
    period_start: datetime.date,
    period_end: datetime.date,
    currency: str,
    vendor_claimed: Decimal | int | str | None = None,
) -> PaymentRequest:
    """A draft request holding the vendor's redemptions of the period (and currency)
    that are in no live request, with their count, total and the discrepancies found."""
    require(user, vendor, RECONCILE)
    start, end = _period(period_start, period_end)
    code = clean_currency(currency)
    claimed = money(vendor_claimed, "vendor_claimed", allow_zero=True, required=False)
    with transaction.atomic():
        # One request at a time per vendor: the second waits and then finds the
        # redemptions taken (the conditional update below decides in any case).
        Vendor.objects.select_for_update().filter(pk=vendor.pk).first()
        free = unreconciled(vendor=vendor, period_start=start, period_end=end, currency=code)
        rows = list(free.values_list("pk", "amount"))
        if not rows:
            raise Conflict(
                _(
                    "%(vendor)s has no redemption in %(currency)s from %(start)s to %(end)s "
                    "that is not already in a payment request: there is nothing to reconcile."
                )
                % {
                    "vendor": vendor.name,
                    "currency": code,
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                },
                code="nothing_to_reconcile",
            )
        ids = [pk for pk, _amount in rows]
        total = sum((amount for _pk, amount in rows), Decimal(0))
        request = PaymentRequest.objects.create(
            number=f"tmp-{uuid.uuid4().hex[:24]}",  # max 30 characters; the real one below
            vendor=vendor,
            period_start=start,
            period_end=end,
            currency=code,
            total=total,
            redemptions_count=len(ids),
            vendor_claimed=claimed,
            created_by=actor(user),
            updated_by=actor(user),
        )
        request.number = _number(NUMBER_PREFIX, request.pk, today().year)
        taken = Redemption.objects.filter(pk__in=ids, payment_request__isnull=True).update(
            payment_request=request
        )
        if taken != len(ids):
            raise Conflict(
                _("Another payment request took some of these redemptions meanwhile. Try again."),
                code="redemptions_taken",
            )
        request.discrepancies = discrepancies_of(
            redemption_ids=ids, total=total, currency=code, vendor_claimed=claimed
        )
        request.save(update_fields=["number", "discrepancies"])
        if claimed is not None and claimed != total:
            Signal.objects.create(
                kind=Signal.Kind.DISCREPANCY,
                vendor=vendor,
                details={
                    "payment_request": request.number,
                    "claimed": str(claimed),
                    "total": str(total),
                    "currency": code,
                },
            )
    return request


def _locked(request: PaymentRequest) -> PaymentRequest:
    return PaymentRequest.objects.select_for_update().select_related("vendor").get(pk=request.pk)


def payment_request_submit(*, user: Any, request: PaymentRequest) -> PaymentRequest:
    """Send a draft for approval; the submitter cannot approve it."""
    require(user, request, RECONCILE)
    with transaction.atomic():
        request = _locked(request)
        if request.status == STATUS.DRAFT and request.redemptions_count == 0:
            raise Conflict(_("This request holds no redemption."), code="empty_request")
        request.submitted_by = actor(user)
        PaymentRequest.STATUS_MACHINE.transition(
            request, to=STATUS.SUBMITTED, by=user, extra_updates=("submitted_by",)
        )
    return request


def _same_person(user: Any, request: PaymentRequest) -> bool:
    uid = getattr(user, "pk", None)
    return uid is not None and uid in (request.submitted_by_id, request.created_by_id)


def payment_request_approve(*, user: Any, request: PaymentRequest) -> PaymentRequest:
    """Approve a submitted request: someone with cash.approve_payment who neither made
    nor submitted it (two-person rule)."""
    require(user, request, APPROVE_PAYMENT)
    with transaction.atomic():
        request = _locked(request)
        if _same_person(user, request):
            raise PermissionDenied(
                _(
                    "You made or submitted this payment request: another person must "
                    "approve it (two-person rule)."
                ),
                code="same_person",
            )
        request.approved_by = actor(user)
        request.approved_at = timezone.now()
        PaymentRequest.STATUS_MACHINE.transition(
            request,
            to=STATUS.APPROVED,
            by=user,
            extra_updates=("approved_by", "approved_at"),
        )
    return request


def payment_request_reject(*, user: Any, request: PaymentRequest, reason: str) -> PaymentRequest:
    """Reject a draft or submitted request, with the reason; its redemptions are freed
    for the next request. The requester may discard a draft; a submitted request is
    rejected by an approver."""
    if request.status == STATUS.SUBMITTED:
        require(user, request, APPROVE_PAYMENT)
    else:
        require_any(user, request, (RECONCILE, APPROVE_PAYMENT))
    reason = text(reason, "reason", limit=MAX_REASON, required=True)
    with transaction.atomic():
        request = _locked(request)
        PaymentRequest.STATUS_MACHINE.transition(
            request, to=STATUS.REJECTED, by=user, reason=reason
        )
        Redemption.objects.filter(payment_request=request).update(payment_request=None)
    return request


def payment_request_paid(
    *, user: Any, request: PaymentRequest, paid_on: datetime.date, reference: str
) -> PaymentRequest:
    """Record that an approved request was paid to the vendor: the day and the bank or
    wallet reference."""
    require(user, request, APPROVE_PAYMENT)
    reference = text(reference, "reference", limit=80, required=True)
    if not isinstance(paid_on, datetime.date):
        message = _("Give the day the vendor was paid.")
        raise ValidationFailed(message, fields={"paid_on": [message]})
    if paid_on > today():
        message = _("The payment day cannot be in the future.")
        raise ValidationFailed(message, fields={"paid_on": [message]})
    with transaction.atomic():
        request = _locked(request)
        if request.approved_at is not None and paid_on < timezone.localdate(request.approved_at):
            message = _("The vendor cannot have been paid before the request was approved.")
            raise ValidationFailed(message, fields={"paid_on": [message]})
        request.paid_on = paid_on
        request.payment_reference = reference
        PaymentRequest.STATUS_MACHINE.transition(
            request, to=STATUS.PAID, by=user, extra_updates=("paid_on", "payment_reference")
        )
    return request
