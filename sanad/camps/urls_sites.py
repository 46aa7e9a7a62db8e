"""URLs of the camps app (sites part)."""

from __future__ import annotations

from typing import Any

urlpatterns: list[Any] = []
