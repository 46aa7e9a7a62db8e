"""The camps API: each part registers its viewsets."""

from __future__ import annotations

from typing import Any

from sanad.camps import api_monitoring, api_mrt, api_sites, api_tickets


def register(router: Any) -> None:
    for part in (api_sites, api_monitoring, api_tickets, api_mrt):
        part.register(router)
