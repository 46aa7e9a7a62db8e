"""Demo data of the monitoring part: four months of rounds on the formal camps and a few
informal sites, submitted through the services (so the indicators and gaps are real),
the current month left as a draft on some sites, and one round reopened by the camp
manager to correct a count. Called by the demo after the sites (and their population).

Numbers are deterministic (seeded by the site's code) and realistic: most camps close to
the standards, a few short of latrines or water in the hot months, informal sites well
below them."""

from __future__ import annotations

import datetime
import random
import zlib
from decimal import Decimal
from typing import Any

from sanad.camps.models import MANAGE_SITE, MONITOR, MonitoringRound, Site
from sanad.camps.selectors.monitoring import months_ending
from sanad.camps.services.monitoring import round_create, round_reopen, round_submit, round_update
from sanad.core.errors import ApplicationError
from sanad.core.scoping import can_reach, has_permission
from sanad.geo.models import Place

MONTHS = 4
# Sites short of something (place code → what): the gaps the demo tells a story with.
SHORT = {
    "DHK-DMZ1": "latrines",
    "DHK-KHN": "water",
    "DHK-SHR": "shelter",
    "DHK-KBR2": "taps",
}
REOPENED = "DHK-DMZ1"


def _user_for(users: dict[str, Any], site: Site, permission: str) -> Any:
    for name in ("camp.manager", "enumerator", "imo", "admin"):
        user = users.get(name)
        if (
            user is not None
            and has_permission(user, permission)
            and can_reach(user, site, permission)
        ):
            return user
    return None


def _numbers(site: Site, month: datetime.date, population: int) -> dict[str, Any]:
    code = site.place.code
    rng = random.Random(zlib.crc32(f"{code}:{month:%Y-%m}".encode()))
    informal = site.place.kind != Place.Kind.FORMAL_CAMP
    short = SHORT.get(code)
    summer = month.month in (6, 7, 8, 9)
    people = max(population, 60)
    per_latrine = rng.uniform(14, 19.5) if not informal else rng.uniform(28, 45)
    if short == "latrines":
        per_latrine = rng.uniform(21, 26)
    per_shower = rng.uniform(35, 49) if not informal else rng.uniform(60, 90)
    per_tap = rng.uniform(150, 240) if short != "taps" else rng.uniform(255, 290)
    litres = rng.uniform(18, 35) if not informal else rng.uniform(9, 14)
    if short == "water" and (summer or rng.random() < 0.5):
        litres = rng.uniform(12, 14.8)
    area = rng.uniform(3.6, 4.6) if short != "shelter" else rng.uniform(2.9, 3.45)
    per_shelter = rng.uniform(4.2, 4.95) if short != "shelter" else rng.uniform(5.1, 5.8)
    return {
        "individuals": people,
        "latrines": max(1, round(people / per_latrine)),
        "showers": max(1, round(people / per_shower)),
        "water_taps": max(1, round(people / per_tap)),
        "water_litres_per_day": round(people * litres),
        "covered_area_m2": Decimal(str(round(people * area, 1))),
        "shelters": max(1, round(people / per_shelter)),
        "lighting_points": max(2, round(people / rng.uniform(40, 80))),
        "health_post_distance_km": Decimal(
            str(round(rng.uniform(0, 1.5) if not informal else rng.uniform(3, 9), 1))
        ),
        "schools": 0 if informal else max(1, people // 2500),
    }


def seed(*, sites: dict[str, Site], users: dict[str, Any], today: datetime.date) -> dict[str, int]:
    """Rounds for the last MONTHS months on every open site of `sites` (by place code)."""
    months = months_ending(today, MONTHS)
    created = submitted = 0
    for code, site in sorted(sites.items()):
        if site.closed_on is not None:
            continue
        user = _user_for(users, site, MONITOR)
        if user is None:
            continue
        for month in months:
            current = month == months[-1]
            if current and zlib.crc32(code.encode()) % 3 == 0:
                continue  # not counted yet this month
            try:
                r = round_create(user=user, site=site, month=month)
            except ApplicationError:
                continue  # already there (demo run twice) or not allowed
            created += 1
            values = _numbers(site, month, r.individuals)
            if not r.households:
                values["households"] = max(1, values["individuals"] // 5)
            if current and code in SHORT:
                values["notes"] = "Counted with the WASH partner; waiting for the block leaders."
            round_update(user=user, round_=r, data=values)
            if current and zlib.crc32(code.encode()) % 3 == 1:
                continue  # a draft still being checked
            round_submit(user=user, round_=r)
            submitted += 1
    _reopen_one(sites, users, months)
    return {"rounds": created, "submitted": submitted}


def _reopen_one(sites: dict[str, Site], users: dict[str, Any], months: list[datetime.date]) -> None:
    """The camp manager reopens last month's round of Domiz 1 (latrines of block C were
    not counted), the count is corrected and the round submitted again."""
    site = sites.get(REOPENED)
    if site is None or len(months) < 2:
        return
    r = MonitoringRound.objects.filter(site=site, month=months[-2], status="submitted").first()
    manager = _user_for(users, site, MANAGE_SITE)
    if r is None or manager is None or not r.gaps or not has_permission(manager, MONITOR):
        return
    round_reopen(user=manager, round_=r, reason="The latrines of block C were not counted.")
    round_update(user=manager, round_=r, data={"latrines": r.latrines + 6})
    round_submit(user=manager, round_=r)
