"""The stock pages, as a warehouse officer uses them: the overview with its low-stock
alert, the catalogue, a receipt posted through the form (once, however often the
button is pressed), a transfer from preparation to arrival with a loss, kits assembled
after checking the components, an adjustment and a physical count approved by a second
officer; also in Arabic, and what other roles and scopes may not do."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

import pytest

from sanad.stock import services
from sanad.stock.models import Item, Kit, Movement, Season, StockEntry
from tests.conftest import client_for
from tests.factories import DUHOK, ERBIL, make_user
from tests.stock.factories import (
    balance_of,
    make_item,
    make_kit,
    make_warehouse,
    stocked,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _lines(prefix: str, rows: list[dict[str, Any]], extra: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows) + extra),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


@pytest.fixture
def blanket() -> Item:
    return make_item("blanket_ht", name_en="High-thermal blanket")


@pytest.fixture
def web(officer: Any) -> Any:
    return client_for(officer)


# --- overview --------------------------------------------------------------------------------


def test_the_overview_sums_projects_and_highlights_low_stock(
    web, warehouse, project, blanket, officer
):
    from tests.stock.factories import make_project

    other = make_project("NFI", code="NFI-TEST-02")
    stocked(warehouse, blanket, project, 30)
    stocked(warehouse, blanket, other, 10)
    services.item_cost_set(
        user=officer,
        item=blanket,
        project=project,
        unit_cost=Decimal("12.50"),
        valid_from=datetime.date(2020, 1, 1),
    )
    services.threshold_set(user=officer, warehouse=warehouse, item=blanket, minimum=100)

    page = web.get("/stock/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="low-row"' in body and 'data-testid="low-stock"' in body
    row = body.split('data-testid="low-row"')[1].split("</tr>")[0]
    assert ">40 <" in row  # on hand: 30 + 10, both projects together
    assert "375.00 USD" in body  # 30 × 12.50 valued on its project
    assert "1 line without a cost" in body

    filtered = web.get(f"/stock/?project={project.public_id}").content.decode()
    assert ">30 <" in filtered.split('data-testid="balance-table"')[1]


def test_the_overview_costs_the_same_queries_for_many_rows(
    web, warehouse, project, django_assert_max_num_queries
):
    stocked(warehouse, make_item(), project, 5)
    web.get("/stock/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        web.get("/stock/")
    for _ in range(8):
        stocked(warehouse, make_item(), project, 5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert web.get("/stock/").status_code == 200


@pytest.mark.parametrize(
    "url",
    ["/stock/items/", "/stock/kits/", "/stock/warehouses/", "/stock/movements/"],
)
def test_list_pages_cost_the_same_queries_for_many_records(
    url, web, warehouse, project, django_assert_max_num_queries
):
    def grow() -> None:
        item = make_item()
        make_kit(components=[(item, 1)])
        stocked(warehouse, item, project, 3)
        make_warehouse(DUHOK)

    grow()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert web.get(url).status_code == 200
    for _ in range(6):
        grow()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert web.get(url).status_code == 200


# --- catalogue -------------------------------------------------------------------------------


def test_an_item_is_added_edited_and_costed_through_the_pages(web, project):
    response = web.post(
        "/stock/items/new/",
        {
            "code": "kerosene_heater",
            "name_en": "Kerosene heater",
            "name_ar": "مدفأة نفطية",
            "category": "heating",
            "unit": "piece",
        },
    )
    item = Item.objects.get(code="kerosene_heater")
    assert response.status_code == 302 and item.name_ar == "مدفأة نفطية"

    response = web.post(
        f"/stock/items/{item.public_id}/edit/",
        {"name_en": "Kerosene heater 3 kW", "category": "heating", "unit": "piece", "active": "on"},
    )
    item.refresh_from_db()
    assert response.status_code == 302 and item.name_en == "Kerosene heater 3 kW"

    response = web.post(
        f"/stock/items/{item.public_id}/costs/",
        {
            "project": str(project.public_id),
            "unit_cost": "45.00",
            "currency": "USD",
            "valid_from": "2026-01-01",
        },
    )
    assert response.status_code == 302
    page = web.get(f"/stock/items/{item.public_id}/").content.decode()
    assert "45.00 USD" in page and project.code in page


def test_a_duplicate_item_code_is_refused_beside_the_field(web, blanket):
    response = web.post(
        "/stock/items/new/",
        {"code": "blanket_ht", "name_en": "Again", "category": "bedding", "unit": "piece"},
    )
    assert response.status_code == 400
    assert "blanket_ht" in response.content.decode()


def test_a_kit_is_created_with_its_components_then_gets_a_new_version(web, blanket):
    stove = make_item("stove", name_en="Stove")
    original = make_kit("basic_kit", components=[(stove, 1)])
    response = web.post(
        "/stock/kits/new/",
        {
            "code": "blanket_replacement",
            "name_en": "Blanket replacement kit",
            "kind": "replacement",
            "valid_from": "2026-01-01",
            "replaces": [str(original.public_id)],
            **_lines(
                "components",
                [{"item": str(blanket.public_id), "quantity": "5"}],
                extra=2,
            ),
        },
    )
    kit = Kit.objects.get(code="blanket_replacement")
    assert response.status_code == 302
    assert list(kit.replaces.all()) == [original]

    page = web.get(f"/stock/kits/{kit.public_id}/versions/new/").content.decode()
    assert f'value="{blanket.public_id}" selected' in page  # the last contents, to change

    response = web.post(
        f"/stock/kits/{kit.public_id}/versions/new/",
        {
            "valid_from": "2026-10-01",
            "notes": "A sixth blanket",
            **_lines("components", [{"item": str(blanket.public_id), "quantity": "6"}]),
        },
    )
    assert response.status_code == 302
    detail = web.get(f"/stock/kits/{kit.public_id}/").content.decode()
    assert detail.count('data-testid="kit-version"') == 2 and "A sixth blanket" in detail
    assert original.name in detail


def test_a_kit_without_components_comes_back_with_the_reason(web):
    response = web.post(
        "/stock/kits/new/",
        {
            "code": "empty_kit",
            "name_en": "Empty",
            "kind": "basic",
            "valid_from": "2026-01-01",
            **_lines("components", [], extra=3),
        },
    )
    assert response.status_code == 400 and "Add at least one line." in response.content.decode()


def test_seasons_are_listed_and_added(web):
    response = web.post(
        "/stock/seasons/new/",
        {
            "kind": "winter",
            "name": "Winter 2026-27",
            "starts_on": "2026-11-01",
            "ends_on": "2027-03-31",
        },
    )
    assert response.status_code == 302 and Season.objects.filter(name="Winter 2026-27").exists()
    assert "Winter 2026-27" in web.get("/stock/seasons/").content.decode()
    bad = web.post(
        "/stock/seasons/new/",
        {"kind": "winter", "name": "Backwards", "starts_on": "2026-11-01", "ends_on": "2026-01-01"},
    )
    assert bad.status_code == 400


# --- warehouses ------------------------------------------------------------------------------


def test_a_warehouse_is_added_and_its_page_shows_balances_and_levels(web, project, blanket):
    from sanad.geo.models import Place
    from tests.factories import PlaceFactory, subdistrict_in

    site = PlaceFactory(kind=Place.Kind.WAREHOUSE_SITE, admin_unit=subdistrict_in(DUHOK))
    response = web.post(
        "/stock/warehouses/new/",
        {"code": "duhok-2", "name": "Duhok second", "place": str(site.public_id)},
    )
    assert response.status_code == 302
    from sanad.stock.models import Warehouse

    warehouse = Warehouse.objects.get(code="duhok-2")
    stocked(warehouse, blanket, project, 12)
    response = web.post(
        f"/stock/warehouses/{warehouse.public_id}/thresholds/",
        {"item": str(blanket.public_id), "minimum": "20"},
    )
    assert response.status_code == 302
    page = web.get(f"/stock/warehouses/{warehouse.public_id}/").content.decode()
    assert (
        "alert below 20" in page and "below 20" in page.split('data-testid="warehouse-balances"')[1]
    )
    assert "Receipt" in page.split('data-testid="warehouse-movements"')[1]


def test_the_stock_card_shows_a_running_balance(web, warehouse, project, blanket):
    stocked(warehouse, blanket, project, 10)
    stocked(warehouse, blanket, project, 5)
    page = web.get(f"/stock/warehouses/{warehouse.public_id}/items/{blanket.public_id}/card/")
    balances = [
        part.split(">", 1)[1].split("<", 1)[0]
        for part in page.content.decode().split('data-testid="running-balance"')[1:]
    ]
    assert page.status_code == 200 and balances == ["10", "15"]


# --- receipts --------------------------------------------------------------------------------


def _receipt(warehouse: Any, project: Any, item: Any, key: str, qty: str = "40") -> dict:
    return {
        "warehouse": str(warehouse.public_id),
        "project": str(project.public_id),
        "date": TODAY.isoformat(),
        "supplier": "Al-Noor Trading",
        "delivery_note": "DN-778",
        "batch": "B-2026-01",
        "request_key": key,
        **_lines("lines", [{"item": str(item.public_id), "quantity": qty, "unit_cost": "12"}], 2),
    }


def test_a_receipt_posted_through_the_form_changes_the_balance(web, warehouse, project, blanket):
    form = web.get("/stock/movements/receive/").content.decode()
    assert 'name="request_key"' in form
    response = web.post(
        "/stock/movements/receive/", _receipt(warehouse, project, blanket, str(uuid.uuid4()))
    )
    assert response.status_code == 302
    assert balance_of(warehouse, blanket, project) == (Decimal(40), Decimal(0))
    m = Movement.objects.get(kind="receipt")
    detail = web.get(response["Location"]).content.decode()
    assert m.number in detail and "DN-778" in detail and "+40" in detail


def test_pressing_the_button_twice_posts_the_receipt_once(web, warehouse, project, blanket):
    data = _receipt(warehouse, project, blanket, str(uuid.uuid4()))
    first = web.post("/stock/movements/receive/", data)
    second = web.post("/stock/movements/receive/", data)
    assert first["Location"] == second["Location"]
    assert Movement.objects.filter(kind="receipt").count() == 1
    assert balance_of(warehouse, blanket, project)[0] == Decimal(40)


def test_a_receipt_without_supplier_or_donor_is_refused(web, warehouse, project, blanket):
    data = _receipt(warehouse, project, blanket, str(uuid.uuid4()))
    data["supplier"] = ""
    response = web.post("/stock/movements/receive/", data)
    assert response.status_code == 400 and not Movement.objects.exists()


# --- transfers -------------------------------------------------------------------------------


def test_a_transfer_goes_from_draft_to_received_with_a_loss(
    web, warehouse, erbil_warehouse, project, blanket
):
    stocked(erbil_warehouse, blanket, project, 50)
    response = web.post(
        "/stock/movements/transfer/",
        {
            "warehouse": str(erbil_warehouse.public_id),
            "to_warehouse": str(warehouse.public_id),
            "project": str(project.public_id),
            "date": TODAY.isoformat(),
            "request_key": str(uuid.uuid4()),
            **_lines("lines", [{"item": str(blanket.public_id), "quantity": "20"}]),
        },
    )
    m = Movement.objects.get(kind="transfer")
    assert response.status_code == 302 and m.status == "draft"
    url = f"/stock/movements/{m.public_id}/"
    assert 'data-testid="movement-dispatch"' in web.get(url).content.decode()

    web.post(f"{url}step/", {"action": "dispatch"})
    assert balance_of(erbil_warehouse, blanket, project)[0] == Decimal(30)
    web.post(f"{url}step/", {"action": "in_transit"})
    m.refresh_from_db()
    assert m.status == "in_transit"

    line = m.lines.get()
    missing_reason = web.post(f"{url}receive/", {f"received_{line.pk}": "18"})
    assert missing_reason.status_code == 400
    assert "did not arrive: say why" in missing_reason.content.decode()

    done = web.post(
        f"{url}receive/", {f"received_{line.pk}": "18", f"loss_reason_{line.pk}": "Torn in transit"}
    )
    assert done.status_code == 302
    assert balance_of(warehouse, blanket, project)[0] == Decimal(18)
    detail = web.get(url).content.decode()
    assert "Torn in transit" in detail and "Received" in detail
    assert detail.count("</li>", detail.index('data-testid="movement-history"')) >= 3


# --- kitting ---------------------------------------------------------------------------------


def test_kitting_shows_the_components_needed_before_confirming(web, warehouse, project, blanket):
    kit = make_kit("winter_kit", components=[(blanket, 5)], kind="winter")
    stocked(warehouse, blanket, project, 12)
    data = {
        "warehouse": str(warehouse.public_id),
        "kit": str(kit.public_id),
        "quantity": "3",
        "project": str(project.public_id),
        "date": TODAY.isoformat(),
        "request_key": str(uuid.uuid4()),
    }
    check = web.post("/stock/movements/kitting/", {**data, "confirm": "0"}).content.decode()
    assert 'data-testid="kitting-short"' in check  # 15 needed, 12 available
    live = web.post("/stock/movements/kitting/", data, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="kitting-preview"' in live and "<html" not in live

    data["quantity"] = "2"
    check = web.post("/stock/movements/kitting/", {**data, "confirm": "0"}).content.decode()
    assert "Enough stock" in check and not Movement.objects.filter(kind="kitting").exists()
    live = web.post("/stock/movements/kitting/", data, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="kitting-confirm"' in live
    response = web.post("/stock/movements/kitting/", {**data, "confirm": "1"})
    assert response.status_code == 302
    assert balance_of(warehouse, blanket, project)[0] == Decimal(2)
    assert balance_of(warehouse, kit.item, project)[0] == Decimal(2)


# --- adjustments and counts ------------------------------------------------------------------


def test_an_adjustment_is_approved_by_another_officer_only(
    web, warehouse, project, blanket, second_officer
):
    stocked(warehouse, blanket, project, 10)
    response = web.post(
        "/stock/movements/adjustment/",
        {
            "warehouse": str(warehouse.public_id),
            "project": str(project.public_id),
            "date": TODAY.isoformat(),
            "reason": "damage",
            "notes": "Roof leak",
            "request_key": str(uuid.uuid4()),
            **_lines(
                "lines", [{"item": str(blanket.public_id), "quantity": "3", "direction": "-1"}]
            ),
        },
    )
    m = Movement.objects.get(kind="adjustment")
    url = f"/stock/movements/{m.public_id}/"
    assert response.status_code == 302 and m.status == "requested"
    page = web.get(url).content.decode()
    assert 'data-testid="two-person"' in page and 'data-testid="movement-approve"' not in page
    assert web.post(f"{url}step/", {"action": "approve"}).status_code == 403

    colleague = client_for(second_officer)
    assert 'data-testid="movement-approve"' in colleague.get(url).content.decode()
    colleague.post(f"{url}step/", {"action": "approve"})
    m.refresh_from_db()
    assert m.status == "posted" and m.approved_by == second_officer
    assert balance_of(warehouse, blanket, project)[0] == Decimal(7)


def test_a_physical_count_shows_differences_and_posts_them_on_approval(
    web, warehouse, project, blanket, second_officer
):
    stocked(warehouse, blanket, project, 10)
    start = web.get("/stock/movements/count/")
    assert start.status_code == 200 and 'data-testid="count-start"' in start.content.decode()
    sheet = web.get(f"/stock/movements/count/?warehouse={warehouse.public_id}").content.decode()
    assert blanket.name in sheet and ">10<" not in sheet  # blind: the book stays hidden
    shown = web.get(
        f"/stock/movements/count/?warehouse={warehouse.public_id}&show_book=on"
    ).content.decode()
    assert ">10</td>" in shown

    response = web.post(
        f"/stock/movements/count/?warehouse={warehouse.public_id}",
        {"date": TODAY.isoformat(), "counted_0": "8", "request_key": str(uuid.uuid4())},
    )
    m = Movement.objects.get(kind="count")
    assert response.status_code == 302
    page = client_for(second_officer).get(f"/stock/movements/{m.public_id}/").content.decode()
    assert 'data-testid="count-difference">-2<' in page
    client_for(second_officer).post(f"/stock/movements/{m.public_id}/step/", {"action": "approve"})
    assert balance_of(warehouse, blanket, project)[0] == Decimal(8)


def test_a_rejection_needs_a_reason(web, warehouse, project, blanket, second_officer):
    stocked(warehouse, blanket, project, 10)
    m = services.adjustment_request(
        user=second_officer,
        warehouse=warehouse,
        project=project,
        date=TODAY,
        reason="loss",
        lines=[{"item": blanket, "quantity": 1, "direction": -1}],
    )
    url = f"/stock/movements/{m.public_id}/"
    web.post(f"{url}step/", {"action": "reject", "reason": ""})
    m.refresh_from_db()
    assert m.status == "requested"
    web.post(f"{url}step/", {"action": "reject", "reason": "Counted again: all there"})
    m.refresh_from_db()
    assert m.status == "rejected"


# --- scope, permissions, language ------------------------------------------------------------


def test_a_movement_list_filters_by_kind_and_hides_other_governorates(
    warehouse, erbil_warehouse, project, blanket
):
    stocked(warehouse, blanket, project, 1)
    far = stocked(erbil_warehouse, blanket, project, 1)
    duhok_only = make_user("warehouse_officer", governorates=(DUHOK,), programmes=("NFI",))
    web = client_for(duhok_only)
    body = web.get("/stock/movements/?kind=receipt").content.decode()
    assert far.number not in body and 'data-testid="list-count"' in body
    assert web.get(f"/stock/movements/{far.public_id}/").status_code == 404
    assert web.get(f"/stock/warehouses/{erbil_warehouse.public_id}/").status_code == 404
    assert web.get("/stock/?low=on").status_code == 200


def test_a_transfer_on_its_way_is_seen_by_the_receiving_warehouse(
    warehouse, erbil_warehouse, project, blanket, officer
):
    stocked(erbil_warehouse, blanket, project, 5)
    m = services.transfer_create(
        user=officer,
        from_warehouse=erbil_warehouse,
        to_warehouse=warehouse,
        project=project,
        date=TODAY,
        lines=[{"item": blanket, "quantity": 5}],
    )
    services.transfer_dispatch(user=officer, movement=m)
    duhok_only = make_user("warehouse_officer", governorates=(DUHOK,), programmes=("NFI",))
    page = client_for(duhok_only).get(f"/stock/movements/{m.public_id}/")
    assert page.status_code == 200 and 'data-testid="movement-receive"' in page.content.decode()


def test_viewers_see_stock_but_cannot_record(warehouse, project, blanket):
    stocked(warehouse, blanket, project, 3)
    viewer = client_for(make_user("me_viewer"))
    assert viewer.get("/stock/").status_code == 200
    assert 'data-testid="record-menu"' not in viewer.get("/stock/").content.decode()
    assert viewer.get("/stock/movements/receive/").status_code == 403
    assert viewer.get("/stock/items/new/").status_code == 403
    enumerator = client_for(make_user("field_enumerator", governorates=(ERBIL,)))
    assert enumerator.get("/stock/").status_code == 403


def test_the_pages_read_right_to_left_in_arabic(officer, warehouse, project, blanket):
    stocked(warehouse, blanket, project, 3)
    officer.preferred_language = "ar"
    officer.save(update_fields=["preferred_language"])
    web = client_for(officer)
    for url in ("/stock/", "/stock/movements/", f"/stock/warehouses/{warehouse.public_id}/"):
        body = web.get(url).content.decode()
        assert 'dir="rtl"' in body and "bootstrap.rtl" in body


def test_the_entries_of_a_posted_movement_are_listed(web, warehouse, project, blanket):
    m = stocked(warehouse, blanket, project, 4)
    page = web.get(f"/stock/movements/{m.public_id}/").content.decode()
    assert StockEntry.objects.filter(movement=m).count() == 1
    assert "+4" in page.split('data-testid="movement-entries"')[1]
