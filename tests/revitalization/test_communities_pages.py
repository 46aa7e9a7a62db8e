"""The community and assessment pages as an officer uses them: lists with their
filters, the forms and their error messages, an assessment's page (the participation
grid, needs ranked as they are added, completion, choosing needs, the endorsement, the
link that makes a project from a chosen need), and the API; out of scope is 404."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from sanad.revitalization.models import Community, CommunityAssessment, Need
from sanad.revitalization.services import communities as services
from tests.conftest import api_client_for, client_for
from tests.factories import DUHOK, ERBIL, NINEWA, make_user, subdistrict_in
from tests.revitalization.factories import crp, make_assessment, make_community, make_project

pytestmark = pytest.mark.django_db
D = datetime.date


def officer() -> Any:
    crp()
    return make_user("programme_officer", governorates=(DUHOK, NINEWA), programmes=("CRP",))


def url(name: str, *args: Any) -> str:
    return reverse(f"revitalization:{name}", args=args)


def test_the_community_list_shows_what_is_in_scope_with_filters(django_assert_max_num_queries):
    user = officer()
    zakho = make_community(name="Zakho quarter", code="COM-IQG09-001")
    make_assessment(community=zakho)
    make_project(community=zakho)
    make_community(name="Sinjar town", code="COM-IQG15-001", governorate=NINEWA)
    make_community(name="Old one", code="COM-IQG09-002", active=False)
    make_community(name="Erbil citadel", code="COM-IQG11-001", governorate=ERBIL)
    client = client_for(user)
    with django_assert_max_num_queries(12):
        page = client.get(url("community_list"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Zakho quarter" in body and "Sinjar town" in body and "Erbil citadel" not in body
    assert "New community" in body
    by_gov = client.get(url("community_list"), {"governorate": NINEWA}).content.decode()
    assert "Sinjar town" in by_gov and "Zakho quarter" not in by_gov
    inactive = client.get(url("community_list"), {"active": "no"}).content.decode()
    assert "Old one" in inactive and "Zakho quarter" not in inactive
    assert "Sinjar" in client.get(url("community_list"), {"q": "sinjar"}).content.decode()


def test_creating_a_community_from_the_form_and_its_errors():
    user = officer()
    client = client_for(user)
    assert client.get(url("community_create")).status_code == 200
    area = subdistrict_in(NINEWA)
    bad = client.post(url("community_create"), {"name": "", "admin_unit": area.pcode})
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()
    no_source = client.post(
        url("community_create"), {"name": "Rabia", "admin_unit": area.pcode, "population": "1200"}
    )
    assert no_source.status_code == 400
    assert "Say where the population figure comes from" in no_source.content.decode()
    good = client.post(
        url("community_create"),
        {
            "name": "Rabia",
            "admin_unit": area.pcode,
            "population": "1200",
            "population_source": "Mukhtar",
            "active": "on",
        },
    )
    community = Community.objects.get(name="Rabia")
    assert good.status_code == 302 and good["Location"] == url(
        "community_detail", community.public_id
    )
    assert community.code == "COM-IQG15-001"
    edit = client.post(
        url("community_edit", community.public_id),
        {"name": "Rabia town", "code": community.code, "admin_unit": area.pcode, "active": "on"},
    )
    assert edit.status_code == 302
    community.refresh_from_db()
    assert community.name == "Rabia town"


def test_the_community_page_shows_its_assessments_projects_and_other_records():
    user = officer()
    community = make_community(name="Bashiqa")
    make_assessment(community=community, reference="CBA-T-77777")
    make_project(community=community, reference="INF-T-77777")
    page = client_for(user).get(url("community_detail", community.public_id))
    body = page.content.decode()
    assert page.status_code == 200
    assert "CBA-T-77777" in body and "INF-T-77777" in body and "Grant applications" in body


def test_a_community_out_of_scope_is_not_found():
    user = officer()
    outside = make_community(governorate=ERBIL)
    assert client_for(user).get(url("community_detail", outside.public_id)).status_code == 404
    assert client_for(user).get(url("community_edit", outside.public_id)).status_code == 404


def test_a_viewer_sees_pages_without_buttons_and_cannot_open_forms():
    community = make_community(name="Sumel")
    viewer = make_user("me_viewer", governorates=(DUHOK,), programmes=("CRP",))
    client = client_for(viewer)
    body = client.get(url("community_list")).content.decode()
    assert "Sumel" in body and "New community" not in body
    assert client.get(url("community_create")).status_code == 403
    assert (
        "community-edit"
        not in client.get(url("community_detail", community.public_id)).content.decode()
    )


def test_the_assessment_list_filters_by_status(django_assert_max_num_queries):
    user = officer()
    make_assessment(reference="CBA-T-10001", status="completed")
    make_assessment(reference="CBA-T-10002")
    make_assessment(reference="CBA-T-10003", community=make_community(governorate=ERBIL))
    client = client_for(user)
    with django_assert_max_num_queries(12):
        body = client.get(url("assessment_list")).content.decode()
    assert "CBA-T-10001" in body and "CBA-T-10002" in body and "CBA-T-10003" not in body
    completed = client.get(url("assessment_list"), {"status": "completed"}).content.decode()
    assert "CBA-T-10001" in completed and "CBA-T-10002" not in completed


def test_an_officer_runs_an_assessment_from_the_pages():
    user = officer()
    community = make_community(name="Zummar")
    client = client_for(user)
    form = client.get(url("assessment_create"), {"community": community.public_id})
    assert form.status_code == 200 and "Zummar" in form.content.decode()
    future = client.post(
        url("assessment_create"),
        {"community": community.public_id, "held_on": "2099-01-01", "method": "votes"},
    )
    assert future.status_code == 400 and "is in the future" in future.content.decode()
    created = client.post(
        url("assessment_create"),
        {
            "community": community.public_id,
            "held_on": "2026-03-04",
            "method": "votes",
            "venue": "School hall",
        },
    )
    assessment = CommunityAssessment.objects.get(community=community)
    assert created["Location"] == url("assessment_detail", assessment.public_id)
    detail = url("assessment_detail", assessment.public_id)

    wrong = client.post(
        url("assessment_participation", assessment.public_id),
        {"p_women_female_1": "12", "p_idp_male_1": "-3"},
    )
    assert wrong.status_code == 400 and "nothing was saved" in wrong.content.decode()
    assert not assessment.participation.exists()
    client.post(
        url("assessment_participation", assessment.public_id),
        {"p_women_female_1": "12", "p_idp_male_1": "8"},
    )
    assert assessment.participation.count() == 2

    missing = client.post(
        url("assessment_need_add", assessment.public_id),
        {"need-sector": "water", "need-description": ""},
    )
    assert missing.status_code == 400
    for description, votes in (("Water network", "14"), ("School repair", "14"), ("Road", "3")):
        client.post(
            url("assessment_need_add", assessment.public_id),
            {"need-sector": "water", "need-description": description, "need-votes": votes},
        )
    body = client.get(detail).content.decode()
    assert "Tied with “School repair” at 14 votes." in body
    assert "20 participants" in body and "Female: <strong>12</strong>" in body

    client.post(
        url("assessment_resource_add", assessment.public_id),
        {"resource-kind": "land", "resource-description": "Municipal plot"},
    )
    assert assessment.resources.count() == 1

    assert (
        client.post(url("assessment_action", assessment.public_id, "complete")).status_code == 302
    )
    water = Need.objects.get(assessment=assessment, description="Water network")
    client.post(url("assessment_select_needs", assessment.public_id), {"needs": [str(water.pk)]})
    bad = client.post(
        url("assessment_action", assessment.public_id, "endorse"),
        {
            "endorse-endorsed_by": "",
            "endorse-endorsed_on": "2026-03-20",
            "endorse-endorsement_reference": "L-1",
        },
    )
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()
    ok = client.post(
        url("assessment_action", assessment.public_id, "endorse"),
        {
            "endorse-endorsed_by": "Ninewa Provincial Council",
            "endorse-endorsed_on": "2026-03-20",
            "endorse-endorsement_reference": "NPC/2026/31",
        },
    )
    assert ok.status_code == 302
    body = client.get(detail).content.decode()
    assert "Ninewa Provincial Council" in body
    assert f"{url('project_create')}?need={water.pk}" in body
    prefilled = client.get(url("project_create"), {"need": water.pk}).content.decode()
    assert "Prefilled from the need" in prefilled and 'value="Water network"' in prefilled


def test_editing_a_need_ranks_again_and_the_form_shows_errors():
    user = officer()
    assessment = make_assessment(method="scores")
    n = services.need_add(
        user=user, assessment=assessment, sector="health", description="Clinic", scores="3,3"
    )
    client = client_for(user)
    page = url("assessment_need_edit", assessment.public_id, n.pk)
    assert client.get(page).status_code == 200
    bad = client.post(page, {"sector": "health", "description": "Clinic", "scores": "9"})
    assert bad.status_code == 400 and "from 1 to 5" in bad.content.decode()
    assert (
        client.post(
            page, {"sector": "health", "description": "Clinic", "scores": "5, 4"}
        ).status_code
        == 302
    )
    n.refresh_from_db()
    assert n.scores == [5, 4] and n.rank == 1
    assert client.post(url("assessment_need_remove", assessment.public_id, n.pk)).status_code == 302
    assert not Need.objects.filter(pk=n.pk).exists()


def test_completing_without_needs_shows_the_reason():
    user = officer()
    assessment = make_assessment()
    client = client_for(user)
    response = client.post(url("assessment_action", assessment.public_id, "complete"), follow=True)
    assert "cannot be completed yet" in response.content.decode()


def test_reopening_and_cancelling_need_a_reason():
    user = officer()
    assessment = make_assessment(status="completed")
    client = client_for(user)
    assert (
        client.post(
            url("assessment_action", assessment.public_id, "reopen"), {"reopen-reason": ""}
        ).status_code
        == 400
    )
    assert (
        client.post(
            url("assessment_action", assessment.public_id, "reopen"), {"reopen-reason": "Recount"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            url("assessment_action", assessment.public_id, "cancel"), {"cancel-reason": "Duplicate"}
        ).status_code
        == 302
    )
    assessment.refresh_from_db()
    assert assessment.status == "cancelled"
    assert client.post(url("assessment_action", assessment.public_id, "unknown")).status_code == 404


def test_the_communities_api_lists_in_scope_with_ranked_needs():
    user = officer()
    community = make_community(name="Tel Afar quarter")
    assessment = make_assessment(community=community)
    services.need_add(
        user=user, assessment=assessment, sector="water", description="Water", votes=5
    )
    make_community(name="Outside", governorate=ERBIL)
    api = api_client_for(user)
    listing = api.get("/api/v1/revitalization/communities/").json()
    names = [row["name"] for row in listing["results"]]
    assert "Tel Afar quarter" in names and "Outside" not in names
    detail = api.get(f"/api/v1/revitalization/communities/{community.public_id}/").json()
    assert detail["assessment_rows"][0]["needs"][0]["rank"] == 1
