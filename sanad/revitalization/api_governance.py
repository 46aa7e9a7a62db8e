"""Revitalization API: governance."""

from __future__ import annotations

from typing import Any


def register(router: Any) -> None:
    pass
