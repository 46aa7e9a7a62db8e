"""What the contractors, tenders and contracts pages share: permission checks, the
tabs, the status history, look-ups that answer 404 out of the user's reach."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from sanad.core.errors import ApplicationError, NotFound
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission
from sanad.shelter.models import (
    MANAGE_CONTRACT,
)


def _may_manage(request: HttpRequest, obj: Any) -> bool:
    user = request.user
    return has_permission(user, MANAGE_CONTRACT) and can_reach(user, obj, MANAGE_CONTRACT)


def tabs(request: HttpRequest, current: str) -> dict[str, Any]:
    items = [
        ("contractors", _("Contractors"), reverse("shelter:contractor_list")),
        ("tenders", _("Tenders"), reverse("shelter:tender_list")),
        ("contracts", _("Contracts"), reverse("shelter:contract_list")),
    ]
    return {"contract_tabs": items, "contract_tab": current}


def _history(model: Any, obj: Any) -> list[Any]:
    labels = dict(model.Status.choices)
    rows = list(model.STATUS_MACHINE.history(obj))
    for t in rows:
        t.from_label = labels.get(t.from_state, t.from_state)
        t.to_label = labels.get(t.to_state, t.to_state)
    return rows


def _is_uuid(value: Any) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except (TypeError, ValueError):
        return False
    return True


def _get(getter: Any, request: HttpRequest, public_id: Any, permission: str) -> Any:
    require_permission(request, permission)
    try:
        return getter(user=request.user, public_id=public_id, permission=permission)
    except NotFound as exc:
        raise Http404 from exc


def _fail_message(request: HttpRequest, exc: ApplicationError) -> None:
    messages.error(request, str(exc.message))
