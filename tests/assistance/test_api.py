"""The ledger's API: list (scoped, filtered), record (idempotent by source), and unique
people reached."""

from __future__ import annotations

import pytest

from sanad.assistance.models import AssistanceRecord
from tests.assistance.conftest import days_ago
from tests.conftest import api_client_for
from tests.factories import DUHOK, ERBIL, make_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/assistance/"


def payload(household, **extra):
    data = {
        "household": str(household.public_id),
        "programme": "NFI",
        "kind": "in_kind",
        "item": "winter_kit",
        "quantity": "1",
        "unit": "kit",
        "delivered_on": days_ago(2).isoformat(),
        "source_type": "kobo.submission",
        "source_id": "uuid-1",
    }
    data.update(extra)
    return data


def test_the_list_shows_the_deliveries_in_scope(
    deliver, household, erbil_household, officer, shelter, django_assert_max_num_queries
):
    deliver(household=household, item="winter_kit")
    deliver(household=household, programme=shelter, item="sealing_off_kit")
    deliver(household=erbil_household, item="erbil_kit")
    client = api_client_for(officer)
    with django_assert_max_num_queries(10):
        response = client.get(URL)
    assert response.status_code == 200
    items = [r["item"] for r in response.json()["results"]]
    assert items == ["winter_kit"]
    row = response.json()["results"][0]
    assert row["household"] == str(household.public_id)
    assert row["household_registration_id"] == household.registration_id
    assert row["governorate"] == DUHOK and row["programme"] == "NFI"


def test_the_list_filters_by_household_item_and_source(deliver, household, officer):
    deliver(
        household=household, item="winter_kit", source_type="distribution.receipt", source_id="r-9"
    )
    deliver(household=household, item="hygiene_kit")
    client = api_client_for(officer)
    assert [r["item"] for r in client.get(URL, {"item": "hygiene_kit"}).json()["results"]] == [
        "hygiene_kit"
    ]
    found = client.get(URL, {"source_type": "distribution.receipt", "source_id": "r-9"}).json()[
        "results"
    ]
    assert [r["item"] for r in found] == ["winter_kit"]
    assert client.get(URL, {"household": household.registration_id}).json()["count"] == 2


def test_posting_a_delivery_records_it_and_a_retry_records_nothing_new(household, officer):
    client = api_client_for(officer)
    first = client.post(URL, payload(household), format="json")
    assert first.status_code == 201, first.json()
    again = client.post(URL, payload(household), format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    changed = client.post(URL, payload(household, quantity="3"), format="json")
    assert changed.status_code == 409
    assert changed.json()["error"]["code"] == "source_already_recorded"
    assert AssistanceRecord.objects.count() == 1


def test_a_refused_delivery_answers_with_the_error_shape(household, officer):
    response = api_client_for(officer).post(
        URL,
        payload(household, kind="cash", quantity=None, unit="", value="100", currency="USD"),
        format="json",
    )
    assert response.status_code == 400
    assert "exchange_rate" in response.json()["error"]["fields"]


def test_posting_needs_the_recording_permission_and_scope(household, erbil_household, officer):
    viewer = make_user("me_viewer")
    assert api_client_for(viewer).post(URL, payload(household), format="json").status_code == 403
    # A household outside the officer's registry scope is not found by its id.
    response = api_client_for(officer).post(URL, payload(erbil_household), format="json")
    assert response.status_code == 400 and "household" in response.json()["error"]["fields"]
    # A programme outside the officer's scope.
    response = api_client_for(officer).post(
        URL, payload(household, programme="SHELTER", source_id="x"), format="json"
    )
    assert response.status_code == 403


def test_people_reached_counts_unique_people_in_scope(
    deliver, household, erbil_household, officer, django_assert_max_num_queries
):
    deliver(household=household)
    deliver(household=household, item="summer_kit")
    deliver(household=erbil_household)
    client = api_client_for(officer)
    with django_assert_max_num_queries(6):
        response = client.get(
            URL + "people-reached/", {"programme": "NFI", "start": days_ago(30).isoformat()}
        )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["individuals"] == 4 and body["households"] == 1
    assert body["by_sex_and_age"]["female"]["18-59"] == 1
    admin = api_client_for(make_user("administrator"))
    assert admin.get(URL + "people-reached/", {"governorate": ERBIL}).json()["individuals"] == 2


def test_people_reached_is_open_to_donors_and_refuses_bad_parameters(deliver, household):
    deliver(household=household)
    donor = api_client_for(make_user("donor_viewer"))
    assert donor.get(URL + "people-reached/").json()["individuals"] == 4
    assert donor.get(URL).status_code == 403  # no records about people
    bad = donor.get(URL + "people-reached/", {"governorate": "IQG09Q02"})
    assert bad.status_code == 400 and "governorate" in bad.json()["error"]["fields"]
    bad = donor.get(URL + "people-reached/", {"start": "2026-05-01", "end": "2026-01-01"})
    assert bad.status_code == 400
    enumerator = api_client_for(make_user("field_enumerator"))
    assert enumerator.get(URL + "people-reached/").status_code == 403
