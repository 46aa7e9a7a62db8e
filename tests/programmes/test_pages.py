from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanad.accounts.models import Organisation
from sanad.core.models import StatusTransition
from sanad.programmes.models import Activity, Project, Target
from tests.conftest import client_for
from tests.factories import (
    ERBIL,
    ActivityFactory,
    OrganisationFactory,
    ProjectFactory,
    TargetFactory,
    make_user,
    unit,
)

LIST = reverse("programmes:project_list")


def _project_form(donor: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "programme": "NFI",
        "code": "ECHO-IRQ-2026-07",
        "title": "Winter kits for Mosul",
        "donor": str(donor.public_id),
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "currency": "USD",
        "budget": "125000",
        "governorates": ["IQG15"],
    }
    data.update(overrides)
    return data


# --- the list ------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_project_list_searches_code_title_and_donor(manager: Any, nfi: Any) -> None:
    unicef = OrganisationFactory(name="UNICEF", acronym="UNICEF", kind=Organisation.Kind.UN_AGENCY)
    ProjectFactory(code="BHA-001", title="Shelter kits")
    ProjectFactory(code="ECHO-002", title="Winterisation")
    ProjectFactory(code="UN-003", title="Hygiene", donor=unicef)
    client = client_for(manager)

    def codes(**params: Any) -> list[str]:
        return [p.code for p in client.get(LIST, params).context["object_list"]]

    assert codes(q="bha") == ["BHA-001"]
    assert codes(q="winter") == ["ECHO-002"]
    assert codes(q="unicef") == ["UN-003"]


@pytest.mark.django_db
def test_the_project_list_filters_by_programme_status_currency_and_donor(
    manager: Any, nfi: Any, shelter: Any, donor: Any
) -> None:
    ProjectFactory(
        code="A", programme=nfi, status=Project.Status.ACTIVE, currency="USD", donor=donor
    )
    ProjectFactory(code="B", programme=shelter, status=Project.Status.PLANNED, currency="IQD")
    ProjectFactory(code="C", programme=nfi, status=Project.Status.CLOSED, currency="IQD")
    client = client_for(manager)

    def codes(**params: Any) -> list[str]:
        return sorted(p.code for p in client.get(LIST, params).context["object_list"])

    assert codes(programme="NFI") == ["A", "C"]
    assert codes(status="planned") == ["B"]
    assert codes(currency="IQD") == ["B", "C"]
    assert codes(donor=str(donor.public_id)) == ["A"]
    assert codes(programme="NFI", currency="IQD") == ["C"]


@pytest.mark.django_db
def test_the_filters_are_select_boxes_offering_only_programmes_in_scope(nfi_viewer: Any) -> None:
    page = client_for(nfi_viewer).get(LIST)
    form = page.context["filterset"].form
    assert 'class="form-select"' in str(form["status"])
    assert [code for code, _label in form.fields["programme"].choices if code] == ["NFI"]


@pytest.mark.django_db
def test_the_project_list_sorts_by_a_column(manager: Any) -> None:
    ProjectFactory(code="B", budget=Decimal("10"))
    ProjectFactory(code="A", budget=Decimal("30"))
    ProjectFactory(code="C", budget=Decimal("20"))
    client = client_for(manager)
    assert [p.code for p in client.get(LIST, {"sort": "code"}).context["object_list"]] == [
        "A",
        "B",
        "C",
    ]
    assert [p.code for p in client.get(LIST, {"sort": "-budget"}).context["object_list"]] == [
        "A",
        "C",
        "B",
    ]


@pytest.mark.django_db
def test_the_project_list_is_paginated(manager: Any) -> None:
    ProjectFactory.create_batch(7)
    page = client_for(manager).get(LIST, {"page_size": 5, "page": 2})
    assert len(page.context["object_list"]) == 2
    assert page.context["total_count"] == 7


