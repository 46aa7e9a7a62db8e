"""A person sees the projects of the programmes in their scope and nothing else: on the
list, the area page, the detail page and the API, an out-of-scope project does not exist."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.conftest import api_client_for, client_for
from tests.factories import ActivityFactory, ProjectFactory, TargetFactory, make_user


@pytest.fixture
def two_projects(nfi: Any, shelter: Any) -> tuple[Any, Any]:
    return (
        ProjectFactory(programme=nfi, code="NFI-PRJ-1", title="Winter kits"),
        ProjectFactory(programme=shelter, code="SHL-PRJ-1", title="Home repairs"),
    )


@pytest.mark.django_db
def test_a_user_scoped_to_nfi_sees_only_nfi_projects_on_the_list(
    nfi_viewer: Any, two_projects: Any
) -> None:
    response = client_for(nfi_viewer).get(reverse("programmes:project_list"))
    assert response.status_code == 200
    assert b"NFI-PRJ-1" in response.content
    assert b"SHL-PRJ-1" not in response.content


@pytest.mark.django_db
def test_a_user_scoped_to_nfi_opens_the_nfi_area_page(nfi_viewer: Any, two_projects: Any) -> None:
    response = client_for(nfi_viewer).get(reverse("programmes:area", args=["NFI"]))
    assert response.status_code == 200
    assert b"NFI-PRJ-1" in response.content
    assert response.context["summary"]["projects_total"] == 1


@pytest.mark.django_db
def test_the_area_page_of_a_programme_outside_ones_scope_is_not_found(
    nfi_viewer: Any, two_projects: Any
) -> None:
    assert (
        client_for(nfi_viewer).get(reverse("programmes:area", args=["SHELTER"])).status_code == 404
    )


@pytest.mark.django_db
def test_the_area_page_of_an_unknown_code_is_not_found(nfi_viewer: Any) -> None:
    assert client_for(nfi_viewer).get(reverse("programmes:area", args=["FOOD"])).status_code == 404


@pytest.mark.django_db
def test_a_project_outside_ones_scope_is_not_found_by_its_id(
    nfi_viewer: Any, two_projects: Any
) -> None:
    nfi_project, shelter_project = two_projects
    client = client_for(nfi_viewer)
    assert (
        client.get(reverse("programmes:project_detail", args=[nfi_project.public_id])).status_code
        == 200
    )
    assert (
        client.get(
            reverse("programmes:project_detail", args=[shelter_project.public_id])
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_the_api_lists_only_projects_in_scope(nfi_viewer: Any, two_projects: Any) -> None:
    response = api_client_for(nfi_viewer).get("/api/v1/projects/")
    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == ["NFI-PRJ-1"]


@pytest.mark.django_db
def test_the_api_answers_404_for_a_project_outside_ones_scope(
    nfi_viewer: Any, two_projects: Any
) -> None:
    _, shelter_project = two_projects
    response = api_client_for(nfi_viewer).get(f"/api/v1/projects/{shelter_project.public_id}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_the_api_lists_only_programmes_activities_and_targets_in_scope(
    nfi_viewer: Any, two_projects: Any
) -> None:
    nfi_project, shelter_project = two_projects
    TargetFactory(activity=ActivityFactory(project=nfi_project, code="1.1"))
    TargetFactory(activity=ActivityFactory(project=shelter_project, code="9.9"))
    client = api_client_for(nfi_viewer)
    assert [p["code"] for p in client.get("/api/v1/programmes/").json()] == ["NFI"]
    assert client.get("/api/v1/programmes/SHELTER/").status_code == 404
    assert [a["code"] for a in client.get("/api/v1/activities/").json()["results"]] == ["1.1"]
    targets = client.get("/api/v1/targets/").json()["results"]
    assert len(targets) == 1


@pytest.mark.django_db
def test_a_user_scoped_to_some_governorates_still_sees_every_project_of_their_programmes(
    nfi: Any, two_projects: Any
) -> None:
    # Projects are scoped by programme only: they span governorates.
    user = make_user("field_enumerator", governorates=("IQG15",), programmes=("NFI",))
    codes = [r["code"] for r in api_client_for(user).get("/api/v1/projects/").json()["results"]]
    assert codes == ["NFI-PRJ-1"]


@pytest.mark.django_db
def test_a_donor_viewer_sees_projects_but_cannot_add_one(
    donor_viewer: Any, two_projects: Any, donor: Any
) -> None:
    client = client_for(donor_viewer)
    page = client.get(reverse("programmes:project_list"))
    assert page.status_code == 200
    assert b"NFI-PRJ-1" in page.content and b"SHL-PRJ-1" in page.content
    assert b'data-testid="project-add"' not in page.content
    assert client.get(reverse("programmes:project_create")).status_code == 403
    api = api_client_for(donor_viewer)
    assert api.get("/api/v1/projects/").json()["count"] == 2
    response = api.post(
        "/api/v1/projects/",
        {
            "programme": "NFI",
            "code": "X-1",
            "title": "X",
            "donor": str(donor.public_id),
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "currency": "USD",
            "budget": "1",
        },
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.django_db
def test_a_donor_viewer_cannot_start_or_close_a_project(
    donor_viewer: Any, two_projects: Any
) -> None:
    project, _ = two_projects
    client = client_for(donor_viewer)
    response = client.post(
        reverse("programmes:project_transition", args=[project.public_id]),
        {"to": "closed", "reason": "no"},
    )
    assert response.status_code == 403
    assert (
        api_client_for(donor_viewer)
        .post(f"/api/v1/projects/{project.public_id}/close/", {"reason": "no"})
        .status_code
        == 403
    )


@pytest.mark.django_db
def test_a_manager_of_nfi_cannot_change_a_shelter_project_through_the_api(
    nfi_manager: Any, two_projects: Any
) -> None:
    _, shelter_project = two_projects
    response = api_client_for(nfi_manager).patch(
        f"/api/v1/projects/{shelter_project.public_id}/", {"title": "Mine now"}
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_someone_without_a_role_sees_no_programme_page(db: Any, two_projects: Any) -> None:
    from tests.factories import UserFactory

    client = client_for(UserFactory())
    assert client.get(reverse("programmes:project_list")).status_code == 403
    assert client.get(reverse("programmes:area", args=["NFI"])).status_code == 403


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(client: Any, two_projects: Any) -> None:
    response = client.get(reverse("programmes:area", args=["NFI"]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
