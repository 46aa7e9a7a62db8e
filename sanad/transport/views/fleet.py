"""Placeholder until the part's helper writes it (see /tmp/spec/transport.md)."""

from typing import Any

from django.http import Http404
from django.views import View


class ContractorListView(View):
    def get(self, *args: Any, **kwargs: Any) -> Any:
        raise Http404


class DriverListView(View):
    def get(self, *args: Any, **kwargs: Any) -> Any:
        raise Http404


class VehicleListView(View):
    def get(self, *args: Any, **kwargs: Any) -> Any:
        raise Http404


def contract_action(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def contract_create(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def contractor_action(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def contractor_create(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def contractor_detail(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def contractor_edit(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def driver_create(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def driver_edit(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def vehicle_action(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def vehicle_create(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def vehicle_detail(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def vehicle_edit(*args: Any, **kwargs: Any) -> Any:
    raise Http404
