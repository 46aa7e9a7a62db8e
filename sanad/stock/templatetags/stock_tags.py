from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from sanad.stock.models import Movement

register = template.Library()

_STATUS_CLASS: dict[str, str] = {
    Movement.Status.DRAFT: "text-bg-secondary",
    Movement.Status.REQUESTED: "text-bg-warning",
    Movement.Status.DISPATCHED: "text-bg-info",
    Movement.Status.IN_TRANSIT: "text-bg-info",
    Movement.Status.RECEIVED: "text-bg-success",
    Movement.Status.POSTED: "text-bg-success",
    Movement.Status.REJECTED: "text-bg-danger",
    Movement.Status.CANCELLED: "text-bg-light border",
}
_KIND_ICON: dict[str, str] = {
    Movement.Kind.RECEIPT: "box-arrow-in-down",
    Movement.Kind.TRANSFER: "truck",
    Movement.Kind.KITTING: "boxes",
    Movement.Kind.DISPATCH: "box-arrow-up",
    Movement.Kind.RETURN: "arrow-return-left",
    Movement.Kind.ADJUSTMENT: "sliders",
    Movement.Kind.COUNT: "clipboard-check",
}


@register.filter
def movement_status_class(status: str) -> str:
    return _STATUS_CLASS.get(status, "text-bg-secondary")


@register.filter
def movement_icon(kind: str) -> str:
    return _KIND_ICON.get(kind, "box")


@register.filter
def qty(value: Any) -> str:
    """A quantity without trailing zeros: 12, 2.5 (never 12.00)."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(value)
    except (ArithmeticError, ValueError, TypeError):
        return str(value)
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


@register.filter
def signed(value: Any) -> str:
    text = qty(value)
    return text if text.startswith("-") or text in ("0", "—") else f"+{text}"
