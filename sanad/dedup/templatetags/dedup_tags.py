"""Template helpers of the deduplication pages."""

from __future__ import annotations

from typing import Any

from django import template

from sanad.core.scoping import has_permission

register = template.Library()


@register.filter
def can(user: Any, permission: str) -> bool:
    """Whether `user` holds `permission` anywhere: `{% if user|can:"dedup.run" %}`."""
    return has_permission(user, permission)


@register.filter
def signed(value: Any) -> str:
    """A weight with its sign, "+3.2" or "−1.5" (a true minus sign)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    if number > 0:
        return f"+{number:.1f}"
    if number < 0:
        return f"\u2212{abs(number):.1f}"
    return "0.0"
