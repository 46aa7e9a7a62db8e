"""The feedback API: cases (always through `cases_for`), contacts, campaigns, sessions."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from sanad.core.models import PersonalDataAccess
from sanad.feedback.models import Campaign, Case, CommunitySession, Contact
from tests.conftest import api_client_for
from tests.factories import DUHOK, ERBIL, ProgrammeFactory, make_user, subdistrict_in, unit
from tests.feedback.factories import make_case, make_channel, make_contact

pytestmark = pytest.mark.django_db
API = "/api/v1/feedback"


def _duhok(role: str) -> Any:
    return make_user(role, governorates=(DUHOK,), programmes=("NFI",))


@pytest.fixture
def cases() -> dict[str, Case]:
    nfi, shelter = ProgrammeFactory(code="NFI"), ProgrammeFactory(code="SHELTER")
    hotline = make_channel("hotline")
    return {
        "in": make_case(programme=nfi, channel=hotline, description="Torn blankets in Duhok"),
        "out_gov": make_case(
            programme=nfi, governorate=ERBIL, channel=hotline, description="Erbil tarpaulins"
        ),
        "out_prog": make_case(
            programme=shelter, channel=hotline, description="Shelter kit missing nails"
        ),
        "sea": make_case(
            category="sea", programme=nfi, channel=hotline, description="A distributor asked"
        ),
        "conduct": make_case(
            category="complaint_conduct",
            programme=nfi,
            channel=hotline,
            description="The guard shouted at us",
        ),
    }


def _listed(user: Any, query: str = "") -> set[str]:
    response = api_client_for(user).get(f"{API}/cases/{query}")
    assert response.status_code == 200, response.content
    return {row["reference"] for row in response.json()["results"]}


# --- cases: who sees what --------------------------------------------------------------------
def test_the_case_list_shows_only_normal_cases_in_the_users_scope(cases):
    listed = _listed(_duhok("hotline_operator"))
    assert listed == {cases["in"].reference}


def test_only_a_psea_focal_point_finds_an_abuse_report(cases):
    focal = _duhok("psea_focal_point")
    assert cases["sea"].reference in _listed(focal)
    assert cases["conduct"].reference not in _listed(focal)
    url = f"{API}/cases/{cases['sea'].public_id}/"
    assert api_client_for(focal).get(url).status_code == 200
    for role in ("administrator", "feedback_manager", "hotline_operator", "programme_officer"):
        user = _duhok(role)
        assert cases["sea"].reference not in _listed(user), role
        assert api_client_for(user).get(url).status_code == 404, role
        assert cases["sea"].reference not in _listed(user, f"?q={cases['sea'].reference}"), role


def test_only_a_feedback_manager_finds_a_conduct_complaint(cases):
    manager = _duhok("feedback_manager")
    assert cases["conduct"].reference in _listed(manager)
    url = f"{API}/cases/{cases['conduct'].public_id}/"
    assert api_client_for(manager).get(url).status_code == 200
    for role in ("administrator", "psea_focal_point", "camp_manager"):
        user = make_user(role)  # even unscoped
        assert cases["conduct"].reference not in _listed(user), role
        assert api_client_for(user).get(url).status_code == 404, role


def test_an_unscoped_administrator_sees_every_normal_case_but_no_restricted_one(cases):
    listed = _listed(make_user("administrator"))
    assert listed == {
        cases["in"].reference,
        cases["out_gov"].reference,
        cases["out_prog"].reference,
    }


def test_a_case_outside_the_scope_answers_404_and_without_the_permission_403(cases):
    officer = _duhok("hotline_operator")
    response = api_client_for(officer).get(f"{API}/cases/{cases['out_gov'].public_id}/")
    assert response.status_code == 404 and response.json()["error"]["code"]
    donor = _duhok("donor_viewer")
    assert api_client_for(donor).get(f"{API}/cases/").status_code == 403


def test_reading_a_case_shows_the_caller_and_is_logged(cases):
    officer = _duhok("hotline_operator")
    Case.objects.filter(pk=cases["in"].pk).update(
        caller_name="Layla", caller_phone="+9647501234567"
    )
    response = api_client_for(officer).get(f"{API}/cases/{cases['in'].public_id}/")
    assert response.status_code == 200
    body = response.json()
    assert body["caller_name"] == "Layla" and body["description"] == "Torn blankets in Duhok"
    assert PersonalDataAccess.objects.filter(
        user=officer, object_public_id=str(cases["in"].public_id)
    ).exists()
    listed = api_client_for(officer).get(f"{API}/cases/").json()["results"][0]
    assert "caller_name" not in listed and "description" not in listed


def test_the_case_list_filters_by_household_status_overdue_and_search(cases):
    from tests.registry.factories import make_household

    household = make_household(governorate=DUHOK, members=1)
    Case.objects.filter(pk=cases["in"].pk).update(
        household=household, due_at=timezone.now() - datetime.timedelta(days=1)
    )
    officer = _duhok("hotline_operator")
    nfi = ProgrammeFactory(code="NFI")
    other = make_case(programme=nfi, status=Case.Status.CLOSED, description="Thanks")
    assert _listed(officer, f"?household={household.public_id}") == {cases["in"].reference}
    assert _listed(officer, "?overdue=true") == {cases["in"].reference}
    assert _listed(officer, "?status=closed") == {other.reference}
    assert _listed(officer, "?q=torn") == {cases["in"].reference}
    assert _listed(officer, f"?q={other.reference.lower()}") == {other.reference}


def test_the_case_list_reads_in_a_fixed_number_of_queries(cases, django_assert_max_num_queries):
    nfi = ProgrammeFactory(code="NFI")
    for _ in range(15):
        make_case(programme=nfi)
    client = api_client_for(_duhok("feedback_manager"))
    with django_assert_max_num_queries(12):
        response = client.get(f"{API}/cases/")
    assert response.status_code == 200 and response.json()["count"] == 17


# --- cases: writes ---------------------------------------------------------------------------
def _log(user: Any, **data: Any) -> Any:
    body = {
        "channel": make_channel("hotline").code,
        "category": "complaint_assistance",
        "description": "The kit had no soap.",
        "programme": "NFI",
        "admin_unit": subdistrict_in(DUHOK).pcode,
        "caller_name": "Ahmed",
        "caller_phone": "+9647501112233",
        **data,
    }
    return api_client_for(user).post(f"{API}/cases/", body, format="json")


def test_a_hotline_operator_logs_a_case_through_the_api():
    ProgrammeFactory(code="NFI")
    officer = _duhok("hotline_operator")
    response = _log(officer)
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(public_id=body["id"])
    assert body["reference"] == case.reference and body["status"] == "new"
    assert case.governorate == unit(DUHOK) and case.due_at is not None
    assert case.caller_name == "Ahmed" and case.created_by == officer


def test_an_abuse_report_logged_through_the_api_answers_only_its_reference():
    ProgrammeFactory(code="NFI")
    officer = _duhok("hotline_operator")
    response = _log(officer, category="sea", description="Asked for favours")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["routed"] is True and "description" not in body and "category" not in body
    case = Case.objects.get(public_id=body["id"])
    assert case.sensitivity == "psea"
    assert api_client_for(officer).get(f"{API}/cases/{case.public_id}/").status_code == 404


def test_logging_a_case_needs_the_permission_and_a_household_in_reach():
    ProgrammeFactory(code="NFI")
    from tests.registry.factories import make_household

    assert _log(_duhok("donor_viewer")).status_code == 403
    far = make_household(governorate=ERBIL, members=1)
    response = _log(_duhok("hotline_operator"), household=str(far.public_id))
    assert response.status_code == 400
    assert "household" in response.json()["error"]["fields"]


def test_a_case_is_acknowledged_and_closed_through_transitions(cases):
    manager = _duhok("feedback_manager")
    client = api_client_for(manager)
    url = f"{API}/cases/{cases['in'].public_id}/transition/"
    response = client.post(url, {"action": "acknowledge"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "acknowledged"
    response = client.post(url, {"action": "respond", "response": "Replaced."}, format="json")
    assert response.status_code == 200, response.content
    response = client.post(
        url, {"action": "close", "loop_closed": True, "satisfaction": 4}, format="json"
    )
    assert response.status_code == 200, response.content
    cases["in"].refresh_from_db()
    assert cases["in"].status == "closed" and cases["in"].satisfaction == 4


def test_a_transition_out_of_reach_answers_404_and_without_manage_403(cases):
    manager = _duhok("feedback_manager")
    for key in ("out_gov", "sea"):
        url = f"{API}/cases/{cases[key].public_id}/transition/"
        response = api_client_for(manager).post(url, {"action": "acknowledge"}, format="json")
        assert response.status_code == 404, key
    url = f"{API}/cases/{cases['in'].public_id}/transition/"
    enumerator = _duhok("field_enumerator")
    response = api_client_for(enumerator).post(url, {"action": "acknowledge"}, format="json")
    assert response.status_code == 403
    cases["in"].refresh_from_db()
    assert cases["in"].status == "new"


# --- contacts --------------------------------------------------------------------------------
def test_contacts_are_listed_within_the_governorates_and_reading_one_is_logged():
    inside, outside = make_contact(name="Inside"), make_contact(governorate=ERBIL, name="Out")
    officer = _duhok("hotline_operator")
    client = api_client_for(officer)
    rows = client.get(f"{API}/contacts/").json()["results"]
    assert [r["id"] for r in rows] == [str(inside.public_id)]
    assert client.get(f"{API}/contacts/{outside.public_id}/").status_code == 404
    assert client.get(f"{API}/contacts/{inside.public_id}/").status_code == 200
    assert PersonalDataAccess.objects.filter(object_public_id=str(inside.public_id)).exists()
    assert api_client_for(_duhok("donor_viewer")).get(f"{API}/contacts/").status_code == 403


def test_a_contact_is_added_and_opted_out_through_the_api():
    officer = _duhok("hotline_operator")
    client = api_client_for(officer)
    response = client.post(
        f"{API}/contacts/",
        {
            "phone": "0750 123 4567",
            "name": "Hawre",
            "language": "ckb",
            "governorate": DUHOK,
            "consent_given": True,
            "consent_recorded_on": "2026-01-10",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    contact = Contact.objects.get(public_id=response.json()["id"])
    assert contact.phone.startswith("+964") and contact.language == "ckb"
    response = client.post(f"{API}/contacts/{contact.public_id}/opt-out/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["opted_out"] is True
    contact.refresh_from_db()
    assert contact.opted_out_at is not None


def test_opting_out_a_contact_outside_the_area_answers_404():
    outside = make_contact(governorate=ERBIL)
    client = api_client_for(_duhok("hotline_operator"))
    response = client.post(f"{API}/contacts/{outside.public_id}/opt-out/", {}, format="json")
    assert response.status_code == 404
    outside.refresh_from_db()
    assert outside.opted_out_at is None


# --- campaigns and sessions ------------------------------------------------------------------
def test_campaigns_are_listed_by_programme_and_read_with_their_report():
    nfi, shelter = ProgrammeFactory(code="NFI"), ProgrammeFactory(code="SHELTER")
    channel = make_channel("log")
    mine = Campaign.objects.create(
        name="Winter kits", topic="distribution", programme=nfi, channel=channel, text_ar="..."
    )
    Campaign.objects.create(name="Nails", topic="shelter_kit", programme=shelter, channel=channel)
    client = api_client_for(_duhok("camp_manager"))
    rows = client.get(f"{API}/campaigns/").json()["results"]
    assert [r["name"] for r in rows] == ["Winter kits"]
    response = client.get(f"{API}/campaigns/{mine.public_id}/")
    assert response.status_code == 200, response.content
    assert isinstance(response.json()["report"], dict)


def test_a_session_is_recorded_and_listed_within_the_scope():
    ProgrammeFactory(code="NFI")
    officer = _duhok("programme_officer")
    client = api_client_for(officer)
    response = client.post(
        f"{API}/sessions/",
        {
            "kind": "focus_group",
            "title": "Women's FGD on kit contents",
            "topic": "distribution",
            "programme": "NFI",
            "admin_unit": subdistrict_in(DUHOK).pcode,
            "held_on": "2026-03-02",
            "facilitators": "Nasreen, Kawa",
            "participants": {"female": {"18-59": 12, "60+": 3}},
            "key_findings": "Prefer vouchers for hygiene items.",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    session = CommunitySession.objects.get(public_id=response.json()["id"])
    assert session.governorate == unit(DUHOK)
    assert [r["title"] for r in client.get(f"{API}/sessions/").json()["results"]] == [
        "Women's FGD on kit contents"
    ]
    outsider = make_user("programme_officer", governorates=(ERBIL,), programmes=("NFI",))
    assert api_client_for(outsider).get(f"{API}/sessions/{session.public_id}/").status_code == 404
    assert api_client_for(_duhok("donor_viewer")).get(f"{API}/sessions/").status_code == 403


def test_the_schema_generates_without_warnings_for_feedback(admin_client):
    from drf_spectacular.drainage import GENERATOR_STATS

    GENERATOR_STATS.reset()
    response = admin_client.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/feedback/cases/{public_id}/transition/" in text
    assert "/api/v1/feedback/contacts/{public_id}/opt-out/" in text
    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert not [p for p in problems if "feedback" in p.lower() or "case" in p.lower()]


def test_a_case_is_noted_assigned_and_referred_by_names_the_api_understands(cases):
    from tests.factories import OrganisationFactory

    manager = _duhok("feedback_manager")
    colleague = _duhok("hotline_operator")
    partner = OrganisationFactory(name="Legal aid partner")
    client = api_client_for(manager)
    url = f"{API}/cases/{cases['in'].public_id}/transition/"
    assert (
        client.post(url, {"action": "note", "note": "Called back"}, format="json").status_code
        == 200
    )
    response = client.post(url, {"action": "assign", "assignee": colleague.username}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["assignee"] == colleague.username
    response = client.post(url, {"action": "assign", "assignee": "nobody-here"}, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "unknown_user"
    response = client.post(
        url,
        {"action": "refer", "referred_to": str(partner.public_id), "note": "Legal question"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["referred_to"] == "Legal aid partner"
    assert cases["in"].notes.filter(text="Called back").exists()


# --- the household page --------------------------------------------------------------------
def test_the_household_page_links_to_its_cases_for_who_may_see_cases_only():
    from django.urls import reverse

    from tests.conftest import client_for
    from tests.registry.factories import make_household

    household = make_household(governorate=DUHOK, members=1)
    make_case(
        category="sea",
        programme=ProgrammeFactory(code="NFI"),
        household=household,
        description="Matrix abuse words",
    )
    page = reverse("registry:household_detail", args=[household.public_id])
    link = f"/feedback/cases/?household={household.public_id}"
    body = client_for(_duhok("hotline_operator")).get(page).content.decode()
    assert link in body and "Matrix abuse words" not in body
    body = client_for(_duhok("transport_officer")).get(page).content.decode()
    assert link not in body
