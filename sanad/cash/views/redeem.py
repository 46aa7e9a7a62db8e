"""The vendor's phone page: scan the voucher's QR code or type its code, see its
balance and what it buys here, add the items sold (prices from the contract), the PIN
when the voucher has one, and confirm. The browser makes an idempotency key for each
attempt, so a retried or doubled confirmation spends once. Also the cashier's list of
the shop's own sales. A cashier sees nothing about the family or any other shop."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sanad.cash import selectors, services
from sanad.cash.models import REDEEM
from sanad.cash.services._common import code_tail, fmt_money
from sanad.core.errors import ApplicationError
from sanad.core.views import require_permission

SALES_PER_PAGE = 25


def _error(exc: ApplicationError) -> JsonResponse:
    return JsonResponse(
        {
            "ok": False,
            "code": exc.code,
            "message": str(exc.message),
            "fields": exc.as_dict()["error"]["fields"],
        },
        status=exc.status_code,
    )


def _ltr(text: str) -> str:
    """Isolated left to right inside a sentence (amounts, codes, times in Arabic)."""
    return f"\u2066{text}\u2069"


def _plain(value: Any) -> str:
    """A Decimal as the page's inputs take it: 12.50 → "12.5", 25000.00 → "25000"."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@login_required
def redeem(request: HttpRequest) -> HttpResponse:
    require_permission(request, REDEEM)
    vendor = selectors.vendor_of(request.user)
    return render(request, "cash/redeem.html", {"vendor": vendor, "tab": "redeem"})


@login_required
@require_GET
def redeem_voucher(request: HttpRequest) -> JsonResponse:
    """What the cashier needs before a sale (JSON for the page's script)."""
    require_permission(request, REDEEM)
    try:
        info = selectors.voucher_for_cashier(user=request.user, code=request.GET.get("code", ""))
    except ApplicationError as exc:
        if exc.code == "voucher_not_found":
            exc.message = _("No voucher has this code. Check it with the family and type it again.")
        return _error(exc)
    currency = info["currency"]
    status_labels = {
        "spent": _("This voucher has been spent in full: its balance is 0."),
        "cancelled": _(
            "This voucher was cancelled: it cannot be used. The family should ask the programme team."
        ),
        "expired": _("This voucher expired on %(date)s: it cannot be used any more.")
        % {"date": info["expires_on"].isoformat()},
    }
    return JsonResponse(
        {
            "ok": True,
            "code": info["code"],
            "balance": _plain(info["balance"]),
            "balance_text": fmt_money(info["balance"], currency),
            "amount_text": fmt_money(info["amount"], currency),
            "currency": currency,
            "status": str(info["status"]),
            "usable": info["usable"],
            "refusal": "" if info["usable"] else status_labels.get(str(info["status"]), ""),
            "expires_on": info["expires_on"].isoformat(),
            "require_pin": info["require_pin"],
            "categories": _category_labels(info["allowed_categories"]),
            "items": [
                {
                    "code": i["code"],
                    "name": str(i["name"]),
                    "unit": str(i["unit"]),
                    "unit_price": _plain(i["unit_price"]) if i["currency"] == currency else "",
                }
                for i in info["items"]
            ],
        }
    )


def _category_labels(codes: Any) -> list[str]:
    from sanad.stock.models import Item

    labels = dict(Item.Category.choices)
    return [str(labels.get(c, c)) for c in codes or []]


@login_required
@require_POST
def redeem_sale(request: HttpRequest) -> JsonResponse:
    """Record a sale; JSON in (code, items, pin, key), JSON out. A replay of the same
    key answers the first sale."""
    require_permission(request, REDEEM)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        return JsonResponse(
            {"ok": False, "code": "parse_error", "message": _("The sale could not be read.")},
            status=400,
        )
    try:
        redemption, replayed = services.voucher_redeem(
            user=request.user,
            code=str(body.get("code") or ""),
            items=body.get("items") or [],
            idempotency_key=str(body.get("key") or ""),
            pin=str(body.get("pin") or "") or None,
            channel="web",
        )
    except ApplicationError as exc:
        return _error(exc)
    answer = redemption.response
    currency = answer["currency"]
    at = timezone.localtime(redemption.redeemed_at)
    return JsonResponse(
        {
            "ok": True,
            "replayed": replayed,
            **answer,
            "amount_text": fmt_money(Decimal(answer["amount"]), currency),
            "balance_text": fmt_money(Decimal(answer["balance"]), currency),
            "at": at.strftime("%H:%M"),
            "message": _("Paid %(amount)s with voucher %(tail)s at %(at)s.")
            % {
                "amount": _ltr(fmt_money(Decimal(answer["amount"]), currency)),
                "tail": _ltr(code_tail(redemption.voucher.code)),
                "at": _ltr(at.strftime("%H:%M")),
            },
        },
        status=200 if replayed else 201,
    )


@login_required
def my_sales(request: HttpRequest) -> HttpResponse:
    """The cashier's shop's own redemptions, newest first."""
    require_permission(request, REDEEM)
    vendor = selectors.vendor_of(request.user)
    page = Paginator(selectors.vendor_redemptions(request.user), SALES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cash/my_sales.html",
        {"vendor": vendor, "page": page, "page_obj": page, "tab": "sales"},
    )
