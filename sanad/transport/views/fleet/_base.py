"""Helpers shared by the fleet pages."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission
from sanad.geo.models import AdminUnit
from sanad.transport.forms.fleet import (
    apply_errors,
)
from sanad.transport.models import (
    FLEET,
    VIEW,
)


def _governorates() -> QuerySet[AdminUnit]:
    return AdminUnit.objects.filter(level=1).order_by("name_en")


def _by_contractor(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    try:
        public_id = uuid.UUID(value)
    except ValueError:
        return qs.none()
    return qs.filter(contractor__public_id=public_id)


def _lookup(request: HttpRequest, getter: Any, public_id: Any, permission: str) -> Any:
    require_permission(request, permission)
    try:
        return getter(user=request.user, public_id=public_id, permission=permission)
    except NotFound as exc:
        raise Http404 from exc


def _can_manage(request: HttpRequest, obj: Any = None) -> bool:
    user = request.user
    if not has_permission(user, FLEET):
        return False
    return obj is None or can_reach(user, obj, FLEET)


def _done(request: HttpRequest, message: str, name: str, obj: Any) -> HttpResponse:
    messages.success(request, message)
    if can_reach(request.user, obj, VIEW):
        return redirect(f"transport:{name}_detail", public_id=obj.public_id)
    return redirect(f"transport:{name}_list")


def _form_page(request: HttpRequest, template: str, form: Any, **context: Any) -> HttpResponse:
    return render(
        request,
        f"transport/fleet/{template}",
        {"form": form, **context},
        status=400 if form.errors else 200,
    )


def _save(form: Any, call: Any) -> Any:
    """Run a service with the form's data; its refusal goes back on the form (None)."""
    try:
        return call(form.service_data())
    except ValidationFailed as exc:
        apply_errors(form, exc)
    except ApplicationError as exc:
        form.add_error(None, str(exc.message))
    return None
