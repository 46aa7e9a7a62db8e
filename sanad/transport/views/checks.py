"""Placeholder until the part's helper writes it (see /tmp/spec/transport.md)."""

from typing import Any

from django.http import Http404


def convoy_arrival(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def convoy_check(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def convoy_complete(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def convoy_depart(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def convoy_departure(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def convoy_rebalance(*args: Any, **kwargs: Any) -> Any:
    raise Http404


def incident_create(*args: Any, **kwargs: Any) -> Any:
    raise Http404
