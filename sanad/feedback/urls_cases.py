"""URLs of the feedback app (cases). Filled by its owner."""

from __future__ import annotations

from typing import Any

urlpatterns: list[Any] = []
