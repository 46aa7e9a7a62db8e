from __future__ import annotations

from decimal import Decimal

import pytest

from sanad.stock import services
from sanad.stock.models import Movement
from tests.conftest import api_client_for
from tests.factories import ERBIL, make_user
from tests.stock.factories import DAY, balance_of, make_item, make_kit, make_warehouse, stocked

pytestmark = pytest.mark.django_db


def test_the_catalogue_lists_kits_with_their_current_contents(
    officer, django_assert_max_num_queries
):
    blanket = make_item("blanket")
    make_kit("winter", components=[(blanket, 5)], kind="winter")
    make_kit("basic")
    api = api_client_for(officer)
    with django_assert_max_num_queries(12):
        response = api.get("/api/v1/stock/kits/")
    assert response.status_code == 200
    kits = {k["code"]: k for k in response.json()["results"]}
    winter = kits["winter"]
    assert winter["current_version"]["number"] == 1
    assert winter["current_version"]["components"][0]["item"] == "blanket"
    assert Decimal(winter["current_version"]["components"][0]["quantity"]) == 5
    items = api.get("/api/v1/stock/items/?category=kit").json()["results"]
    assert {i["code"] for i in items} == {"winter", "basic"}


def test_balances_and_movements_are_limited_to_the_governorates_of_the_role(
    warehouse, erbil_warehouse, project
):
    item = make_item("mattress")
    stocked(warehouse, item, project, 10)
    stocked(erbil_warehouse, item, project, 7)
    erbil = make_user("warehouse_officer", governorates=(ERBIL,), programmes=("NFI",))
    api = api_client_for(erbil)
    rows = api.get("/api/v1/stock/balances/").json()["results"]
    assert [(r["warehouse_code"], Decimal(r["quantity"])) for r in rows] == [("erbil-main", 7)]
    movements = api.get("/api/v1/stock/movements/").json()["results"]
    assert len(movements) == 1 and movements[0]["kind"] == "receipt"
    duhok_receipt = Movement.objects.get(warehouse=warehouse)
    assert api.get(f"/api/v1/stock/movements/{duhok_receipt.public_id}/").status_code == 404
    assert api.get(f"/api/v1/stock/warehouses/{warehouse.public_id}/").status_code == 404


def test_the_stock_card_endpoint_gives_the_running_balance(officer, warehouse, project):
    item = make_item("mattress")
    stocked(warehouse, item, project, 10)
    stocked(warehouse, item, project, 5)
    api = api_client_for(officer)
    response = api.get(f"/api/v1/stock/warehouses/{warehouse.public_id}/card/?item=mattress")
    assert response.status_code == 200
    assert [Decimal(e["running"]) for e in response.json()["results"]] == [10, 15]
    missing = api.get(f"/api/v1/stock/warehouses/{warehouse.public_id}/card/?item=nothing")
    assert missing.status_code == 404 and "error" in missing.json()


def test_a_receipt_posted_twice_with_the_same_key_is_recorded_once(officer, warehouse, project):
    make_item("mattress")
    api = api_client_for(officer)
    body = {
        "warehouse": str(warehouse.public_id),
        "project": project.code,
        "date": DAY.isoformat(),
        "lines": [{"item": "mattress", "quantity": "40", "unit_cost": "14.50"}],
        "supplier": "Al-Noor Trading",
        "request_key": "tablet-7-1",
    }
    first = api.post("/api/v1/stock/movements/receipt/", body, format="json")
    second = api.post("/api/v1/stock/movements/receipt/", body, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["number"].startswith("RCV-2026-")
    assert Movement.objects.count() == 1


def test_kitting_through_the_api_explains_a_shortage(officer, warehouse, project):
    blanket = make_item("blanket", name_en="Blanket")
    kit = make_kit("winter", components=[(blanket, 5)])
    stocked(warehouse, blanket, project, 12)
    api = api_client_for(officer)
    body = {
        "warehouse": str(warehouse.public_id),
        "project": project.code,
        "kit": kit.code,
        "quantity": 3,
        "date": DAY.isoformat(),
    }
    response = api.post("/api/v1/stock/movements/kitting/", body, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "insufficient_stock"
    assert "Only 12 piece of Blanket" in response.json()["error"]["message"]
    body["quantity"] = 2
    assert api.post("/api/v1/stock/movements/kitting/", body, format="json").status_code == 201
    assert balance_of(warehouse, kit.item, project)[0] == 2


def test_an_adjustment_is_requested_and_approved_by_another_person_through_the_api(
    officer, second_officer, warehouse, project
):
    item = make_item("mattress")
    stocked(warehouse, item, project, 10)
    body = {
        "warehouse": str(warehouse.public_id),
        "project": project.code,
        "date": DAY.isoformat(),
        "reason": "damage",
        "lines": [{"item": "mattress", "quantity": "3", "direction": -1}],
    }
    created = api_client_for(officer).post(
        "/api/v1/stock/movements/adjustment/", body, format="json"
    )
    assert created.status_code == 201 and created.json()["status"] == "requested"
    url = f"/api/v1/stock/movements/{created.json()['id']}/approve/"
    own = api_client_for(officer).post(url, {}, format="json")
    assert own.status_code == 403 and own.json()["error"]["code"] == "same_person"
    approved = api_client_for(second_officer).post(url, {}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "posted"
    assert balance_of(warehouse, item, project)[0] == 7


def test_a_viewer_reads_but_cannot_record(warehouse, project):
    viewer = make_user("me_viewer")
    make_item("mattress")
    api = api_client_for(viewer)
    assert api.get("/api/v1/stock/items/").status_code == 200
    response = api.post(
        "/api/v1/stock/movements/receipt/",
        {
            "warehouse": str(warehouse.public_id),
            "project": project.code,
            "date": DAY.isoformat(),
            "lines": [{"item": "mattress", "quantity": "1"}],
        },
        format="json",
    )
    assert response.status_code == 403 and "error" in response.json()


def test_a_receipt_for_a_warehouse_outside_the_role_is_refused_as_not_found(project):
    make_item("mattress")
    erbil_wh = make_warehouse(ERBIL)
    duhok = make_user("warehouse_officer", governorates=("IQG09",), programmes=("NFI",))
    response = api_client_for(duhok).post(
        "/api/v1/stock/movements/receipt/",
        {
            "warehouse": str(erbil_wh.public_id),
            "project": project.code,
            "date": DAY.isoformat(),
            "lines": [{"item": "mattress", "quantity": "1"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "warehouse" in response.json()["error"]["fields"]
    assert not Movement.objects.exists()


def test_the_schema_of_the_stock_endpoints_generates_without_warnings() -> None:
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.routers import DefaultRouter

    from sanad.stock import api as stock_api

    router = DefaultRouter()
    stock_api.register(router)
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=[path("api/v1/", include(router.urls))]).get_schema(
        request=None, public=True
    )
    assert "/api/v1/stock/warehouses/{public_id}/card/" in schema["paths"]
    assert "/api/v1/stock/movements/receipt/" in schema["paths"]
    assert not GENERATOR_STATS._warn_cache
    assert not GENERATOR_STATS._error_cache


def test_services_are_what_the_api_calls(officer, warehouse, project):
    # A count recorded by one officer is approved through the API by another.
    item = make_item()
    stocked(warehouse, item, project, 4)
    count = services.count_record(
        user=officer,
        warehouse=warehouse,
        date=DAY,
        lines=[{"item": item, "project": project, "counted": 3}],
    )
    other = make_user("warehouse_officer")
    response = api_client_for(other).post(
        f"/api/v1/stock/movements/{count.public_id}/reject/", {"reason": "Recount"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "rejected"
