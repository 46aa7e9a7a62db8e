"""Placeholder until the part's helper writes it (see /tmp/spec/transport.md)."""

from typing import Any

from django.http import Http404
from django.views import View


class ConvoyListView(View):
    def get(self, *args: Any, **kwargs: Any) -> Any:
        raise Http404


def convoy_action(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def convoy_create(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def convoy_detail(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def convoy_move(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def convoy_plan(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def convoy_vehicles(*args: Any, **kwargs: Any) -> Any:
    raise Http404
