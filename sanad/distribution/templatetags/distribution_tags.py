from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()

_STATUS_CLASS = {
    "draft": "text-bg-secondary",
    "planned": "text-bg-secondary",
    "approved": "text-bg-success",
    "open": "text-bg-primary",
    "closed": "text-bg-dark",
    "cancelled": "text-bg-light border",
    "received": "text-bg-success",
    "voided": "text-bg-light border",
    "pending": "text-bg-warning",
    "reached": "text-bg-success",
    "not_reached": "text-bg-danger",
}


@register.filter
def status_class(status: str) -> str:
    return _STATUS_CLASS.get(str(status), "text-bg-secondary")


@register.filter
def percent(part: Any, whole: Any) -> int:
    """A whole percentage for a progress bar, 0 when there is nothing to count."""
    try:
        whole_d, part_d = Decimal(str(whole or 0)), Decimal(str(part or 0))
    except ArithmeticError:
        return 0
    if whole_d <= 0:
        return 0
    return max(0, min(100, int(part_d * 100 / whole_d)))


@register.filter
def qty(value: Any) -> str:
    """A quantity without trailing zeros: 12.00 → 12, 1.50 → 1.5."""
    if value is None or value == "":
        return "—"
    try:
        d = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    text = f"{d:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
