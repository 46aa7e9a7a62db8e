"""The API a vendor's system uses: look a voucher up and redeem it with an idempotency
key (a retry answers the first sale with the same status and spends nothing), every
refusal with its code and HTTP status; and the scoped read-only lists."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from sanad.assistance.models import AssistanceRecord
from sanad.cash import services
from sanad.cash.models import Redemption, Voucher
from sanad.cash.services._common import code_display
from tests.cash.factories import cash_world, key, line, make_cashier, make_vendor, redeem
from tests.conftest import api_client_for
from tests.factories import DUHOK, ERBIL, make_user

pytestmark = pytest.mark.django_db


def _redeem(api: Any, code: str, items: list[dict[str, Any]], idem: str | None = "", **body: Any):
    headers = {} if idem is None else {"HTTP_IDEMPOTENCY_KEY": idem or key()}
    payload = {"items": [{k: str(v) for k, v in i.items()} for i in items], **body}
    return api.post(f"/api/v1/vouchers/{code}/redemptions", payload, format="json", **headers)


def test_a_sale_answers_201_and_a_retry_with_the_same_key_answers_the_same_and_spends_once():
    w = cash_world(households=1)
    api = api_client_for(w.cashier)
    items = [line(w.blanket, 2), line(w.soap, 1)]
    first = _redeem(api, w.code(0), items, idem="till-7-0001")
    assert first.status_code == 201, first.json()
    body = first.json()
    assert set(body) == {"redemption", "amount", "currency", "balance", "voucher_status"}
    assert Decimal(body["amount"]) == Decimal("25500") and Decimal(body["balance"]) == 24500
    again = _redeem(api, w.code(0), items, idem="till-7-0001")
    assert again.status_code == 201 and again.json() == body
    assert again["Idempotent-Replayed"] == "true"
    assert Redemption.objects.count() == 1
    assert AssistanceRecord.objects.filter(source_type="cash.redemption").count() == 1


def test_the_code_is_accepted_with_dashes_in_lower_case_and_the_exact_path():
    w = cash_world(households=1)
    api = api_client_for(w.cashier)
    code = code_display(w.code(0)).lower()
    response = _redeem(api, code, [line(w.soap, 2)])
    assert response.status_code == 201
    assert Decimal(response.json()["balance"]) == Decimal("47000")
    assert response.json()["voucher_status"] == "active"


def test_spending_the_whole_balance_marks_the_voucher_spent():
    w = cash_world(households=1, amount="24000")
    api = api_client_for(w.cashier)
    response = _redeem(api, w.code(0), [line(w.blanket, 2)])
    assert response.json()["voucher_status"] == "spent"
    spent = _redeem(api, w.code(0), [line(w.soap, 1)])
    assert spent.status_code == 409 and spent.json()["error"]["code"] == "voucher_spent"


def test_a_missing_idempotency_key_is_refused_with_400():
    w = cash_world(households=1)
    response = _redeem(api_client_for(w.cashier), w.code(0), [line(w.blanket)], idem=None)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "idempotency_key_missing" and "Idempotency-Key" in error["message"]
    assert Redemption.objects.count() == 0


def test_the_same_key_with_another_sale_is_refused():
    w = cash_world(households=1)
    api = api_client_for(w.cashier)
    _redeem(api, w.code(0), [line(w.blanket)], idem="k-1")
    other = _redeem(api, w.code(0), [line(w.blanket, 2)], idem="k-1")
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("unknown", 404, "voucher_not_found"),
        ("cancelled", 409, "voucher_cancelled"),
        ("expired", 409, "voucher_expired"),
        ("over", 409, "insufficient_balance"),
        ("category", 400, "item_not_allowed"),
        ("bad_items", 400, "invalid_items"),
        ("not_cashier", 403, "not_vendor_staff"),
        ("suspended", 403, "vendor_not_active"),
    ],
)
def test_each_refusal_has_its_code_and_http_status(case, status, code):
    w = cash_world(households=1, allowed_categories=["bedding", "hygiene"])
    api = api_client_for(w.cashier)
    voucher_code = w.code(0)
    items = [line(w.blanket)]
    if case == "unknown":
        voucher_code = "0000-0000-0000-0000"
    elif case == "cancelled":
        services.voucher_cancel(user=w.officer, voucher=w.voucher(0), reason="Lost")
    elif case == "expired":
        Voucher.objects.filter(pk=w.voucher(0).pk).update(
            expires_on=timezone.localdate() - datetime.timedelta(days=1)
        )
    elif case == "over":
        items = [line(w.blanket, 5)]
    elif case == "category":
        items = [line(w.heater)]
    elif case == "bad_items":
        items = [{"item": w.blanket.code, "quantity": "two", "unit_price": "12000"}]
    elif case == "not_cashier":  # the role, without being a shop's cashier
        api = api_client_for(make_user("vendor_staff", governorates=(DUHOK,)))
    elif case == "suspended":
        services.vendor_transition(user=w.officer, vendor=w.vendor, to="suspended", reason="Audit")
    response = _redeem(api, voucher_code, items)
    assert response.status_code == status, response.json()
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert Redemption.objects.count() == 0


def test_a_pin_voucher_needs_the_right_pin():
    w = cash_world(households=1, require_pin=True)
    api = api_client_for(w.cashier)
    missing = _redeem(api, w.code(0), [line(w.blanket)])
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "pin_required"
    wrong = _redeem(api, w.code(0), [line(w.blanket)], pin="0000" if w.pin(0) != "0000" else "1")
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "pin_wrong"
    assert _redeem(api, w.code(0), [line(w.blanket)], pin=w.pin(0)).status_code == 201


def test_a_cashier_of_a_vendor_the_plan_does_not_allow_gets_wrong_vendor():
    w = cash_world(households=1, issue=False, approve=False)
    other = make_vendor(w.officer, prices={w.blanket: Decimal("12000")})
    other_cashier = make_cashier(w.officer, other)
    plan = services.plan_create(
        user=w.officer,
        name="Only the first shop",
        beneficiary_list=w.lst,
        project=w.project,
        modality="evoucher",
        currency="IQD",
        exchange_rate="1310",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
        amount="50000",
        allowed_vendors=[w.vendor],
    )
    services.plan_approve(user=w.approver, plan=plan)
    ((voucher, _pin),) = services.vouchers_issue(user=w.officer, plan=plan)
    api = api_client_for(other_cashier)
    response = _redeem(api, voucher.code, [line(w.blanket)])
    assert response.status_code == 403 and response.json()["error"]["code"] == "wrong_vendor"
    looked = api.get(f"/api/v1/vouchers/{voucher.code}")
    assert looked.status_code == 403 and looked.json()["error"]["code"] == "wrong_vendor"
    assert _redeem(api_client_for(w.cashier), voucher.code, [line(w.blanket)]).status_code == 201


def test_the_cashier_looks_a_voucher_up_without_anything_about_the_family():
    w = cash_world(households=1, allowed_categories=["bedding"])
    api = api_client_for(w.cashier)
    redeem(w, 0, [line(w.blanket, 1)])
    response = api.get(f"/api/v1/vouchers/{code_display(w.code(0))}")
    assert response.status_code == 200
    data = response.json()
    assert data["balance"] == "38000.00" and data["currency"] == "IQD"
    assert (
        data["status"] == "active" and data["usable"] and data["allowed_categories"] == ["bedding"]
    )
    assert [i["item"] for i in data["items"]] == [w.blanket.code]
    household = w.households[0]
    assert household.registration_id not in response.content.decode()
    assert api.get("/api/v1/vouchers/ZZZZ").status_code == 404
    # Someone who is not a cashier learns nothing.
    assert api_client_for(w.officer).get(f"/api/v1/vouchers/{w.code(0)}").status_code == 403


def test_the_read_only_lists_are_scoped_and_closed_to_cashiers():
    w = cash_world(households=1)
    redeem(w, 0, [line(w.blanket, 1)])
    make_vendor(w.admin, governorate=ERBIL, name="Erbil shop")
    viewer = make_user("me_viewer", governorates=(DUHOK,))
    api = api_client_for(viewer)
    plans = api.get("/api/v1/cash/plans/").json()["results"]
    assert [p["id"] for p in plans] == [str(w.plan.public_id)]
    vendors = api.get("/api/v1/cash/vendors/").json()["results"]
    assert [v["code"] for v in vendors] == [w.vendor.code]
    redemptions = api.get("/api/v1/cash/redemptions/").json()["results"]
    assert len(redemptions) == 1 and redemptions[0]["voucher"] == f"…{w.code(0)[-4:]}"
    assert redemptions[0]["lines"][0]["item"] == w.blanket.code
    assert w.code(0) not in str(redemptions)
    assert api.get("/api/v1/cash/payment-requests/").status_code == 200
    cashier = api_client_for(w.cashier)
    for url in ("/api/v1/cash/plans/", "/api/v1/cash/vendors/", "/api/v1/cash/redemptions/"):
        assert cashier.get(url).status_code == 403, url


def test_the_schema_of_the_cash_endpoints_generates_without_warnings():
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.routers import DefaultRouter

    from sanad.cash import api as cash_api

    router = DefaultRouter()
    cash_api.register(router)
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=[path("api/v1/", include(router.urls))]).get_schema(
        request=None, public=True
    )
    assert not GENERATOR_STATS._warn_cache
    assert not GENERATOR_STATS._error_cache
    assert "/api/v1/vouchers/{code}/redemptions" in schema["paths"]
    assert "/api/v1/vouchers/{code}" in schema["paths"]
    assert "/api/v1/cash/plans/" in schema["paths"]
