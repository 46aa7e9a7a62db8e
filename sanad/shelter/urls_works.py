"""URLs of the shelter app (works part)."""

from __future__ import annotations

from typing import Any

urlpatterns: list[Any] = []
