"""Placeholder until the part's helper writes it (see /tmp/spec/transport.md)."""

from typing import Any

from django.http import Http404
from django.views import View


class MovementListView(View):
    def get(self, *args: Any, **kwargs: Any) -> Any:
        raise Http404


def movement_action(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def movement_border_register(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def movement_create(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def movement_detail(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def movement_edit(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def movement_export(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def movement_household_action(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def movement_household_add(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def movement_household_detail(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def movement_households_from_site(*args: Any, **kwargs: Any) -> Any:
    raise Http404
