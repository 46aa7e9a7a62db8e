"""The feedback API (owner: the API helper). `register(router)` adds the viewsets and the
channel webhooks of `api_hooks.py`."""

from __future__ import annotations

from typing import Any


def register(router: Any) -> None:
    return None
