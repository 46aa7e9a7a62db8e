"""What the reporting app's services and selectors share: month arithmetic, the age
groups of disaggregation (configurable), and roaring bitmaps to and from bytes."""

from __future__ import annotations

import datetime
from functools import lru_cache

from django.conf import settings
from pyroaring import BitMap

DEFAULT_AGE_GROUPS = "0-5,6-17,18-59,60+"


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """First days of the months from `start`'s to `end`'s, both included."""
    out, current = [], month_start(start)
    while current <= end:
        out.append(current)
        current = add_months(current, 1)
    return out


def parse_age_groups(text: str) -> tuple[tuple[str, int, int | None], ...]:
    """ "0-5,6-17,18-59,60+" → (("0-5", 0, 5), …, ("60+", 60, None)). The groups must
    start at 0, follow each other without gap or overlap and end open ("60+")."""
    groups: list[tuple[str, int, int | None]] = []
    expected = 0
    parts = [p.strip() for p in str(text).split(",") if p.strip()]
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part.endswith("+"):
            low, high = int(part[:-1]), None
            if not last:
                raise ValueError(f"only the last age group can be open: {part}")
        else:
            low_text, _sep, high_text = part.partition("-")
            low, high = int(low_text), int(high_text)
            if high < low or last:
                raise ValueError(f"bad age group {part} (the last group is open, as 60+)")
        if low != expected:
            raise ValueError(f"age group {part} should start at {expected}")
        groups.append((part, low, high))
        expected = (high or 0) + 1
    if not groups:
        raise ValueError("no age groups")
    return tuple(groups)


@lru_cache(maxsize=4)
def _age_groups(text: str) -> tuple[tuple[str, int, int | None], ...]:
    return parse_age_groups(text)


def age_groups() -> tuple[tuple[str, int, int | None], ...]:
    return _age_groups(getattr(settings, "SANAD_REPORTING_AGE_GROUPS", DEFAULT_AGE_GROUPS))


def children_below() -> int:
    """Children are under 18 (the `#reached+children` of the 4W)."""
    return 18


def to_bytes(bitmap: BitMap) -> bytes:
    bitmap.run_optimize()
    return bitmap.serialize()


def from_bytes(data: bytes | memoryview | None) -> BitMap:
    if not data:
        return BitMap()
    return BitMap.deserialize(bytes(data))
