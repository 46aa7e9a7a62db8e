from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.routers import DefaultRouter

from sanad.accounts.models import Organisation
from sanad.programmes import api as programmes_api
from sanad.programmes.models import Project, Target
from tests.conftest import api_client_for
from tests.factories import (
    ActivityFactory,
    OrganisationFactory,
    ProjectFactory,
    TargetFactory,
    unit,
)


def _body(donor: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "programme": "NFI",
        "code": "BHA-IRQ-26-003",
        "title": "NFI vouchers in Duhok",
        "donor": str(donor.public_id),
        "start_date": "2026-03-01",
        "end_date": "2027-02-28",
        "currency": "USD",
        "budget": "480000.00",
        "governorates": ["IQG09", "IQG11"],
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_a_manager_adds_a_project_through_the_api(manager: Any, nfi: Any, donor: Any) -> None:
    response = api_client_for(manager).post("/api/v1/projects/", _body(donor), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    project = Project.objects.get(code="BHA-IRQ-26-003")
    assert data["id"] == str(project.public_id)
    assert data["status"] == "planned"
    assert data["programme"] == "NFI"
    assert data["donor"] == str(donor.public_id)
    assert sorted(data["governorates"]) == ["IQG09", "IQG11"]
    assert project.created_by == manager


@pytest.mark.django_db
def test_the_api_never_exposes_integer_keys(manager: Any) -> None:
    target = TargetFactory()
    client = api_client_for(manager)
    project = client.get(f"/api/v1/projects/{target.activity.project.public_id}/").json()
    activity = client.get(f"/api/v1/activities/{target.activity.public_id}/").json()
    programme = client.get("/api/v1/programmes/NFI/").json()
    assert project["id"] == str(target.activity.project.public_id)
    assert activity["id"] == str(target.activity.public_id)
    assert activity["targets"][0]["id"] == str(target.public_id)
    assert programme["id"] == str(target.activity.project.programme.public_id)
    for record in (project, activity, programme):
        assert not isinstance(record["id"], int)


@pytest.mark.django_db
def test_validation_errors_come_in_the_one_api_error_shape(
    manager: Any, nfi: Any, donor: Any
) -> None:
    ngo = OrganisationFactory(kind=Organisation.Kind.PARTNER_NGO)
    response = api_client_for(manager).post(
        "/api/v1/projects/", _body(ngo, end_date="2026-01-01", budget="-10"), format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert error["message"]
    assert set(error["fields"]) == {"donor", "end_date", "budget"}
    assert all(isinstance(msgs, list) and msgs for msgs in error["fields"].values())


@pytest.mark.django_db
def test_a_duplicate_code_is_reported_on_the_code_field(manager: Any, nfi: Any, donor: Any) -> None:
    ProjectFactory(code="BHA-IRQ-26-003")
    response = api_client_for(manager).post("/api/v1/projects/", _body(donor), format="json")
    assert response.status_code == 400
    assert "already exists" in response.json()["error"]["fields"]["code"][0]


@pytest.mark.django_db
def test_missing_fields_are_reported_in_the_same_shape(manager: Any) -> None:
    response = api_client_for(manager).post(
        "/api/v1/projects/", {"title": "Only a title"}, format="json"
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {"programme", "code", "donor", "start_date", "end_date", "budget"} <= set(fields)


@pytest.mark.django_db
def test_a_manager_of_nfi_cannot_add_a_shelter_project_through_the_api(
    nfi_manager: Any, shelter: Any, donor: Any
) -> None:
    response = api_client_for(nfi_manager).post(
        "/api/v1/projects/", _body(donor, programme="SHELTER"), format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "out_of_scope"
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_a_project_is_changed_in_part_through_the_api(manager: Any) -> None:
    project = ProjectFactory(budget=Decimal("100"))
    response = api_client_for(manager).patch(
        f"/api/v1/projects/{project.public_id}/",
        {"budget": "250.5", "governorates": ["IQG15"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["governorates"] == ["IQG15"]
    project.refresh_from_db()
    assert project.budget == Decimal("250.50")


@pytest.mark.django_db
def test_a_project_cannot_be_deleted(manager: Any) -> None:
    project = ProjectFactory()
    response = api_client_for(manager).delete(f"/api/v1/projects/{project.public_id}/")
    assert response.status_code == 405
    assert Project.objects.filter(pk=project.pk).exists()


@pytest.mark.django_db
def test_starting_and_closing_through_the_api_are_recorded_with_the_reason(manager: Any) -> None:
    project = ProjectFactory(status=Project.Status.PLANNED)
    client = api_client_for(manager)
    assert (
        client.post(f"/api/v1/projects/{project.public_id}/activate/", {}, format="json").json()[
            "status"
        ]
        == "active"
    )
    refused = client.post(f"/api/v1/projects/{project.public_id}/close/", {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "reason_required"
    assert "reason" in refused.json()["error"]["fields"]
    closed = client.post(
        f"/api/v1/projects/{project.public_id}/close/", {"reason": "Donor cut"}, format="json"
    )
    assert closed.json()["status"] == "closed"
    history = client.get(f"/api/v1/projects/{project.public_id}/history/").json()
    assert [(h["from_state"], h["to_state"], h["reason"], h["by"]) for h in history] == [
        ("planned", "active", "", str(manager)),
        ("active", "closed", "Donor cut", str(manager)),
    ]


@pytest.mark.django_db
def test_the_project_api_filters_searches_and_orders(
    manager: Any, nfi: Any, shelter: Any, donor: Any
) -> None:
    ProjectFactory(
        code="A-1",
        title="Kits",
        programme=nfi,
        currency="USD",
        status=Project.Status.ACTIVE,
        budget=Decimal("5"),
        donor=donor,
    )
    ProjectFactory(
        code="B-2",
        title="Homes",
        programme=shelter,
        currency="IQD",
        status=Project.Status.PLANNED,
        budget=Decimal("9"),
    )
    client = api_client_for(manager)

    def codes(**params: Any) -> list[str]:
        response = client.get("/api/v1/projects/", params)
        assert response.status_code == 200, response.json()
        return [r["code"] for r in response.json()["results"]]

    assert codes(programme="SHELTER") == ["B-2"]
    assert codes(status="active") == ["A-1"]
    assert codes(currency="IQD") == ["B-2"]
    assert codes(donor=str(donor.public_id)) == ["A-1"]
    assert codes(search="homes") == ["B-2"]
    assert codes(ordering="-budget") == ["B-2", "A-1"]


@pytest.mark.django_db
def test_an_invalid_filter_value_is_an_error_not_an_empty_list(manager: Any) -> None:
    response = api_client_for(manager).get("/api/v1/projects/", {"status": "sleeping"})
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_activities_and_targets_are_added_through_the_api(manager: Any) -> None:
    project = ProjectFactory()
    client = api_client_for(manager)
    activity = client.post(
        "/api/v1/activities/",
        {"project": str(project.public_id), "code": "3.2", "name": "Mobile distributions"},
        format="json",
    )
    assert activity.status_code == 201, activity.json()
    target = client.post(
        "/api/v1/targets/",
        {
            "activity": activity.json()["id"],
            "indicator": "people_reached_nfi",
            "label": "People reached",
            "unit": "people",
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "value": "900",
        },
        format="json",
    )
    assert target.status_code == 201, target.json()
    listed = client.get("/api/v1/activities/", {"project": str(project.public_id)}).json()[
        "results"
    ]
    assert listed[0]["targets"][0]["value"] == "900.00"
    bad = client.post(
        "/api/v1/targets/",
        {
            "activity": activity.json()["id"],
            "indicator": "people_reached_nfi",
            "label": "People reached",
            "period_start": "2026-02-01",
            "period_end": "2027-03-31",
            "value": "900",
        },
        format="json",
    )
    assert bad.status_code == 400
    assert "period_end" in bad.json()["error"]["fields"]


@pytest.mark.django_db
def test_a_target_is_changed_and_removed_through_the_api(manager: Any) -> None:
    target = TargetFactory(value=Decimal("10"))
    client = api_client_for(manager)
    response = client.patch(f"/api/v1/targets/{target.public_id}/", {"value": "25"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["value"] == "25.00"
    assert client.delete(f"/api/v1/targets/{target.public_id}/").status_code == 204
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_an_activity_cannot_be_added_to_a_project_outside_ones_scope(
    nfi_manager: Any, shelter: Any
) -> None:
    project = ProjectFactory(programme=shelter)
    response = api_client_for(nfi_manager).post(
        "/api/v1/activities/",
        {"project": str(project.public_id), "code": "1", "name": "X"},
        format="json",
    )
    # The project is unknown to them, as if it did not exist.
    assert response.status_code == 400
    assert "project" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_the_project_api_list_needs_a_constant_number_of_queries(
    manager: Any, django_assert_num_queries: Any
) -> None:
    client = api_client_for(manager)
    ProjectFactory.create_batch(2)
    client.get(
        "/api/v1/projects/"
    )  # the forced user keeps its role assignments after the first request
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/projects/")
    for project in ProjectFactory.create_batch(
        12, donor=OrganisationFactory(kind=Organisation.Kind.DONOR)
    ):
        project.governorates.set([unit("IQG15"), unit("IQG11")])
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/api/v1/projects/")
    assert response.json()["count"] == 14


@pytest.mark.django_db
def test_the_activity_and_target_api_lists_need_a_constant_number_of_queries(
    manager: Any, django_assert_num_queries: Any
) -> None:
    client = api_client_for(manager)
    TargetFactory()
    client.get(
        "/api/v1/activities/"
    )  # the forced user keeps its role assignments after the first request
    counts = {}
    for url in ("/api/v1/activities/", "/api/v1/targets/"):
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        counts[url] = len(few.captured_queries)
    for activity in ActivityFactory.create_batch(6):
        TargetFactory.create_batch(2, activity=activity, indicator=f"ind_{activity.code}")
    for url, n in counts.items():
        with django_assert_num_queries(n):
            client.get(url)


@pytest.mark.django_db
def test_the_schema_of_the_programme_endpoints_generates_without_warnings() -> None:
    router = DefaultRouter()
    programmes_api.register(router)
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=[path("api/v1/", include(router.urls))]).get_schema(
        request=None, public=True
    )
    assert "/api/v1/projects/{public_id}/close/" in schema["paths"]
    assert not GENERATOR_STATS._warn_cache
    assert not GENERATOR_STATS._error_cache
