"""Filters of the cash pages: money as people read it, and status badges."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()

_BADGE = {
    "draft": "text-bg-secondary",
    "pending": "text-bg-warning",
    "approved": "text-bg-success",
    "released": "text-bg-success",
    "active": "text-bg-success",
    "spent": "text-bg-dark",
    "suspended": "text-bg-warning",
    "closed": "text-bg-dark",
    "cancelled": "text-bg-light border",
    "expired": "text-bg-light border",
    "open": "text-bg-danger",
    "reviewed": "text-bg-light border",
}


@register.filter
def cash_badge(status: Any) -> str:
    return _BADGE.get(str(status), "text-bg-secondary")


@register.filter
def money(value: Any, currency: Any = "") -> str:
    """25000.00 → "25,000"; 12.5 → "12.50"; with the currency when given. Isolated
    left to right (LRI … PDI), so "25,000 IQD" does not turn into "IQD 25,000" in an
    Arabic sentence."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.2f}"
    return f"\u2066{text} {currency}".strip() + "\u2069"


@register.inclusion_tag("cash/_nav.html", takes_context=True)
def cash_tabs(context: Any, tab: str = "") -> dict[str, Any]:
    """The tabs of the cash pages the user may open."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from sanad.core.scoping import has_permission

    user = context["request"].user
    tabs = []
    if has_permission(user, "cash.view_cash"):
        tabs += [
            ("plans", _("Plans and vouchers"), reverse("cash:plan_list")),
            ("vendors", _("Vendors"), reverse("cash:vendor_list")),
            ("signals", _("Signals"), reverse("cash:signal_list")),
            ("payments", _("Payment requests"), reverse("cash:payment_list")),
            ("transfers", _("Transfers"), reverse("cash:transfer_list")),
        ]
    if has_permission(user, "cash.redeem_voucher"):
        tabs += [
            ("redeem", _("Redeem a voucher"), reverse("cash:redeem")),
            ("sales", _("Our sales"), reverse("cash:my_sales")),
        ]
    return {"tabs": tabs, "tab": tab}
