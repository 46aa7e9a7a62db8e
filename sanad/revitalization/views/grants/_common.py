"""Helpers of the grant pages: look-ups inside the user's scope (out of scope → 404)
and putting a service's refusal on a form or in a message."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission
from sanad.revitalization.forms.grants import apply_errors
from sanad.revitalization.models import VIEW, GrantApplication, GrantCall
from sanad.revitalization.selectors import grants as selectors


def get_call(request: HttpRequest, public_id: Any, permission: str = VIEW) -> GrantCall:
    require_permission(request, permission)
    try:
        return selectors.call_get(user=request.user, public_id=public_id, permission=permission)
    except NotFound as exc:
        raise Http404 from exc


def get_application(
    request: HttpRequest, public_id: Any, permission: str = VIEW
) -> GrantApplication:
    require_permission(request, permission)
    try:
        return selectors.application_get(
            user=request.user, public_id=public_id, permission=permission
        )
    except NotFound as exc:
        raise Http404 from exc


def may(request: HttpRequest, permission: str, obj: Any) -> bool:
    return has_permission(request.user, permission) and can_reach(request.user, obj, permission)


def form_error(form: Any, exc: ApplicationError, mapping: dict[str, str] | None = None) -> None:
    """A refusal on the form; 403 and 404 go up to the error pages."""
    if exc.status_code in (403, 404):
        raise exc
    if isinstance(exc, ValidationFailed) or exc.fields:
        apply_errors(form, exc, mapping)
    else:
        form.add_error(None, str(exc.message))


def to_call(request: HttpRequest, call: GrantCall, message: str = "") -> HttpResponse:
    if message:
        messages.success(request, message)
    if can_reach(request.user, call, VIEW):
        return redirect("revitalization:call_detail", public_id=call.public_id)
    return redirect("revitalization:call_list")


def to_application(
    request: HttpRequest, application: GrantApplication, message: str = ""
) -> HttpResponse:
    if message:
        messages.success(request, message)
    return redirect("revitalization:application_detail", public_id=application.public_id)


def refuse(request: HttpRequest, exc: ApplicationError) -> None:
    """A refusal without a form: shown as a message (403/404 go up)."""
    if exc.status_code in (403, 404):
        raise exc
    messages.error(request, str(exc.message))
