"""Placeholder: the part's helper writes it."""

from typing import Any


def register(router: Any) -> None:
    return None
