"""The shelter API: each part registers its viewsets."""

from __future__ import annotations

from typing import Any

from sanad.shelter import api_assessments, api_cases, api_contracts, api_works


def register(router: Any) -> None:
    for part in (api_assessments, api_cases, api_contracts, api_works):
        part.register(router)
