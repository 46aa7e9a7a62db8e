"""Scheduled exports (filled in by the exports work)."""

from __future__ import annotations


def schedules_run_due() -> int:
    return 0
