"""API of the shelter app (assessments part)."""

from __future__ import annotations

from typing import Any


def register(router: Any) -> None:
    return None
