"""The reporting API: figures (unique people reached and their disaggregation) and
indicators with their targets."""

from typing import Any

from sanad.reporting import api_figures, api_indicators


def register(router: Any) -> None:
    api_figures.register(router)
    api_indicators.register(router)


def urlpatterns() -> list:
    """Plain (non-router) API paths, mounted under /api/v1/ by sanad/urls.py."""
    return [*getattr(api_figures, "urlpatterns", []), *getattr(api_indicators, "urlpatterns", [])]