@pytest.mark.django_db
def test_htmx_asks_get_only_the_table(manager: Any) -> None:
    ProjectFactory(code="HX-1")
    response = client_for(manager).get(LIST, {"q": "HX"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "HX-1" in body
    assert "<html" not in body
    assert 'data-testid="project-table"' in body


@pytest.mark.django_db
def test_the_project_list_is_phone_friendly(manager: Any) -> None:
    ProjectFactory()
    body = client_for(manager).get(LIST).content.decode()
    assert "table-responsive" in body
    assert 'class="hide-sm"' in body


@pytest.mark.django_db
def test_the_project_list_needs_a_constant_number_of_queries(
    manager: Any, django_assert_num_queries: Any
) -> None:
    client = client_for(manager)
    ProjectFactory.create_batch(2)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    ProjectFactory.create_batch(15, donor=OrganisationFactory(kind=Organisation.Kind.DONOR))
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["object_list"]) == 17


# --- the area page --------------------------------------------------------------------
@pytest.mark.django_db
def test_the_area_page_shows_the_programme_in_the_readers_language(nfi: Any) -> None:
    reader = make_user("field_enumerator", programmes=("NFI",), preferred_language="ar")
    body = client_for(reader).get(reverse("programmes:area", args=["NFI"])).content.decode()
    assert "المواد غير الغذائية" in body


@pytest.mark.django_db
def test_the_area_page_sums_projects_budgets_activities_and_targets(
    manager: Any, nfi: Any, shelter: Any
) -> None:
    active = ProjectFactory(
        programme=nfi, status=Project.Status.ACTIVE, currency="USD", budget=Decimal("100")
    )
    ProjectFactory(
        programme=nfi, status=Project.Status.PLANNED, currency="USD", budget=Decimal("50")
    )
    ProjectFactory(
        programme=nfi, status=Project.Status.CLOSED, currency="USD", budget=Decimal("999")
    )
    ProjectFactory(
        programme=nfi, status=Project.Status.ACTIVE, currency="IQD", budget=Decimal("1000000")
    )
    ProjectFactory(
        programme=shelter, status=Project.Status.ACTIVE, currency="USD", budget=Decimal("7")
    )
    TargetFactory(activity=ActivityFactory(project=active), value=Decimal("300"))
    response = client_for(manager).get(reverse("programmes:area", args=["NFI"]))
    summary = response.context["summary"]
    assert summary["projects_total"] == 4
    assert {r["status"]: r["count"] for r in summary["projects_by_status"]} == {
        "planned": 1,
        "active": 2,
        "closed": 1,
    }
    assert {r["currency"]: r["total"] for r in summary["budget_by_currency"]} == {
        "IQD": Decimal("1000000"),
        "USD": Decimal("150"),
    }
    assert summary["activities_total"] == 1
    assert summary["targets_total"] == 1
    assert summary["indicators"][0]["total"] == Decimal("300")
    assert len(response.context["object_list"]) == 4


# --- the detail page -------------------------------------------------------------------
@pytest.mark.django_db
def test_the_project_page_shows_governorates_activities_targets_and_history(manager: Any) -> None:
    project = ProjectFactory(status=Project.Status.PLANNED)
    project.governorates.set([unit(ERBIL)])
    activity = ActivityFactory(project=project, code="1.1", name="Distribute winter kits")
    TargetFactory(activity=activity, indicator="hh_reached_nfi", value=Decimal("1200"))
    client = client_for(manager)
    client.post(
        reverse("programmes:project_transition", args=[project.public_id]),
        {"to": "active", "reason": "Agreement signed"},
    )
    body = client.get(
        reverse("programmes:project_detail", args=[project.public_id])
    ).content.decode()
    assert "Erbil" in body
    assert "Distribute winter kits" in body
    assert "hh_reached_nfi" in body and "1,200" in body
    assert "Agreement signed" in body
    assert 'data-testid="project-close"' in body


@pytest.mark.django_db
def test_a_viewer_sees_the_project_without_buttons_to_change_it(nfi_viewer: Any) -> None:
    project = ProjectFactory()
    body = (
        client_for(nfi_viewer)
        .get(reverse("programmes:project_detail", args=[project.public_id]))
        .content.decode()
    )
    assert project.title in body
    assert 'data-testid="project-close"' not in body
    assert reverse("programmes:project_edit", args=[project.public_id]) not in body


@pytest.mark.django_db
def test_closing_a_project_from_its_page_records_the_reason(manager: Any) -> None:
    project = ProjectFactory(status=Project.Status.ACTIVE)
    url = reverse("programmes:project_transition", args=[project.public_id])
    response = client_for(manager).post(url, {"to": "closed", "reason": "Grant ended"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == Project.Status.CLOSED
    change = StatusTransition.objects.get()
    assert (change.from_state, change.to_state, change.reason, change.by) == (
        "active",
        "closed",
        "Grant ended",
        manager,
    )


@pytest.mark.django_db
def test_closing_a_project_without_a_reason_shows_why_it_was_refused(manager: Any) -> None:
    project = ProjectFactory(status=Project.Status.ACTIVE)
    client = client_for(manager)
    response = client.post(
        reverse("programmes:project_transition", args=[project.public_id]),
        {"to": "closed", "reason": ""},
        follow=True,
    )
    assert "Give a reason" in response.content.decode()
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE


# --- the forms ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_manager_adds_a_project_through_the_form(manager: Any, nfi: Any, donor: Any) -> None:
    response = client_for(manager).post(reverse("programmes:project_create"), _project_form(donor))
    project = Project.objects.get(code="ECHO-IRQ-2026-07")
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:project_detail", args=[project.public_id])
    assert project.programme == nfi and project.status == Project.Status.PLANNED
    assert list(project.governorates.values_list("pcode", flat=True)) == ["IQG15"]


@pytest.mark.django_db
def test_the_project_form_shows_the_services_errors_beside_the_fields(
    manager: Any, nfi: Any, donor: Any
) -> None:
    response = client_for(manager).post(
        reverse("programmes:project_create"),
        _project_form(donor, end_date="2025-06-01", budget="-5"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-end_date"' in body and "before the start date" in body
    assert 'data-testid="error-budget"' in body and "cannot be negative" in body
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_the_project_form_offers_only_the_programmes_one_manages(nfi_manager: Any) -> None:
    form = client_for(nfi_manager).get(reverse("programmes:project_create")).context["form"]
    assert [p.code for p in form.fields["programme"].queryset] == ["NFI"]


@pytest.mark.django_db
def test_a_manager_edits_a_project(manager: Any, donor: Any) -> None:
    project = ProjectFactory(status=Project.Status.ACTIVE, donor=donor)
    client = client_for(manager)
    url = reverse("programmes:project_edit", args=[project.public_id])
    assert client.get(url).context["form"].initial["code"] == project.code
    response = client.post(
        url, _project_form(donor, code=project.code, title="New title", currency="IQD")
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.title, project.currency) == ("New title", "IQD")


@pytest.mark.django_db
def test_a_manager_of_nfi_cannot_open_the_edit_form_of_a_shelter_project(
    nfi_manager: Any, shelter: Any
) -> None:
    project = ProjectFactory(programme=shelter)
    # Out of view scope, so it does not exist for them.
    assert (
        client_for(nfi_manager)
        .get(reverse("programmes:project_edit", args=[project.public_id]))
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_a_viewer_in_scope_cannot_open_the_edit_form(nfi_viewer: Any) -> None:
    project = ProjectFactory()
    assert (
        client_for(nfi_viewer)
        .get(reverse("programmes:project_edit", args=[project.public_id]))
        .status_code
        == 403
    )


@pytest.mark.django_db
def test_a_manager_adds_an_activity_and_a_target(manager: Any) -> None:
    project = ProjectFactory()
    client = client_for(manager)
    response = client.post(
        reverse("programmes:activity_create", args=[project.public_id]),
        {"code": "2.1", "name": "Cash for NFIs", "description": ""},
    )
    assert response.status_code == 302
    activity = Activity.objects.get(project=project, code="2.1")
    response = client.post(
        reverse("programmes:target_create", args=[activity.public_id]),
        {
            "indicator": "people_reached_nfi",
            "label": "People reached",
            "unit": "people",
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "value": "4500",
        },
    )
    assert response.status_code == 302
    assert Target.objects.get(activity=activity).value == Decimal("4500")


@pytest.mark.django_db
def test_the_activity_form_shows_a_duplicate_code(manager: Any) -> None:
    activity = ActivityFactory(code="1.1")
    response = client_for(manager).post(
        reverse("programmes:activity_create", args=[activity.project.public_id]),
        {"code": "1.1", "name": "Again"},
    )
    assert response.status_code == 400
    assert "already has an activity" in response.content.decode()


@pytest.mark.django_db
def test_the_target_form_refuses_a_period_outside_the_project(manager: Any) -> None:
    activity = ActivityFactory()
    response = client_for(manager).post(
        reverse("programmes:target_create", args=[activity.public_id]),
        {
            "indicator": "people_reached",
            "label": "People",
            "unit": "people",
            "period_start": "2026-01-01",
            "period_end": "2027-01-31",
            "value": "10",
        },
    )
    assert response.status_code == 400
    assert "inside the project dates" in response.content.decode()
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_a_manager_edits_an_activity_and_a_target_and_removes_the_target(manager: Any) -> None:
    target = TargetFactory(value=Decimal("10"))
    activity = target.activity
    client = client_for(manager)
    client.post(
        reverse("programmes:activity_edit", args=[activity.public_id]),
        {"code": activity.code, "name": "Renamed", "description": "Why it matters"},
    )
    activity.refresh_from_db()
    assert activity.name == "Renamed"
    client.post(
        reverse("programmes:target_edit", args=[target.public_id]),
        {
            "indicator": target.indicator,
            "label": target.label,
            "unit": target.unit,
            "period_start": datetime.date(2026, 2, 1).isoformat(),
            "period_end": "2026-11-30",
            "value": "15",
        },
    )
    target.refresh_from_db()
    assert (target.value, target.period_start) == (Decimal("15"), datetime.date(2026, 2, 1))
    client.post(reverse("programmes:target_delete", args=[target.public_id]))
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_htmx_on_the_area_page_gets_only_that_programmes_table(
    manager: Any, nfi: Any, shelter: Any
) -> None:
    ProjectFactory(programme=nfi, code="NFI-HX")
    ProjectFactory(programme=shelter, code="SHL-HX")
    response = client_for(manager).get(
        reverse("programmes:area", args=["NFI"]), {"q": "HX"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "NFI-HX" in body and "SHL-HX" not in body
