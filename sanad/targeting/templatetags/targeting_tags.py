from __future__ import annotations

from typing import Any

from django import template

from sanad.core.scoping import has_permission
from sanad.targeting.models import BeneficiaryList, ListEntry

register = template.Library()

_STATUS_CLASS: dict[str, str] = {
    BeneficiaryList.Status.DRAFT: "text-bg-secondary",
    BeneficiaryList.Status.LOCKED: "text-bg-warning",
    BeneficiaryList.Status.APPROVED: "text-bg-success",
    BeneficiaryList.Status.IN_USE: "text-bg-primary",
    BeneficiaryList.Status.CLOSED: "text-bg-dark",
    BeneficiaryList.Status.CANCELLED: "text-bg-light border",
}
_OUTCOME_CLASS: dict[int, str] = {
    ListEntry.Outcome.INCLUDED: "text-bg-success",
    ListEntry.Outcome.MANUAL_IN: "text-bg-info",
    ListEntry.Outcome.RULE: "text-bg-secondary",
    ListEntry.Outcome.SCORE: "text-bg-secondary",
    ListEntry.Outcome.QUOTA: "text-bg-warning",
    ListEntry.Outcome.MANUAL_OUT: "text-bg-danger",
}


@register.filter
def can(user: Any, permission: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and has_permission(user, permission)


@register.filter
def status_class(status: str) -> str:
    return _STATUS_CLASS.get(status, "text-bg-secondary")


@register.filter
def outcome_class(outcome: int) -> str:
    return _OUTCOME_CLASS.get(outcome, "text-bg-secondary")


@register.filter
def outcome_label(outcome: int) -> str:
    try:
        return str(ListEntry.Outcome(outcome).label)
    except ValueError:
        return str(outcome)


@register.filter
def indent(depth: int) -> int:
    """Padding (in rem) of a row of a rule's outline."""
    return int(depth or 0) * 1
