"""Building the records the assessments tests start from: catalogue items with prices,
shelter projects, a photo upload, assessments made through the services, and targeting
lists with chosen scores (built directly: their own build is tested in tests/targeting).

    item = make_item("R-01", price="12.50")
    a = assess(engineer, project, governorate=NINEWA, damage="severe", submit=True)
"""

from __future__ import annotations

import datetime
import io
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sanad.geo.models import AdminUnit
from sanad.shelter.models import COMPONENTS, Assessment, PriceItem, UnitPrice
from sanad.shelter.services import assessments as services
from tests.factories import NINEWA, ProgrammeFactory, ProjectFactory, make_user, subdistrict_in

_n = itertools.count(1)
LONG_AGO = datetime.date(2020, 1, 1)


@pytest.fixture
def photo_dir(settings: Any, tmp_path: Any) -> Any:
    """Shelter photos in a temporary folder (use with `pytest.mark.usefixtures`)."""
    settings.SANAD_SHELTER_PHOTO_DIR = tmp_path / "shelter-photos"
    return settings.SANAD_SHELTER_PHOTO_DIR


def today() -> datetime.date:
    return timezone.localdate()


def jpeg(name: str = "damage.jpg", colour: str = "red") -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def make_item(
    code: str | None = None,
    *,
    price: Any = "10.00",
    governorate: str | None = None,
    valid_from: datetime.date = LONG_AGO,
    currency: str = "USD",
    component: str = "walls",
    unit: str = "m2",
    name: str | None = None,
) -> PriceItem:
    """A catalogue item with one price (national unless `governorate` is given)."""
    n = next(_n)
    item = PriceItem.objects.create(
        code=code or f"T-{n:03d}",
        name_en=name or f"Test item {n}",
        component=component,
        unit=unit,
    )
    if price is not None:
        add_price(item, price, governorate=governorate, valid_from=valid_from, currency=currency)
    return item


def add_price(
    item: PriceItem,
    price: Any,
    *,
    governorate: str | None = None,
    valid_from: datetime.date = LONG_AGO,
    currency: str = "USD",
) -> UnitPrice:
    gov = AdminUnit.objects.get(pcode=governorate) if governorate else None
    return UnitPrice.objects.create(
        item=item,
        governorate=gov,
        valid_from=valid_from,
        price=Decimal(str(price)),
        currency=currency,
    )


def shelter_project(programme: str = "SHELTER", **kwargs: Any) -> Any:
    return ProjectFactory(programme=ProgrammeFactory(code=programme), **kwargs)


def engineer_for(governorate: str = NINEWA, programme: str = "SHELTER", **kw: Any) -> Any:
    return make_user("shelter_engineer", governorates=(governorate,), programmes=(programme,), **kw)


def officer_for(governorate: str = NINEWA, programme: str = "SHELTER", **kw: Any) -> Any:
    return make_user(
        "programme_officer", governorates=(governorate,), programmes=(programme,), **kw
    )


def all_components(state: str = "partial") -> dict[str, str]:
    return dict.fromkeys(COMPONENTS, state)


def form_data(
    project: Any,
    *,
    governorate: str = NINEWA,
    damage: str = "severe",
    household: Any = None,
    occupants: Any = 5,
    area: Any = "40",
    assessed_on: datetime.date | None = None,
    **extra: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "project": project,
        "admin_unit": subdistrict_in(governorate),
        "address": f"House {next(_n)}, Al-Zahraa street",
        "latitude": "36.345600",
        "longitude": "43.123400",
        "tenure": "owner",
        "documents": ["title_deed"],
        "damage": damage,
        "components": all_components(),
        "occupants": occupants,
        "covered_area_after_m2": area,
        "assessed_on": assessed_on or today(),
    }
    if household is not None:
        data["registration_id"] = household.registration_id
    data.update(extra)
    return data


def assess(
    engineer: Any,
    project: Any,
    *,
    items: list[tuple[Any, Any]] | None = None,
    submit: bool = False,
    photos: int = 1,
    **kwargs: Any,
) -> Assessment:
    """An assessment through `assessment_create` (one line of a fresh item by default)."""
    if items is None:
        items = [(make_item(), "10")]
    return services.assessment_create(
        user=engineer,
        data=form_data(project, **kwargs),
        boq=[{"item": i, "quantity": q} for i, q in items],
        photos=[jpeg() for _ in range(photos)],
        submit=submit,
    )


def validated(engineer: Any, officer: Any, project: Any, **kwargs: Any) -> Assessment:
    a = assess(engineer, project, submit=True, **kwargs)
    return services.assessment_validate(user=officer, assessment=a)


def scored_list(
    programme: str,
    scores: dict[Any, float],
    *,
    direction: str = "high",
    status: str = "approved",
    excluded: tuple[Any, ...] = (),
) -> Any:
    """An approved targeting list whose included households have these scores
    (`excluded` households are on the list's snapshot but not included)."""
    from django.db import connection

    from sanad.targeting.models import (
        BeneficiaryList,
        ListEntry,
        Rule,
        ScoringModel,
        ScoringModelVersion,
    )

    prog = ProgrammeFactory(code=programme)
    n = next(_n)
    rule = Rule.objects.create(programme=prog, name=f"Rule {n}", tree={"match": "all", "items": []})
    model = ScoringModel.objects.create(programme=prog, name=f"Model {n}", kind="weighted")
    version = ScoringModelVersion.objects.create(model=model, number=1, direction=direction)
    lst = BeneficiaryList.objects.create(
        name=f"Vulnerability list {n}",
        programme=prog,
        rule=rule,
        model_version=version,
        status=status,
    )
    if connection.vendor == "postgresql":
        # The entries table is partitioned by list (targeting ADR 0006): a list built by
        # hand needs its partition, as `targeting.build` makes one.
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE targeting_listentry_l{int(lst.pk)}_t "
                f"PARTITION OF targeting_listentry FOR VALUES IN ({int(lst.pk)})"
            )
    for rank, (household, score) in enumerate(
        [*scores.items(), *[(h, 0.0) for h in excluded]], start=1
    ):
        included = household not in excluded
        ListEntry.objects.create(
            list=lst,
            household=household,
            governorate=household.governorate,
            admin_unit=household.admin_unit,
            score=score,
            eligible=included,
            included=included,
            outcome=1 if included else 3,
            rank=rank if included else None,
        )
    return lst
