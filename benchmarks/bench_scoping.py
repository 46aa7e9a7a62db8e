"""Cost of the scoping mechanism on the place list (20,000 places in 18 governorates):
an administrator (no filter) against a user scoped to two governorates, on the web page
and the API, and how the P-code look-up behaves.

Places are listed by name; the index `geo_place_name_idx` (name, id) was added after this
benchmark showed the unindexed sort of 20,000 rows doubling the administrator's page
time (SQLite 45.6 → 21.7 ms, PostgreSQL 66.8 → 31.1 ms in the runs of 2026-11-24)."""

from __future__ import annotations

import random
from typing import Any

from benchmarks.common import measure

N_PLACES = 20_000


def _data() -> tuple[Any, Any]:
    from sanad.accounts.services import role_assign, user_create
    from sanad.geo.models import AdminUnit, Place

    rng = random.Random(7)
    units = list(AdminUnit.objects.filter(level=3))
    kinds = [k for k, _ in Place.Kind.choices]
    if Place.objects.count() < N_PLACES:
        Place.objects.bulk_create(
            [
                Place(
                    kind=rng.choice(kinds),
                    name_en=f"Site {i}",
                    name_ar=f"موقع {i}",
                    admin_unit=rng.choice(units),
                    lat=33 + rng.random(),
                    lon=43 + rng.random(),
                )
                for i in range(N_PLACES)
            ],
            batch_size=2000,
        )
    admin = user_create(username="bench-admin", password=None)
    role_assign(user=admin, role="administrator", all_governorates=True, all_programmes=True)
    scoped_user = user_create(username="bench-scoped", password=None)
    role_assign(
        user=scoped_user,
        role="field_enumerator",
        governorates=["IQG09", "IQG15"],
        all_programmes=True,
    )
    return admin, scoped_user


def run() -> list[dict[str, Any]]:
    from django.test import Client

    from sanad.core.scoping import scoped
    from sanad.geo.models import Place

    admin, scoped_user = _data()
    rows = []
    for label, user in (("administrator (all)", admin), ("scoped to Duhok + Ninewa", scoped_user)):
        rows.append(
            measure(
                f"count places visible — {label}",
                lambda u=user: scoped(Place.objects.all(), u).count(),
            )
        )
        web = Client()
        web.force_login(user)
        rows.append(
            measure(
                f"place list page, first page — {label}",
                lambda c=web: c.get("/places/").status_code,
                runs=10,
            )
        )
        rows.append(
            measure(
                f"API /api/v1/places/?page_size=100 — {label}",
                lambda c=web: c.get("/api/v1/places/?page_size=100").status_code,
                runs=10,
            )
        )
    try:
        from sanad.geo.selectors import admin_unit_lookup

        rows.append(
            measure(
                "P-code look-up by code (IQG15Q05N02)",
                lambda: admin_unit_lookup(query="IQG15Q05N02"),
            )
        )
        rows.append(
            measure(
                "P-code look-up by Arabic name (الموصل)", lambda: admin_unit_lookup(query="الموصل")
            )
        )
    except ImportError:
        pass
    return rows
