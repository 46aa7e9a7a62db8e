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
