"""Helpers of the community and assessment pages."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.views import require_permission
from sanad.revitalization.forms.communities import apply_errors
from sanad.revitalization.models import VIEW, Community, CommunityAssessment
from sanad.revitalization.selectors import communities as selectors


def get_community(request: HttpRequest, public_id: Any, permission: str = VIEW) -> Community:
    require_permission(request, permission)
    try:
        return selectors.community_get(
            user=request.user, public_id=public_id, permission=permission
        )
    except NotFound as exc:
        raise Http404 from exc


def get_assessment(
    request: HttpRequest, public_id: Any, permission: str = VIEW
) -> CommunityAssessment:
    require_permission(request, permission)
    try:
        return selectors.assessment_get(
            user=request.user, public_id=public_id, permission=permission
        )
    except NotFound as exc:
        raise Http404 from exc


def service_error(form: Any, exc: ApplicationError, mapping: dict[str, str] | None = None) -> None:
    """Put a refusal on the form; a permission or scope refusal is raised as it is."""
    if exc.status_code == 403:
        raise exc
    if exc.status_code == 404:
        raise Http404 from exc
    if isinstance(exc, ValidationFailed) or exc.fields:
        apply_errors(form, exc, mapping)
    else:
        form.add_error(None, str(exc.message))
