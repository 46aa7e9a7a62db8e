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
            Place(
                kind=kind,
                name_en=name_en,
                name_ar=name_ar,
                code=code,
                admin_unit_id=units[pcode],
                lat=lat,
                lon=lon,
                status=status,
            )
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


HEAD = {
    "given_name_ar": "خالد", "family_name_ar": "الجبوري", "given_name_en": "Khalid",
    "family_name_en": "Al-Jubouri", "sex": "male", "date_of_birth": "1980-05-12",
    "relationship": "head", "marital_status": "married",
}  # fmt: skip
SPOUSE = {
    "given_name_ar": "فاطمة", "family_name_ar": "العبيدي", "sex": "female",
    "date_of_birth": "1984-01-02", "relationship": "spouse", "marital_status": "married",
}  # fmt: skip
CHILD = {
    "given_name_ar": "يوسف", "family_name_ar": "الجبوري", "sex": "male",
    "date_of_birth": "2012-07-01", "relationship": "son",
}  # fmt: skip
HOUSEHOLD = {
    "consent": "yes", "subdistrict": "IQG09Q03N03", "district": "IQG09Q03",
    "governorate": "IQG09", "displacement_status": "idp_out_of_camp", "shelter_type": "rented",
    "household_phone": "0750 123 4567",
}  # fmt: skip


def household(**changes: Any) -> dict[str, Any]:
    """A valid household for the template: {"household": {...}, "members": [...]}.
    `changes`: household fields, or members=[...] to replace the members."""
    members = changes.pop("members", None)
    return {
        "household": {**HOUSEHOLD, **changes},
        "members": [dict(m) for m in (members if members is not None else (HEAD, SPOUSE, CHILD))],
    }


def template_csv(
    path: Path,
    households: list[dict[str, Any]],
    *,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
) -> Path:
    """A template CSV of hand-written households (see `household`)."""
    import csv

    from sanad.registry.imports.form import template_columns

    columns = template_columns()
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(columns)
        for n, h in enumerate(households, 1):
            for i, member in enumerate(h["members"]):
                values = {
                    "household_ref": h.get("ref", f"H{n}"),
                    **(h["household"] if i == 0 else {}),
                    **member,
                }
                writer.writerow([values.get(c, "") for c in columns])
    return path


def upload(user: Any, path: Path, file_format: str = "template", *, mapping: Any = None) -> Any:
    from sanad.registry.imports import services

    with path.open("rb") as fh:
        return services.import_batch_upload(
            user=user, file=fh, original_name=path.name, file_format=file_format, mapping=mapping
        )


def validated(user: Any, path: Path, file_format: str = "template", *, mapping: Any = None) -> Any:
    from sanad.registry.imports import services

    batch = upload(user, path, file_format, mapping=mapping)
    services.import_batch_validate(batch=batch, user=user)
    batch.refresh_from_db()
    return batch


def messages_of(batch: Any) -> list[str]:
    from sanad.registry.imports import services

    return [e["message"] for e in services.batch_errors(batch)]
