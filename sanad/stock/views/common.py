"""What every stock page shares: permission checks, looking records up inside the
user's scope (an out-of-scope id is a 404), and turning a service's refusal into
errors on the form."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from sanad.core.errors import ApplicationError, NotFound, ValidationFailed
from sanad.core.scoping import can_reach, has_permission, scoped
from sanad.stock.forms import apply_errors


def allowed(request: HttpRequest, obj: Model, permission: str) -> bool:
    return has_permission(request.user, permission) and can_reach(request.user, obj, permission)


def get_scoped(
    queryset: QuerySet[Any], request: HttpRequest, permission: str, **lookup: Any
) -> Any:
    """The record matching `lookup` among those the user reaches with `permission`."""
    try:
        return scoped(queryset, request.user, permission).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def found(getter: Any, **kwargs: Any) -> Any:
    try:
        return getter(**kwargs)
    except NotFound as exc:
        raise Http404 from exc


def show_error(form: Any, exc: ApplicationError) -> None:
    if isinstance(exc, ValidationFailed):
        apply_errors(form, exc)
    else:
        form.add_error(None, str(exc.message))


def status(form: Any, *formsets: Any) -> int:
    bad = bool(form.errors) or any(fs.is_bound and fs.total_error_count() for fs in formsets)
    return 400 if bad else 200


def lines_of(formset: Any) -> list[dict[str, Any]]:
    """The filled rows of a lines formset (rows left empty are ignored)."""
    return list(formset.lines())
