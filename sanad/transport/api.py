"""The transport API: each part registers its viewsets."""

from __future__ import annotations

from typing import Any

from sanad.transport import api_convoys, api_fleet, api_movements


def register(router: Any) -> None:
    for part in (api_movements, api_convoys, api_fleet):
        part.register(router)
