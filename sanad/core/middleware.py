from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from sanad.core import context


class RequestContextMiddleware:
    """Give each request an id and make the signed-in user the actor of the changes it
    causes (the API sets the actor again once token authentication has run)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.headers.get("X-Request-ID", "")[:36] or str(uuid.uuid4())
        request.request_id = request_id  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        source = "api" if request.path.startswith("/api/") else "web"
        with context.acting_as(user, source=source, request_id=request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class ApplicationErrorMiddleware:
    """Turns an ApplicationError that escaped a view into what a person can act on:
    not found → the 404 page, not allowed → the 403 page, anything else → the message
    on the page they came from (or an error page that shows it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.contrib import messages
        from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
        from django.http import Http404, HttpResponseRedirect
        from django.shortcuts import render
        from django.utils.http import url_has_allowed_host_and_scheme

        from sanad.core.errors import ApplicationError, NotFound, PermissionDenied

        if not isinstance(exception, ApplicationError) or request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotFound):
            raise Http404(str(exception.message))
        if isinstance(exception, PermissionDenied):
            raise DjangoPermissionDenied(str(exception.message))
        referer = request.headers.get("referer", "")
        if (
            request.method == "POST"
            and referer
            and url_has_allowed_host_and_scheme(
                referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
        ):
            messages.error(request, str(exception.message))
            return HttpResponseRedirect(referer)
        return render(
            request, "core/error.html", {"error": exception}, status=exception.status_code
        )
