"""Template helpers of the monitoring pages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def num(value: Any) -> str:
    """20.0 → "20", 3.50 → "3.5", 14.99 → "14.99"; None → "—"."""
    if value is None or value == "":
        return "—"
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{d:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@register.filter
def standard_text(result: Any) -> str:
    """ "≤ 20 people" / "≥ 15 litres" from a result row or a Standard."""
    get = result.get if isinstance(result, dict) else lambda k: getattr(result, k, None)
    sign = "≤" if get("direction") == "max" else "≥"
    return f"{sign} {num(get('threshold'))} {get('unit') or ''}".strip()


@register.simple_tag
def site_url(site: Any) -> str:
    """The site's dashboard, when the sites pages are installed (else "")."""
    try:
        return reverse("camps:site_detail", args=[site.public_id])
    except NoReverseMatch:
        return ""


@register.filter
def state_label(state: str) -> str:
    return {"submitted": _("Submitted"), "draft": _("Draft"), "missing": _("Not monitored")}.get(
        state, state
    )
