"""DRF settings hooks (pagination, the one error shape). Kept apart from api.py so
that REST_FRAMEWORK settings can import them without importing viewsets."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, pagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from sanad.core.errors import ApplicationError


class Pagination(pagination.PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 500


_DRF_CODES = {
    exceptions.NotAuthenticated: (
        "not_authenticated",
        gettext_lazy("Sign in or send an API token to use this endpoint."),
    ),
    exceptions.AuthenticationFailed: ("authentication_failed", None),
    exceptions.PermissionDenied: ("permission_denied", None),
    exceptions.NotFound: ("not_found", None),
    exceptions.MethodNotAllowed: ("method_not_allowed", None),
    exceptions.Throttled: ("throttled", None),
    exceptions.ParseError: ("parse_error", None),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", None),
    exceptions.NotAcceptable: ("not_acceptable", None),
}


def _flatten(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    out[f"{key}.{sub}"] = msgs
            elif isinstance(value, list):
                out[key] = [str(v) for v in value]
            else:
                out[key] = [str(value)]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(v) for v in detail]}
    return {}


def exception_handler(exc: Exception, ctx: dict[str, Any]) -> Response | None:
    """Every API error has the shape {"error": {"code", "message", "fields"}}."""
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(
            _("Nothing was found at this address, or you do not have access to it.")
        )
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, ctx)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "error": {
                "code": "validation_failed",
                "message": _("Some values are not valid. Correct the listed fields and try again."),
                "fields": _flatten(exc.detail),
            }
        }
    else:
        code, message = "error", None
        for cls, (c, m) in _DRF_CODES.items():
            if isinstance(exc, cls):
                code, message = c, m
                break
        detail = getattr(exc, "detail", "")
        body = {"error": {"code": code, "message": str(message or detail), "fields": {}}}
    response.data = body
    return response
