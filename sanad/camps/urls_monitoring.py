"""URLs of the camps app (monitoring part)."""

from __future__ import annotations

from typing import Any

urlpatterns: list[Any] = []
