"""The API a phone uses on distribution day: scoped reads, the household check and the
receipt (the same services as the page: refusals with their code, retries replayed)."""

from __future__ import annotations

import pytest

from sanad.assistance.models import AssistanceRecord
from sanad.distribution.models import Receipt
from sanad.registry.cards.pdf import qr_payload
from tests.conftest import api_client_for
from tests.distribution.factories import distribution_world, head_of, open_event
from tests.factories import DUHOK, make_user
from tests.registry.factories import make_household

pytestmark = pytest.mark.django_db


def _body(w, event, household, **extra):
    body = {
        "event": str(event.public_id),
        "household": household.registration_id,
        "collected_by": str(head_of(household).public_id),
        "proof": "declared",
    }
    body.update(extra)
    return body


def test_a_phone_records_a_receipt_and_a_retry_returns_the_same_one():
    w = distribution_world(households=1)
    event = open_event(w)
    api = api_client_for(w.field)
    body = _body(w, event, w.households[0], client_key="phone-1-abc", found_by="qr")
    first = api.post("/api/v1/distribution/receipts/", body, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["registration_id"] == w.households[0].registration_id
    assert "signature" not in first.json()
    again = api.post("/api/v1/distribution/receipts/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Receipt.objects.count() == 1
    assert AssistanceRecord.objects.filter(source_type="distribution.receipt").count() == 1
    listed = api.get(f"/api/v1/distribution/receipts/?event={event.public_id}")
    assert listed.status_code == 200 and listed.json()["count"] == 1


def test_the_check_by_scanned_qr_says_ok_with_the_collectors():
    w = distribution_world(households=1)
    event = open_event(w)
    household = w.households[0]
    response = api_client_for(w.field).post(
        f"/api/v1/distribution/events/{event.public_id}/check/",
        {"household": qr_payload(household)},
        format="json",
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["ok"] and data["code"] == ""
    assert data["head"]["id"] == str(head_of(household).public_id)
    assert [c["id"] for c in data["collectors"]] == [str(head_of(household).public_id)]


def test_a_household_not_on_the_list_is_refused_with_its_code_and_no_names():
    w = distribution_world(households=1)
    event = open_event(w)
    stranger = make_household(governorate=DUHOK, members=2)
    api = api_client_for(w.field)
    check = api.post(
        f"/api/v1/distribution/events/{event.public_id}/check/",
        {"household": stranger.registration_id},
        format="json",
    )
    assert check.status_code == 200
    assert check.json()["code"] == "not_on_list" and check.json()["head"] is None
    refused = api.post("/api/v1/distribution/receipts/", _body(w, event, stranger), format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "not_on_list"
    assert stranger.registration_id in refused.json()["error"]["message"]


def test_a_second_device_is_told_when_and_by_whom():
    w = distribution_world(households=1)
    event = open_event(w)
    api = api_client_for(w.field)
    api.post("/api/v1/distribution/receipts/", _body(w, event, w.households[0]), format="json")
    other = api_client_for(
        make_user("field_enumerator", governorates=(DUHOK,), programmes=("NFI",))
    )
    second = other.post(
        "/api/v1/distribution/receipts/", _body(w, event, w.households[0]), format="json"
    )
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "already_received"
    assert str(w.field) in second.json()["error"]["message"]


def test_reads_are_scoped_and_roles_without_record_cannot_post():
    w = distribution_world(households=1)
    event = open_event(w)
    outsider = make_user("programme_officer", governorates=("IQG11",), programmes=("NFI",))
    api = api_client_for(outsider)
    assert api.get("/api/v1/distribution/plans/").json()["count"] == 0
    assert api.get(f"/api/v1/distribution/events/{event.public_id}/").status_code == 404
    assert (
        api.post(
            "/api/v1/distribution/receipts/", _body(w, event, w.households[0]), format="json"
        ).status_code
        == 404
    )
    viewer = api_client_for(make_user("me_viewer", governorates=(DUHOK,), programmes=("NFI",)))
    assert viewer.get("/api/v1/distribution/plans/").json()["count"] == 1
    assert viewer.get(f"/api/v1/distribution/events/{event.public_id}/").status_code == 200
    denied = viewer.post(
        "/api/v1/distribution/receipts/", _body(w, event, w.households[0]), format="json"
    )
    assert denied.status_code == 403 and "error" in denied.json()


def test_the_receipt_list_costs_the_same_queries_for_one_or_many(django_assert_max_num_queries):
    from tests.distribution.factories import record

    w = distribution_world(households=3)
    event = open_event(w)
    api = api_client_for(w.field)
    record(w, event, w.households[0])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert api.get("/api/v1/distribution/receipts/").json()["count"] == 1
    record(w, event, w.households[1])
    record(w, event, w.households[2])
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert api.get("/api/v1/distribution/receipts/").json()["count"] == 3
