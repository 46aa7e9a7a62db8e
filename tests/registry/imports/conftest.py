from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sanad.registry.demo import generate_households
from tests.factories import make_user


@pytest.fixture
def importer(db: Any) -> Any:
    """An information-management officer: imports, and registers everywhere."""
    return make_user("im_officer", username="importer")


@pytest.fixture
def demo_places(db: Any) -> None:
    """The demo camps and sites, so that generated households' site codes resolve."""
    from sanad.geo.models import AdminUnit, Place
    from sanad.web.demo_data import PLACES

    units = dict(AdminUnit.objects.values_list("pcode", "id"))
    Place.objects.bulk_create(
        [
            Place(kind=kind, name_en=name_en, name_ar=name_ar, code=code, admin_unit_id=units[pcode],
                  lat=lat, lon=lon, status=status)
            for kind, name_en, name_ar, code, pcode, lat, lon, status in PLACES
            if pcode in units
        ]
    )


def records(n: int, seed: int = 3) -> list[dict[str, Any]]:
    """Generated households, without the demo's re-registrations of the same family
    (those are for deduplication tests: their documents clash on purpose)."""
    from django.utils import timezone

    generated = generate_households(n + n // 10 + 2, seed=seed, as_of=timezone.localdate())
    out = [r for r in generated if not r["household"].get("demo_duplicate_of")]
    return out[:n]


@pytest.fixture
def tmp_files(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    folder.mkdir()
    return folder
