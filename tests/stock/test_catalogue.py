from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from sanad.core.errors import PermissionDenied, ValidationFailed
from sanad.stock import selectors, services
from sanad.stock.models import Item, Kit, KitVersion
from tests.factories import ERBIL, NINEWA, PlaceFactory, make_user, subdistrict_in
from tests.stock.factories import make_item, make_kit, make_project

pytestmark = pytest.mark.django_db


def test_an_officer_adds_an_item_to_the_catalogue(officer):
    item = services.item_create(
        user=officer,
        code="mattress",
        name_en="Foam mattress",
        name_ar="فرشة",
        category="bedding",
        unit="piece",
    )
    assert item.code == "mattress" and item.active and not item.is_kit


def test_an_item_code_is_used_once(officer):
    make_item("mattress")
    with pytest.raises(ValidationFailed) as err:
        services.item_create(
            user=officer, code="mattress", name_en="Other", category="bedding", unit="piece"
        )
    assert "code" in err.value.fields


def test_a_viewer_cannot_change_the_catalogue(db):
    viewer = make_user("me_viewer")
    with pytest.raises(PermissionDenied):
        services.item_create(user=viewer, code="x", name_en="X", category="other", unit="piece")


def test_an_item_update_refuses_the_code_and_unknown_fields(officer):
    item = make_item("stove")
    services.item_update(user=officer, item=item, name_en="Cooking stove", active=False)
    item.refresh_from_db()
    assert item.name_en == "Cooking stove" and not item.active
    with pytest.raises(ValidationFailed):
        services.item_update(user=officer, item=item, code="other")


def test_a_kit_is_created_with_its_stock_item_and_version_one(officer):
    blanket, heater = make_item("blanket"), make_item("heater", category="heating")
    kit = services.kit_create(
        user=officer,
        code="winter_kit",
        name_en="Winter kit",
        kind="winter",
        components=[{"item": blanket, "quantity": 5}, {"item": heater, "quantity": 1}],
        valid_from=datetime.date(2026, 10, 1),
    )
    assert kit.item.code == "winter_kit" and kit.item.category == Item.Category.KIT
    assert kit.item.unit == "kit"
    version = kit.versions.get()
    assert version.number == 1
    assert {(c.item.code, c.quantity) for c in version.components.all()} == {
        ("blanket", Decimal("5.00")),
        ("heater", Decimal("1.00")),
    }


def test_a_kit_needs_components_without_duplicates_or_kits(officer):
    blanket = make_item("blanket")
    other_kit = make_kit("basic")
    for components in (
        [],
        [{"item": blanket, "quantity": 1}, {"item": blanket, "quantity": 2}],
        [{"item": other_kit.item, "quantity": 1}],
        [{"item": blanket, "quantity": 0}],
    ):
        with pytest.raises(ValidationFailed):
            services.kit_create(
                user=officer,
                code="k",
                name_en="K",
                kind="basic",
                components=components,
                valid_from="2026-01-01",
            )
    assert not Kit.objects.filter(code="k").exists()
    assert not Item.objects.filter(code="k").exists()


def test_a_replacement_kit_names_the_kits_it_replaces(officer):
    basic = make_kit("basic")
    with pytest.raises(ValidationFailed):
        make_kit("replacement", kind="replacement")
    kit = make_kit("replacement", kind="replacement", replaces=[basic])
    assert list(kit.replaces.all()) == [basic]


def test_a_new_version_is_numbered_after_the_last_and_starts_later(officer):
    blanket = make_item("blanket")
    kit = make_kit("winter", components=[(blanket, 5)], valid_from=datetime.date(2025, 10, 1))
    v2 = services.kit_version_create(
        user=officer,
        kit=kit,
        components=[{"item": blanket, "quantity": 6}],
        valid_from=datetime.date(2026, 10, 1),
        notes="A sixth blanket",
    )
    assert v2.number == 2
    with pytest.raises(ValidationFailed):
        services.kit_version_create(
            user=officer,
            kit=kit,
            components=[{"item": blanket, "quantity": 7}],
            valid_from=datetime.date(2026, 9, 1),
        )
    assert KitVersion.objects.filter(kit=kit).count() == 2


