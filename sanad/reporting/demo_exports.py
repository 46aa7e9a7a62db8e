"""Demo data (filled in)."""

from typing import Any


def seed(*, user: Any) -> None:
    return None
