"""The revitalization API: each part registers its viewsets."""

from __future__ import annotations

from typing import Any

from sanad.revitalization import api_communities, api_governance, api_grants, api_training


def register(router: Any) -> None:
    for part in (api_communities, api_grants, api_training, api_governance):
        part.register(router)
