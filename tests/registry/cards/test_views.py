"""Printing cards (one, a list, a search) and following a scanned card, with the
permission and the scope they need."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanad.core.models import Job, PersonalDataAccess
from sanad.registry.cards import views
from sanad.registry.models import Household
from tests.conftest import api_client_for, client_for
from tests.factories import DUHOK, ERBIL, make_user, subdistrict_in
from tests.registry.factories import HouseholdFactory, IndividualFactory

pytestmark = pytest.mark.django_db


def household(governorate: str = DUHOK, **fields) -> Household:
    h = HouseholdFactory(admin_unit=subdistrict_in(governorate), **fields)
    IndividualFactory(household=h, given_name_ar="علي", given_name_en="Ali")
    return h


@pytest.fixture
def officer():
    return make_user("programme_officer", governorates=(DUHOK,), programmes=("NFI",))


# --- one household's card --------------------------------------------------------------


def test_a_households_card_is_a_pdf_and_its_printing_is_logged(officer):
    h = household()
    response = client_for(officer).get(reverse("registry:card_household", args=[h.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert h.registration_id in response["Content-Disposition"]
    log = PersonalDataAccess.objects.get()
    assert (log.user, log.action, log.purpose, log.object_public_id) == (
        officer,
        "export",
        "household card",
        str(h.public_id),
    )


def test_a_card_in_a7_size_is_available(officer):
    h = household()
    url = reverse("registry:card_household", args=[h.public_id])
    assert client_for(officer).get(url, {"layout": "a7"}).status_code == 200
    assert client_for(officer).get(url, {"layout": "a3"}).status_code == 400


def test_the_card_of_a_household_outside_ones_area_is_not_found(officer):
    h = household(ERBIL)
    assert (
        client_for(officer).get(reverse("registry:card_household", args=[h.public_id])).status_code
        == 404
    )
    assert not PersonalDataAccess.objects.exists()


def test_printing_cards_needs_the_permission():
    h = household()
    enumerator = make_user("field_enumerator", governorates=(DUHOK,))
    assert (
        client_for(enumerator)
        .get(reverse("registry:card_household", args=[h.public_id]))
        .status_code
        == 403
    )
    assert client_for(enumerator).get(reverse("registry:card_bulk")).status_code == 403


def test_a_merged_households_card_is_the_card_of_the_household_it_joined(officer):
    survivor = household()
    merged = household(status="merged", merged_into=survivor)
    response = client_for(officer).get(reverse("registry:card_household", args=[merged.public_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:card_household", args=[survivor.public_id])


def test_a_withdrawn_household_has_no_card(officer):
    h = household(status="withdrawn")
    response = client_for(officer).get(reverse("registry:card_household", args=[h.public_id]))
    assert response.status_code == 400
    assert "withdrawn" in response.content.decode()


# --- printing a list ------------------------------------------------------------------


def test_a_short_list_is_printed_at_once(officer):
    a, b = household(), household()
    response = client_for(officer).post(
        reverse("registry:card_bulk"),
        {"households": f"{a.registration_id}\n{b.registration_id.lower()}", "layout": "a7"},
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    log = PersonalDataAccess.objects.get()
    assert log.action == "export" and log.record_count == 2


def test_checkboxes_of_a_list_page_can_post_public_ids(officer):
    a, b = household(), household()
    response = client_for(officer).post(
        reverse("registry:card_bulk"),
        {"households": [str(a.public_id), str(b.public_id)], "layout": "a6"},
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_ids_outside_ones_area_are_named_and_nothing_is_printed(officer):
    inside, outside = household(), household(ERBIL)
    response = client_for(officer).post(
        reverse("registry:card_bulk"),
        {"households": f"{inside.registration_id} {outside.registration_id}", "layout": "a6"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert outside.registration_id in body and 'data-testid="error-households"' in body
    assert not PersonalDataAccess.objects.exists()


def test_an_empty_request_says_what_to_give(officer):
    page = client_for(officer).get(reverse("registry:card_bulk"))
    assert page.status_code == 200
    response = client_for(officer).post(reverse("registry:card_bulk"), {"layout": "a6"})
    assert (
        response.status_code == 400
        and 'data-testid="error-households"' in response.content.decode()
    )


def test_a_long_list_is_printed_by_a_background_job(
    officer, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(views, "DIRECT_LIMIT", 2)
    households = [household() for _ in range(3)]
    household(status="withdrawn")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(officer).post(
            reverse("registry:card_bulk"),
            {"households": " ".join(h.registration_id for h in households), "layout": "a6"},
        )
    job = Job.objects.get(kind="registry.cards_bulk")
    assert response.status_code == 302 and response["Location"] == reverse(
        "core:job_detail", args=[job.public_id]
    )
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["cards"] == 3 and job.result_file == "household-cards.pdf"
    download = client_for(officer).get(reverse("core:job_download", args=[job.public_id]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_search_prints_every_matching_household_in_ones_area(
    officer, monkeypatch, django_capture_on_commit_callbacks
):
    from sanad.registry.services import household_refresh

    monkeypatch.setattr(views, "DIRECT_LIMIT", 0)
    for h in (household(), household(), household(ERBIL)):
        household_refresh(h)  # search keys
    with django_capture_on_commit_callbacks(execute=True):
        client_for(officer).post(reverse("registry:card_bulk"), {"q": "Ali", "layout": "a6"})
    job = Job.objects.get(kind="registry.cards_bulk")
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["cards"] == 2


# --- a scanned card ---------------------------------------------------------------------


def test_a_scanned_card_leads_to_the_household_page(officer):
    h = household()
    client = client_for(officer)
    for scanned in (h.card_token, f"SND1:{h.card_token}"):
        response = client.get(reverse("registry:card_scan", args=[scanned]))
        assert response.status_code == 302
        assert response["Location"] == reverse("registry:household_detail", args=[h.public_id])


def test_a_card_from_outside_ones_area_or_unknown_leads_nowhere(officer):
    h = household(ERBIL)
    client = client_for(officer)
    assert client.get(reverse("registry:card_scan", args=[h.card_token])).status_code == 404
    assert client.get(reverse("registry:card_scan", args=["no-such-token"])).status_code == 404


def test_the_card_of_a_merged_household_leads_to_the_household_it_joined(officer):
    survivor = household()
    merged = household(status="merged", merged_into=survivor)
    response = client_for(officer).get(reverse("registry:card_scan", args=[merged.card_token]))
    assert response["Location"] == reverse("registry:household_detail", args=[survivor.public_id])


@pytest.mark.urls("tests.registry.cards.api_urls")
def test_the_scan_api_answers_with_the_household_id(officer):
    h = household()
    client = api_client_for(officer)
    response = client.get(f"/api/v1/cards/SND1:{h.card_token}/")
    assert response.status_code == 200
    assert response.json() == {
        "household": str(h.public_id),
        "registration_id": h.registration_id,
        "status": "active",
    }
    assert client.get(f"/api/v1/cards/{h.card_token}/").status_code == 200
    outside = client.get(f"/api/v1/cards/{household(ERBIL).card_token}/")
    assert outside.status_code == 404 and "error" in outside.json()
    no_registry = api_client_for(make_user("donor_viewer"))
    assert no_registry.get(f"/api/v1/cards/{h.card_token}/").status_code == 403
