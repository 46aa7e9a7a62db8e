"""Building camps records directly for tests (behaviour is tested through the services)."""

from __future__ import annotations

from typing import Any

from sanad.camps.models import Site
from sanad.geo.models import Place
from tests.factories import DUHOK, PlaceFactory, subdistrict_in

_n = iter(range(1, 10**9))


def make_site(
    *, governorate: str = DUHOK, kind: str = Place.Kind.FORMAL_CAMP, **kwargs: Any
) -> Site:
    """A site on a new place of `kind` in `governorate`."""
    n = next(_n)
    unit = subdistrict_in(governorate)
    place = PlaceFactory(
        kind=kind,
        name_en=kwargs.pop("name", f"Site {n}"),
        code=kwargs.pop("code", f"T-{n}"),
        admin_unit=unit,
    )
    kwargs.setdefault("capacity_plots", 100)
    kwargs.setdefault("capacity_shelters", 100)
    return Site.objects.create(place=place, governorate=unit.governorate, **kwargs)
