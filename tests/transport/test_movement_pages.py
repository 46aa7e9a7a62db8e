"""The movement pages as people use them: the list and its filters, creating a request,
adding households, submitting and approving, a household's pre-departure page (phone
friendly), registering a new arrival at the border, the export and the API;
out-of-scope records answer 404."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.urls import reverse

from sanad.core.models import PersonalDataAccess
from sanad.transport.models import MovementHousehold, MovementRequest
from tests.camps.factories import make_site
from tests.camps.sites_factories import allocate, household_on
from tests.conftest import api_client_for, client_for
from tests.factories import DUHOK, ERBIL, make_user
from tests.registry.factories import make_household
from tests.transport.factories import add_household, make_movement, make_place

pytestmark = pytest.mark.django_db
D = datetime.date


def officer() -> Any:
    return make_user("transport_officer", governorates=(DUHOK,), programmes=("TRANSPORT",))


def approver() -> Any:
    return make_user("programme_officer", governorates=(DUHOK,), programmes=("TRANSPORT",))


def _outside() -> MovementRequest:
    return make_movement(
        origin=make_place(governorate=ERBIL, name_en="Erbil origin"),
        destination=make_place(governorate=ERBIL, name_en="Erbil destination"),
        reference="MOV-OUT-00001",
    )


def test_the_list_shows_requests_in_scope_with_counts_and_filters(django_assert_max_num_queries):
    user = officer()
    inside = make_movement(reference="MOV-IN-00001", kind="border_reception")
    add_household(inside, members=3)
    add_household(inside, members=2)
    draft = make_movement(reference="MOV-IN-00002", status="draft", requested_date=D(2026, 1, 5))
    _outside()
    client = client_for(user)
    url = reverse("transport:movement_list")
    with django_assert_max_num_queries(12):
        page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "MOV-IN-00001" in body and "MOV-IN-00002" in body and "MOV-OUT-00001" not in body
    assert "2 / 5" in body
    assert "New movement" in body
    filtered = client.get(url, {"status": "draft"}).content.decode()
    assert draft.reference in filtered and "MOV-IN-00001" not in filtered
    by_kind = client.get(url, {"kind": "border_reception"}).content.decode()
    assert "MOV-IN-00001" in by_kind and draft.reference not in by_kind
    by_date = client.get(url, {"from": "2026-01-01", "to": "2026-01-31"}).content.decode()
    assert draft.reference in by_date and "MOV-IN-00001" not in by_date
    assert draft.reference not in client.get(url, {"governorate": ERBIL}).content.decode()


def test_a_viewer_sees_the_list_without_the_new_button():
    make_movement(reference="MOV-IN-00003")
    viewer = make_user("camp_manager", governorates=(DUHOK,), programmes=("TRANSPORT",))
    body = client_for(viewer).get(reverse("transport:movement_list")).content.decode()
    assert "MOV-IN-00003" in body and "New movement" not in body
    assert client_for(viewer).get(reverse("transport:movement_create")).status_code == 403


def test_creating_a_request_from_the_form():
    user = officer()
    origin, destination = make_place(name_en="Domiz 1"), make_place(name_en="Domiz 2")
    client = client_for(user)
    url = reverse("transport:movement_create")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "relocation",
            "origin": str(origin.public_id),
            "destination": str(destination.public_id),
            "requested_date": "2026-12-01",
            "notes": "Consolidation",
        },
    )
    request = MovementRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("transport:movement_detail", args=[request.public_id])
    missing = client.post(
        url, {"kind": "relocation", "origin": str(origin.public_id), "requested_date": "2026-12-01"}
    )
    assert missing.status_code == 400
    assert "Give the destination" in missing.content.decode()


def test_editing_a_draft_from_the_form():
    user = officer()
    request = make_movement(status="draft")
    client = client_for(user)
    url = reverse("transport:movement_edit", args=[request.public_id])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "reunification",
            "origin": str(request.origin.public_id),
            "destination": str(request.destination.public_id),
            "requested_date": "2026-12-02",
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.kind, request.requested_date) == ("reunification", D(2026, 12, 2))


def test_the_detail_page_shows_households_with_needs_and_readiness():
    user = officer()
    request = make_movement(status="approved")
    row = add_household(request, members=2, fitness="wheelchair")
    add_household(request, declared=False, fitness="not_assessed", unaccompanied_child=True)
    head = row.household.members.get(relationship="head")
    page = client_for(user).get(reverse("transport:movement_detail", args=[request.public_id]))
    body = page.content.decode()
    assert page.status_code == 200
    assert row.household.registration_id in body and head.given_name_ar in body
    assert 'data-testid="need-wheelchair"' in body and 'data-testid="need-unaccompanied"' in body
    assert "No voluntary movement declaration yet." in body
    assert reverse("transport:convoy_create", args=[request.public_id]) in body
    assert reverse("transport:movement_export", args=[request.public_id]) in body


def test_adding_a_household_by_registration_id_and_refusals_on_the_page():
    user = officer()
    request = make_movement(status="draft")
    household = make_household(members=2)
    client = client_for(user)
    url = reverse("transport:movement_household_add", args=[request.public_id])
    response = client.post(url, {"add-registration_id": household.registration_id})
    assert response.status_code == 302
    assert request.households.get().household == household
    again = client.post(url, {"add-registration_id": household.registration_id})
    assert again.status_code == 400 and "already on this request" in again.content.decode()
    unknown = client.post(url, {"add-registration_id": "ZZZ"})
    assert unknown.status_code == 400
    assert "No household with this registration id" in unknown.content.decode()


def test_adding_every_household_living_on_the_origin_site():
    user = officer()
    site = make_site(governorate=DUHOK)
    for _ in range(2):
        allocate(site, household_on(site, members=2))
    request = make_movement(status="draft", origin=site.place)
    client = client_for(user)
    detail = client.get(reverse("transport:movement_detail", args=[request.public_id]))
    assert "Add every household living on the site" in detail.content.decode()
    response = client.post(
        reverse("transport:movement_households_from_site", args=[request.public_id]), follow=True
    )
    assert request.households.count() == 2
    assert "2 households living on the site are added." in response.content.decode()


def test_submitting_then_approving_by_someone_else():
    submitter, other = officer(), approver()
    request = make_movement(status="draft")
    add_household(request)
    client = client_for(submitter)
    url = lambda action: reverse(  # noqa: E731
        "transport:movement_action", args=[request.public_id, action]
    )
    assert client.post(url("submit")).status_code == 302
    request.refresh_from_db()
    assert request.status == "submitted"
    assert client.post(url("approve")).status_code == 403
    response = client_for(other).post(url("approve"))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "approved" and request.approved_by == other


def test_an_approver_who_submitted_sees_why_they_cannot_approve():
    user = approver()
    request = make_movement(status="draft")
    add_household(request)
    client = client_for(user)
    client.post(reverse("transport:movement_action", args=[request.public_id, "submit"]))
    page = client.get(reverse("transport:movement_detail", args=[request.public_id]))
    assert "another person who may approve movements" in page.content.decode()
    assert 'data-testid="movement-approve"' not in page.content.decode()
    response = client.post(
        reverse("transport:movement_action", args=[request.public_id, "approve"]), follow=True
    )
    assert "someone else who may approve movements" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "submitted"


def test_cancelling_needs_a_reason_on_the_page():
    user = officer()
    request = make_movement(status="approved")
    url = reverse("transport:movement_action", args=[request.public_id, "cancel"])
    client = client_for(user)
    assert client.post(url, {"cancel-reason": ""}).status_code == 400
    assert client.post(url, {"cancel-reason": "Road closed"}).status_code == 302
    request.refresh_from_db()
    assert request.status == "cancelled"


def test_the_household_page_records_declaration_fitness_and_postponement():
    user = officer()
    request = make_movement(status="approved")
    row = add_household(request, members=2, fitness="not_assessed", declared=False)
    first, second = row.passengers.order_by("id")
    client = client_for(user)
    page = client.get(reverse("transport:movement_household_detail", args=[row.public_id]))
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="passenger"' in body
    assert PersonalDataAccess.objects.filter(object_pk=str(row.household_id)).exists()
    action = lambda name: reverse(  # noqa: E731
        "transport:movement_household_action", args=[row.public_id, name]
    )
    verbal = client.post(
        action("declare"),
        {"declare-declaration_on": "2026-01-05", "declare-method": "verbal"},
    )
    assert verbal.status_code == 400 and "witness" in verbal.content.decode()
    assert (
        client.post(
            action("declare"),
            {
                "declare-declaration_on": "2026-01-05",
                "declare-method": "thumbprint",
                "declare-consent_given": "on",
            },
        ).status_code
        == 302
    )
    response = client.post(
        action("passengers"),
        {
            f"passengers-fitness_{first.pk}": "fit",
            f"passengers-fitness_{second.pk}": "not_fit",
            f"passengers-is_older_{second.pk}": "on",
            f"passengers-note_{second.pk}": "Surgery",
        },
        follow=True,
    )
    assert "not fit to travel" in response.content.decode()
    second.refresh_from_db()
    assert (second.fitness, second.is_older, second.note) == ("not_fit", True, "Surgery")
    assert client.post(action("postpone"), {"postpone-reason": ""}).status_code == 400
    assert client.post(action("postpone"), {"postpone-reason": "Surgery"}).status_code == 302
    row.refresh_from_db()
    assert row.status == "postponed" and row.declared and row.consent_given
    assert client.post(action("luggage"), {"luggage-luggage_m3": "0.8"}).status_code == 302
    assert client.post(action("waiting"), {}).status_code == 302
    row.refresh_from_db()
    assert row.status == "waiting" and str(row.luggage_m3) == "0.80"


def test_registering_a_new_arrival_from_the_border_form():
    user = officer()
    request = make_movement(
        status="approved", kind="border_reception", origin=make_place(kind="border_point")
    )
    client = client_for(user)
    url = reverse("transport:movement_border_register", args=[request.public_id])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"head_given_name": "Omar", "head_sex": "male", "m1_given_name": "Ali"})
    assert bad.status_code == 400
    response = client.post(
        url,
        {
            "head_given_name": "Omar",
            "head_family_name": "Haddad",
            "head_sex": "male",
            "head_age": "45",
            "m1_given_name": "Huda",
            "m1_sex": "female",
            "m1_age": "40",
            "m1_relationship": "spouse",
        },
    )
    row = MovementHousehold.objects.get(request=request)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "transport:movement_household_detail", args=[row.public_id]
    )
    assert row.registered_at_border and row.passengers.count() == 2
    relocation = make_movement(status="approved")
    assert (
        client.get(
            reverse("transport:movement_border_register", args=[relocation.public_id])
        ).status_code
        == 404
    )


def test_the_export_lists_passengers_with_fitness_and_is_logged():
    from openpyxl import load_workbook

    user = officer()
    request = make_movement()
    add_household(request, members=3, fitness="escort")
    response = client_for(user).get(reverse("transport:movement_export", args=[request.public_id]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 4
    assert "Fit with a medical escort" in [c.value for c in sheet[2]]
    log = PersonalDataAccess.objects.get(action="export")
    assert log.record_count == 3 and request.reference in log.purpose


def test_out_of_scope_requests_and_households_are_not_found():
    user = officer()
    outside = _outside()
    row = add_household(outside, governorate=ERBIL)
    client = client_for(user)
    for url in (
        reverse("transport:movement_detail", args=[outside.public_id]),
        reverse("transport:movement_edit", args=[outside.public_id]),
        reverse("transport:movement_export", args=[outside.public_id]),
        reverse("transport:movement_household_detail", args=[row.public_id]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("transport:movement_action", args=[outside.public_id, "cancel"]),
            {"cancel-reason": "x"},
        ).status_code
        == 404
    )
    outside.refresh_from_db()
    assert outside.status == "approved"


def test_the_api_lists_requests_with_counts_and_no_names(django_assert_max_num_queries):
    user = officer()
    request = make_movement(reference="MOV-API-00001")
    row = add_household(request, members=3)
    _outside()
    client = api_client_for(user)
    with django_assert_max_num_queries(10):
        listing = client.get("/api/v1/transport/movements/")
    assert listing.status_code == 200
    results = listing.json()["results"]
    assert [r["reference"] for r in results] == ["MOV-API-00001"]
    assert (results[0]["households"], results[0]["people"]) == (1, 3)
    head = row.household.members.get(relationship="head")
    assert head.given_name_en not in listing.content.decode()
    detail = client.get(f"/api/v1/transport/movements/{request.public_id}/").json()
    assert detail["household_rows"][0]["registration_id"] == row.household.registration_id
    assert head.given_name_en not in str(detail)
    no_registry = make_user("im_officer", governorates=(DUHOK,), programmes=("TRANSPORT",))
    hidden = api_client_for(no_registry).get(f"/api/v1/transport/movements/{request.public_id}/")
    if hidden.status_code == 200 and not _sees_registry(no_registry):
        assert hidden.json()["household_rows"][0]["registration_id"] is None
    out = client.get(f"/api/v1/transport/movements/{_outside_id()}/")
    assert out.status_code == 404 and "error" in out.json()


def _sees_registry(user: Any) -> bool:
    from sanad.core.scoping import has_permission

    return has_permission(user, "registry.view_household")


def _outside_id() -> str:
    return str(MovementRequest.objects.get(reference="MOV-OUT-00001").public_id)
