"""Placeholder until the part's helper writes it (see /tmp/spec/transport.md)."""

from typing import Any

from django.http import Http404


def manifest_pdf(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def manifest_xlsx(*args: Any, **kwargs: Any) -> Any:
    raise Http404
