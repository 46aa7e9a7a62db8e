"""The one place that decides who may know a feedback case exists.

Every route that reads cases — list, detail, search, counts and trends, exports, the
API, the inbox (messages that became cases), a household's page — starts from
`cases_for(user)`. A sexual exploitation or abuse report is visible only through the
`feedback.handle_psea` permission (PSEA focal points), a staff-conduct complaint only
through `feedback.view_conduct` (managers), each within that permission's own scope; the
person who logged it does not see it afterwards unless they hold that permission."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from sanad.core.scoping import has_permission, scoped
from sanad.feedback.models import (
    SENSITIVITY_PERMISSION,
    VIEW_CASE,
    Case,
    Message,
    Sensitivity,
)


def hidden_sensitivities(user: Any) -> list[str]:
    """The sensitivities of which `user` may not see a single case."""
    return [s for s, perm in SENSITIVITY_PERMISSION.items() if not has_permission(user, perm)]


def cases_for(
    user: Any, permission: str = VIEW_CASE, queryset: QuerySet[Case] | None = None
) -> QuerySet[Case]:
    """The cases `user` may reach with `permission` (view by default): normal cases in
    the permission's scope, and restricted ones only within the scope of the permission
    that unlocks their sensitivity (and only if the user also holds `permission`)."""
    base = queryset if queryset is not None else Case.objects.all()
    visible = scoped(base.filter(sensitivity=Sensitivity.NORMAL), user, permission)
    if not has_permission(user, permission):
        return visible  # already empty (or the user's own, normal cases)
    for sensitivity, unlock in SENSITIVITY_PERMISSION.items():
        if has_permission(user, unlock):
            # Within the scope of the unlocking permission AND of `permission`: a
            # focal point's reach to manage or count abuse reports is never wider than
            # either of their grants.
            restricted = scoped(base.filter(sensitivity=sensitivity), user, unlock)
            visible = visible | scoped(restricted, user, permission)
    return visible


def messages_visible(user: Any, queryset: QuerySet[Message]) -> QuerySet[Message]:
    """Leave out messages that became (or answer) a case the user may not know of."""
    hidden = hidden_sensitivities(user)
    shown = Q(case__isnull=True) | Q(case__sensitivity=Sensitivity.NORMAL)
    if len(hidden) == len(SENSITIVITY_PERMISSION):
        return queryset.filter(shown)
    # Holding the unlocking permission is not enough: the restricted case must also be
    # within its scope (a Duhok focal point does not learn of an Erbil abuse report
    # through the inbox).
    restricted = [s for s in SENSITIVITY_PERMISSION if s not in hidden]
    reachable = cases_for(user).filter(sensitivity__in=restricted).values("pk")
    return queryset.filter(shown | Q(case__in=reachable))
