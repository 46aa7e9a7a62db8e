"""What the cash pages share: permission checks and look-ups inside the user's scope
(an id outside it is a 404 that reveals nothing)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from sanad.cash import selectors
from sanad.cash.models import VIEW, CashPlan, Entitlement, Vendor, Voucher
from sanad.core.errors import NotFound
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission


def allowed(request: HttpRequest, obj: Any, permission: str) -> bool:
    """May the user act on this record with `permission` (role and scope)?"""
    return has_permission(request.user, permission) and can_reach(request.user, obj, permission)


def _found(fn: Any, **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404 from exc


def plan_for(request: HttpRequest, public_id: Any, permission: str = VIEW) -> CashPlan:
    require_permission(request, permission)
    return _found(selectors.plan_get, user=request.user, public_id=public_id, permission=permission)


def vendor_for(request: HttpRequest, public_id: Any, permission: str = VIEW) -> Vendor:
    require_permission(request, permission)
    return _found(
        selectors.vendor_get, user=request.user, public_id=public_id, permission=permission
    )


def voucher_for(request: HttpRequest, public_id: Any, permission: str = VIEW) -> Voucher:
    require_permission(request, permission)
    return _found(
        selectors.voucher_get, user=request.user, public_id=public_id, permission=permission
    )


def entitlement_for(request: HttpRequest, public_id: Any, permission: str = VIEW) -> Entitlement:
    require_permission(request, permission)
    return _found(
        selectors.entitlement_get, user=request.user, public_id=public_id, permission=permission
    )


def history(obj: Any, choices: Any, machine: Any = None) -> list[Any]:
    """The status transitions of a record with their labels."""
    labels = dict(choices)
    rows = list((machine or type(obj).STATUS_MACHINE).history(obj).select_related("by"))
    for t in rows:
        t.from_label = labels.get(t.from_state, t.from_state)
        t.to_label = labels.get(t.to_state, t.to_state)
    return rows
