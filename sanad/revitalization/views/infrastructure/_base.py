"""Helpers of the infrastructure pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from sanad.core.errors import NotFound
from sanad.core.scoping import can_reach
from sanad.core.views import require_permission
from sanad.revitalization.models import VIEW, InfrastructureProject
from sanad.revitalization.selectors import infrastructure as selectors


def get_project(
    request: HttpRequest, public_id: Any, permission: str = VIEW
) -> InfrastructureProject:
    require_permission(request, permission)
    try:
        return selectors.project_get(user=request.user, public_id=public_id, permission=permission)
    except NotFound as exc:
        raise Http404 from exc


def to_project(
    request: HttpRequest, project: InfrastructureProject, message: str = ""
) -> HttpResponse:
    if message:
        messages.success(request, message)
    if can_reach(request.user, project, VIEW):
        return redirect("revitalization:project_detail", public_id=project.public_id)
    return redirect("revitalization:project_list")
