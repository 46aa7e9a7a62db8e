"""Helpers of the sites part's tests (the lead's make_site is in tests/camps/factories)."""

from __future__ import annotations

import datetime
from typing import Any

from sanad.camps.models import Allocation, Plot, Site
from tests.camps.factories import make_site
from tests.factories import DUHOK, make_user
from tests.registry.factories import make_household

D = datetime.date


def manager(governorates: tuple[str, ...] = (DUHOK,)) -> Any:
    return make_user("camp_manager", governorates=governorates, programmes=("CCCM",))


def plot(site: Site, code: str = "A-1", **kwargs: Any) -> Plot:
    return Plot.objects.create(site=site, code=code, **kwargs)


def allocate(site: Site, household: Any, *, plot: Plot | None = None, on: Any = None) -> Allocation:
    return Allocation.objects.create(
        site=site, household=household, plot=plot, started_on=on or D(2026, 1, 5)
    )


def household_on(site: Site, members: int = 3, **kwargs: Any) -> Any:
    gov = site.governorate.pcode
    return make_household(governorate=gov, members=members, **kwargs)


__all__ = ["allocate", "household_on", "make_site", "manager", "plot"]
