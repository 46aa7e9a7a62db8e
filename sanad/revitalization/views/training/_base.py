"""Helpers shared by the training pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sanad.core.errors import ApplicationError, NotFound
from sanad.core.scoping import can_reach, has_permission
from sanad.core.views import require_permission
from sanad.revitalization.forms.training import apply_errors
from sanad.revitalization.models import TRAINING, VIEW, Course
from sanad.revitalization.selectors import training as selectors

TEMPLATES = "revitalization/training/"


def lookup(request: HttpRequest, getter: Any, permission: str = VIEW, **kwargs: Any) -> Any:
    """A record through its selector, in the user's scope for `permission`: 403 without
    the permission anywhere, 404 out of scope."""
    require_permission(request, permission)
    try:
        return getter(user=request.user, permission=permission, **kwargs)
    except NotFound as exc:
        raise Http404 from exc


def course_of(request: HttpRequest, public_id: Any, permission: str = VIEW) -> Course:
    return lookup(request, selectors.course_get, permission, public_id=public_id)


def can_manage(request: HttpRequest, obj: Any = None) -> bool:
    user = request.user
    if not has_permission(user, TRAINING):
        return False
    return obj is None or can_reach(user, obj, TRAINING)


def to_course(request: HttpRequest, course: Course, message: str = "") -> HttpResponse:
    if message:
        messages.success(request, message)
    if can_reach(request.user, course, VIEW):
        return redirect("revitalization:course_detail", public_id=course.public_id)
    return redirect("revitalization:course_list")


def page(
    request: HttpRequest, template: str, context: dict[str, Any], *, form: Any = None
) -> HttpResponse:
    failed = form is not None and bool(form.errors)
    return render(request, TEMPLATES + template, context, status=400 if failed else 200)


def run(form: Any, call: Any) -> Any:
    """Run a service; its refusal goes back on the form (None). A 403 or 404 refusal
    is raised as the page's answer."""
    try:
        return call()
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise Http404 from exc
        if exc.status_code == 403:
            raise
        apply_errors(form, exc)
    return None
