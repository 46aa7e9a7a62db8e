"""Helpers of the monitoring tests (part B)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sanad.camps.models import MonitoringRound, Site, Standard

# A round meeting every default standard exactly at its threshold.
AT_THRESHOLD: dict[str, Any] = {
    "individuals": 1000,
    "households": 200,
    "latrines": 50,  # 20 per latrine (≤ 20)
    "showers": 20,  # 50 per shower (≤ 50)
    "water_taps": 4,  # 250 per tap (≤ 250)
    "water_litres_per_day": 15000,  # 15 l a day (≥ 15)
    "covered_area_m2": Decimal("3500.0"),  # 3.5 m² (≥ 3.5)
    "shelters": 200,  # 5 per shelter (≤ 5)
    "health_post_distance_km": Decimal("5.0"),  # 5 km (≤ 5)
}


def round_values(**overrides: Any) -> SimpleNamespace:
    """Something with a round's number fields (the pure computation needs no database)."""
    values = {
        **AT_THRESHOLD,
        "lighting_points": 0,
        "schools": 0,
        **overrides,
    }
    return SimpleNamespace(**values)


def standard(code: str, direction: str, threshold: Any, **kwargs: Any) -> Standard:
    """An unsaved standard."""
    return Standard(
        code=code,
        name=kwargs.pop("name", code),
        direction=direction,
        threshold=Decimal(str(threshold)),
        unit=kwargs.pop("unit", "u"),
        **kwargs,
    )


def this_month() -> datetime.date:
    return datetime.date.today().replace(day=1)


def months_ago(n: int) -> datetime.date:
    month = this_month()
    for _i in range(n):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return month


def make_round(
    site: Site, month: datetime.date | None = None, *, status: str = "draft", **values: Any
) -> MonitoringRound:
    """A round written directly (behaviour is tested through the services)."""
    data = {**AT_THRESHOLD, **values}
    return MonitoringRound.objects.create(
        site=site, month=(month or this_month()).replace(day=1), status=status, **data
    )
