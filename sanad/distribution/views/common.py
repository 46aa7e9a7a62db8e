"""What the distribution pages share: permission checks and look-ups inside the user's
scope (an id outside it is a 404 that reveals nothing)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404, HttpRequest

from sanad.core.scoping import can_reach, has_permission, scoped
from sanad.core.views import require_permission
from sanad.distribution.models import VIEW, Event, MonitoringSample, Plan


def allowed(request: HttpRequest, obj: Any, permission: str) -> bool:
    """May the user act on this record with `permission` (role and scope)?"""
    return has_permission(request.user, permission) and can_reach(request.user, obj, permission)


def _get(queryset: Any, user: Any, permission: str, public_id: Any) -> Any:
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    obj = scoped(queryset, user, permission).filter(public_id=public_id).first()
    if obj is None:
        raise Http404
    return obj


def plan_for(request: HttpRequest, public_id: Any, permission: str = VIEW) -> Plan:
    require_permission(request, permission)
    qs = Plan.objects.select_related(
        "programme", "project", "beneficiary_list", "kit", "warehouse", "approved_by"
    )
    return _get(qs, request.user, permission, public_id)


def event_for(request: HttpRequest, public_id: Any, permission: str = VIEW) -> Event:
    require_permission(request, permission)
    qs = Event.objects.select_related(
        "plan", "plan__kit", "plan__project", "plan__warehouse", "place", "closed_by"
    )
    return _get(qs, request.user, permission, public_id)


def sample_for(request: HttpRequest, public_id: Any, permission: str = VIEW) -> MonitoringSample:
    require_permission(request, permission)
    qs = MonitoringSample.objects.select_related("plan", "plan__kit")
    return _get(qs, request.user, permission, public_id)


def is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-Boosted")
