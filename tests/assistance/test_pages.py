"""The ledger's pages: the household history fragment, the ledger list and its CSV,
and recording a delivery by hand."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from sanad.assistance.models import AssistanceRecord
from tests.assistance.conftest import TODAY, days_ago
from tests.conftest import client_for
from tests.factories import DUHOK, make_user

pytestmark = pytest.mark.django_db


def history_url(household):
    return reverse("assistance:household_history", args=[household.public_id])


# --- the fragment on the household page -------------------------------------------------


def test_the_history_fragment_lists_the_deliveries_without_the_page_layout(
    deliver, household, officer, shelter
):
    deliver(household=household, item="winter_kit", description="Blankets and a heater")
    deliver(household=household, programme=shelter, item="sealing_off_kit")
    response = client_for(officer).get(history_url(household), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "navbar" not in body
    assert "winter_kit" in body and "Non-Food Items" in body
    assert "sealing_off_kit" not in body  # Shelter is outside the officer's programmes


def test_the_history_of_a_household_outside_ones_registry_scope_is_not_found(
    deliver, erbil_household, officer
):
    deliver(household=erbil_household)
    assert client_for(officer).get(history_url(erbil_household)).status_code == 404


def test_without_the_ledger_permission_the_fragment_explains_why_it_is_empty(deliver, household):
    deliver(household=household)
    enumerator = make_user("field_enumerator", governorates=(DUHOK,))
    response = client_for(enumerator).get(history_url(household))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="assistance-no-permission"' in body and "winter_kit" not in body


def test_a_household_with_no_deliveries_shows_an_empty_state_with_a_way_to_record_one(
    household, officer
):
    body = client_for(officer).get(history_url(household)).content.decode()
    assert 'data-testid="assistance-empty"' in body
    assert f"?household={household.registration_id}" in body


def test_the_history_fragment_reads_a_fixed_number_of_queries(
    deliver, household, officer, django_assert_max_num_queries
):
    for i in range(5):
        deliver(household=household, delivered_on=days_ago(i + 1))
    client = client_for(officer)
    client.get(history_url(household))
    with django_assert_max_num_queries(12):
        client.get(history_url(household))


# --- the ledger list ----------------------------------------------------------------------


def test_the_ledger_lists_what_the_scope_reaches_with_filters(
    deliver, household, erbil_household, officer, shelter, project
):
    deliver(household=household, item="winter_kit", project=project)
    deliver(household=household, item="hygiene_kit", delivered_on=days_ago(50))
    deliver(household=household, programme=shelter, item="sealing_off_kit")
    deliver(household=erbil_household, item="erbil_kit")
    client = client_for(officer)
    body = client.get(reverse("assistance:record_list")).content.decode()
    assert "winter_kit" in body and "hygiene_kit" in body
    assert "sealing_off_kit" not in body and "erbil_kit" not in body
    body = client.get(
        reverse("assistance:record_list"), {"delivered_from": days_ago(20).isoformat()}
    ).content.decode()
    assert "winter_kit" in body and "hygiene_kit" not in body
    body = client.get(
        reverse("assistance:record_list"), {"project": str(project.public_id)}
    ).content.decode()
    assert "winter_kit" in body and "hygiene_kit" not in body
    body = client.get(
        reverse("assistance:record_list"), {"household": household.registration_id}
    ).content.decode()
    assert "winter_kit" in body


def test_the_ledger_needs_the_permission_to_see_it():
    enumerator = make_user("field_enumerator")
    assert client_for(enumerator).get(reverse("assistance:record_list")).status_code == 403


def test_the_ledger_page_reads_a_fixed_number_of_queries(
    deliver, officer, django_assert_max_num_queries
):
    from tests.assistance.conftest import household_with_members

    for i in range(8):
        deliver(household=household_with_members(DUHOK, members=1), delivered_on=days_ago(i + 1))
    client = client_for(officer)
    client.get(reverse("assistance:record_list"))
    with django_assert_max_num_queries(15):
        response = client.get(reverse("assistance:record_list"))
    assert response.content.decode().count("winter_kit") == 8


def test_the_csv_download_has_the_filtered_rows_and_hxl_tags(
    deliver, household, erbil_household, officer
):
    deliver(household=household, item="winter_kit")
    deliver(household=household, item="hygiene_kit", delivered_on=days_ago(50))
    deliver(household=erbil_household, item="erbil_kit")
    response = client_for(officer).get(
        reverse("assistance:record_export"), {"delivered_from": days_ago(20).isoformat()}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[1].startswith("#date,#household+id")
    assert len(lines) == 3 and "winter_kit" in lines[2] and household.registration_id in lines[2]


# --- recording by hand ------------------------------------------------------------------


def form_data(household, **extra):
    data = {
        "household": household.registration_id,
        "programme": "NFI",
        "kind": "in_kind",
        "item": "winter_kit",
        "quantity": "1",
        "unit": "kit",
        "delivered_on": days_ago(1).isoformat(),
        "idempotency_key": "5b0e8c3e-2d7f-4c5e-9a55-2b0c7d1f4a10",
        "currency": "",
    }
    data.update(extra)
    return data


def test_an_officer_records_a_delivery_and_a_double_submit_records_it_once(household, officer):
    client = client_for(officer)
    page = client.get(reverse("assistance:record_create") + f"?household={household.public_id}")
    assert page.status_code == 200
    body = page.content.decode()
    assert household.registration_id in body
    assert re.search(r'name="idempotency_key" value="[0-9a-f-]{36}"', body)
    first = client.post(reverse("assistance:record_create"), form_data(household))
    assert first.status_code == 302
    second = client.post(reverse("assistance:record_create"), form_data(household))
    assert second.status_code == 302
    record = AssistanceRecord.objects.get()
    assert (
        record.source_type == "manual"
        and record.source_id == "5b0e8c3e-2d7f-4c5e-9a55-2b0c7d1f4a10"
    )
    assert record.delivered_by == officer and record.household == household


def test_the_form_shows_the_services_refusal_beside_the_field(household, officer):
    response = client_for(officer).post(
        reverse("assistance:record_create"),
        form_data(household, kind="cash", quantity="", unit="", value="100", currency="USD"),
    )
    assert response.status_code == 400
    assert 'data-testid="error-exchange_rate"' in response.content.decode()
    assert not AssistanceRecord.objects.exists()


def test_a_household_outside_ones_area_cannot_be_chosen(erbil_household, officer):
    response = client_for(officer).post(
        reverse("assistance:record_create"), form_data(erbil_household)
    )
    assert response.status_code == 400
    assert 'data-testid="error-household"' in response.content.decode()


def test_the_form_offers_only_the_programmes_one_may_record_for(officer):
    body = client_for(officer).get(reverse("assistance:record_create")).content.decode()
    assert 'value="NFI"' in body and 'value="SHELTER"' not in body


def test_recording_by_hand_needs_the_permission():
    viewer = make_user("me_viewer")
    assert client_for(viewer).get(reverse("assistance:record_create")).status_code == 403


def test_the_pages_work_in_arabic(deliver, household, officer):
    deliver(household=household)
    client = client_for(officer)
    client.cookies["sanad_language"] = "ar"
    response = client.get(reverse("assistance:record_list"), HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200
    assert 'dir="rtl"' in response.content.decode()
    assert client.get(reverse("assistance:record_create")).status_code == 200
    assert TODAY.isoformat() in client.get(reverse("assistance:record_create")).content.decode()