def test_the_kit_version_on_a_day_is_the_latest_started_by_then(officer):
    blanket = make_item("blanket")
    kit = make_kit("winter", components=[(blanket, 5)], valid_from=datetime.date(2025, 10, 1))
    v2 = services.kit_version_create(
        user=officer,
        kit=kit,
        components=[{"item": blanket, "quantity": 6}],
        valid_from=datetime.date(2026, 10, 1),
    )
    assert selectors.kit_version_on(kit=kit, day=datetime.date(2026, 9, 30)).number == 1
    assert selectors.kit_version_on(kit=kit, day=datetime.date(2026, 10, 1)) == v2
    with pytest.raises(ValidationFailed):
        selectors.kit_version_on(kit=kit, day=datetime.date(2025, 1, 1))


def test_item_costs_are_per_project_and_day_and_iqd_needs_a_rate(officer):
    item, project = make_item("mattress"), make_project("NFI")
    cost = services.item_cost_set(
        user=officer, item=item, project=project, unit_cost="14.5", valid_from="2026-01-01"
    )
    again = services.item_cost_set(
        user=officer, item=item, project=project, unit_cost="15", valid_from="2026-01-01"
    )
    assert again.pk == cost.pk and again.unit_cost == Decimal("15.00")
    with pytest.raises(ValidationFailed) as err:
        services.item_cost_set(
            user=officer,
            item=item,
            project=project,
            unit_cost="20000",
            currency="IQD",
            valid_from="2026-02-01",
        )
    assert "exchange_rate" in err.value.fields


def test_an_item_cost_for_a_project_outside_the_role_is_refused(officer):
    with pytest.raises(PermissionDenied):
        services.item_cost_set(
            user=officer,
            item=make_item(),
            project=make_project("SHELTER"),
            unit_cost="1",
            valid_from="2026-01-01",
        )


def test_seasons_of_a_kind_do_not_overlap(officer):
    services.season_create(
        user=officer,
        kind="winter",
        name="Winter 2026",
        starts_on="2026-11-01",
        ends_on="2027-03-31",
    )
    with pytest.raises(ValidationFailed):
        services.season_create(
            user=officer,
            kind="winter",
            name="Overlap",
            starts_on="2027-03-01",
            ends_on="2027-04-30",
        )
    summer = services.season_create(
        user=officer,
        kind="summer",
        name="Summer 2027",
        starts_on="2027-03-01",
        ends_on="2027-09-30",
    )
    assert selectors.season_on(kind="summer", day=datetime.date(2027, 6, 1)) == summer
    assert selectors.season_on(kind="winter", day=datetime.date(2027, 6, 1)) is None


def test_a_warehouse_is_created_only_in_the_governorates_of_the_role(officer):
    inside = PlaceFactory(kind="warehouse_site", admin_unit=subdistrict_in(ERBIL))
    outside = PlaceFactory(kind="warehouse_site", admin_unit=subdistrict_in(NINEWA))
    warehouse = services.warehouse_create(
        user=officer, code="erbil-2", name="Erbil 2", place=inside
    )
    assert warehouse.place == inside
    with pytest.raises(PermissionDenied):
        services.warehouse_create(user=officer, code="ninewa", name="Ninewa", place=outside)


def test_a_threshold_is_set_once_per_warehouse_and_item(officer, warehouse):
    item = make_item()
    services.threshold_set(user=officer, warehouse=warehouse, item=item, minimum=10)
    row = services.threshold_set(user=officer, warehouse=warehouse, item=item, minimum="25")
    assert row.minimum == Decimal("25.00")
    assert warehouse.thresholds.count() == 1
