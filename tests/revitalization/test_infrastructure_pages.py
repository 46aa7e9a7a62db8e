"""The infrastructure pages as an officer uses them: the project list and its filters,
the project form and its errors, the project's page (status actions, people benefiting,
milestones table and progress, finding a registered person and adding them as a worker,
recording payments), contractors, and the API; out of scope is 404."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from sanad.assistance.models import AssistanceRecord
from sanad.revitalization.models import (
    Contractor,
    InfrastructureProject,
    ProjectWorker,
    WorkerPayment,
)
from sanad.revitalization.services import infrastructure as services
from tests.conftest import api_client_for, client_for
from tests.factories import DUHOK, ERBIL, NINEWA, make_user
from tests.registry.factories import make_household
from tests.revitalization.factories import crp, crp_project, make_community, make_project

pytestmark = pytest.mark.django_db
D = datetime.date


def officer() -> Any:
    crp()
    return make_user("programme_officer", governorates=(DUHOK, NINEWA), programmes=("CRP",))


def url(name: str, *args: Any) -> str:
    return reverse(f"revitalization:{name}", args=args)


def _running(user: Any, **kwargs: Any) -> InfrastructureProject:
    project = make_project(project=crp_project(), **kwargs)
    services.project_endorse(
        user=user,
        project=project,
        endorsed_by="Council",
        endorsed_on=D(2026, 2, 1),
        endorsement_reference="L-1",
    )
    return services.project_start(user=user, project=project, starts_on=D(2026, 3, 1))


def test_the_project_list_shows_projects_in_scope_with_progress(django_assert_max_num_queries):
    user = officer()
    school = make_project(
        reference="INF-T-20001", title="Girls' school", kind="school", status="in_progress"
    )
    services.milestones_set(user=user, project=school, rows=[{"name": "Walls", "weight": "100"}])
    school.milestones.update(progress=50)
    make_project(
        reference="INF-T-20002",
        title="Market",
        kind="market",
        community=make_community(governorate=NINEWA, code="COM-N-1"),
    )
    make_project(reference="INF-T-20003", community=make_community(governorate=ERBIL))
    client = client_for(user)
    with django_assert_max_num_queries(12):
        page = client.get(url("project_list"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "INF-T-20001" in body and "INF-T-20002" in body and "INF-T-20003" not in body
    assert "50%" in body
    assert "INF-T-20002" not in client.get(url("project_list"), {"kind": "school"}).content.decode()
    assert (
        "INF-T-20001"
        not in client.get(url("project_list"), {"status": "proposed"}).content.decode()
    )
    assert (
        "INF-T-20001"
        not in client.get(url("project_list"), {"governorate": NINEWA}).content.decode()
    )
    assert (
        "INF-T-20001"
        not in client.get(url("project_list"), {"community": "COM-N-1"}).content.decode()
    )
    assert "INF-T-20002" in client.get(url("project_list"), {"q": "market"}).content.decode()


def test_creating_a_project_from_the_form_and_its_errors():
    user = officer()
    community = make_community(name="Sununi")
    client = client_for(user)
    assert client.get(url("project_create")).status_code == 200
    data = {
        "title": "Sununi water network",
        "kind": "water_network",
        "community": community.public_id,
        "budget": "120000",
        "currency": "USD",
        "exchange_rate": "0.5",
        "starts_on": "2026-05-01",
        "planned_end_on": "2026-04-01",
    }
    bad = client.post(url("project_create"), data)
    body = bad.content.decode()
    assert bad.status_code == 400
    assert "Write the rate as Iraqi dinars for one US dollar" in body
    assert "The planned end cannot be before the start." in body
    good = client.post(
        url("project_create"), {**data, "exchange_rate": "1310", "planned_end_on": "2026-10-01"}
    )
    project = InfrastructureProject.objects.get(title="Sununi water network")
    assert good["Location"] == url("project_detail", project.public_id)
    edit = client.get(url("project_edit", project.public_id))
    assert edit.status_code == 200 and "Sununi water network" in edit.content.decode()


def test_the_status_actions_on_the_project_page():
    user = officer()
    project = make_project()
    client = client_for(user)
    page = client.get(url("project_detail", project.public_id)).content.decode()
    assert "Record the endorsement" in page and "Start the works" not in page
    refused = client.post(url("project_action", project.public_id, "start"), {}, follow=True)
    assert "Record the provincial endorsement before starting" in refused.content.decode()
    client.post(
        url("project_action", project.public_id, "endorse"),
        {
            "endorse-endorsed_by": "Duhok Provincial Council",
            "endorse-endorsed_on": "2026-02-01",
            "endorse-endorsement_reference": "DPC/9",
        },
    )
    client.post(
        url("project_action", project.public_id, "start"), {"start-starts_on": "2026-03-01"}
    )
    project.refresh_from_db()
    assert project.status == "in_progress"
    incomplete = client.post(
        url("project_action", project.public_id, "complete"),
        {"complete-completed_on": "2026-06-01"},
        follow=True,
    )
    assert "Record the milestones" in incomplete.content.decode()


def test_handover_refused_without_people_benefiting_then_done():
    user = officer()
    project = make_project(status="completed", completed_on=D(2026, 6, 1))
    client = client_for(user)
    data = {
        "handover-handover_authority": "Water directorate",
        "handover-handover_on": "2026-06-10",
        "handover-handover_reference": "HO-1",
    }
    refused = client.post(url("project_action", project.public_id, "handover"), data, follow=True)
    assert "Write down the people benefiting (the population served" in refused.content.decode()
    half = client.post(
        url("project_population", project.public_id), {"population-population_served": "3000"}
    )
    assert (
        half.status_code == 400
        and "Choose how the population was estimated." in half.content.decode()
    )
    client.post(
        url("project_population", project.public_id),
        {
            "population-population_served": "3000",
            "population-estimation_method": "catchment",
            "population-estimation_note": "DTM round 130: 3,000 people in the quarter",
        },
    )
    assert (
        client.post(url("project_action", project.public_id, "handover"), data).status_code == 302
    )
    project.refresh_from_db()
    assert project.status == "handed_over"
    body = client.get(url("project_detail", project.public_id)).content.decode()
    assert (
        "People benefiting (estimate)" in body
        and "People directly assisted" in body
        and "3000" in body
    )


def test_the_milestone_table_and_progress():
    user = officer()
    project = _running(user)
    client = client_for(user)
    page = url("project_milestones", project.public_id)
    assert client.get(page).status_code == 200
    rows = {
        "rows": "3",
        "m-0-name": "Trench",
        "m-0-weight": "30",
        "m-0-order": "1",
        "m-1-name": "Pipes",
        "m-1-weight": "60",
        "m-1-order": "2",
    }
    wrong = client.post(page, rows)
    assert wrong.status_code == 400 and "make them add up to 100" in wrong.content.decode()
    missing = client.post(page, {**rows, "m-1-name": ""})
    assert missing.status_code == 400 and "Fill in this field." in missing.content.decode()
    assert client.post(page, {**rows, "m-1-weight": "70"}).status_code == 302
    trench = project.milestones.get(name="Trench")
    bad = client.post(
        url("project_milestone_progress", project.public_id, trench.pk),
        {f"m{trench.pk}-progress": "120"},
    )
    assert bad.status_code == 400
    client.post(
        url("project_milestone_progress", project.public_id, trench.pk),
        {f"m{trench.pk}-progress": "100"},
    )
    body = client.get(url("project_detail", project.public_id)).content.decode()
    assert "30%" in body


def test_finding_a_person_and_adding_them_as_a_worker_then_paying():
    user = officer()
    project = _running(user)
    household = make_household(governorate=DUHOK, members=2)
    person = household.members.order_by("id").first()
    client = client_for(user)
    found = client.get(
        url("project_detail", project.public_id), {"who": household.registration_id}
    ).content.decode()
    assert str(person.public_id) in found
    missing_rate = client.post(
        url("project_worker_add", project.public_id),
        {"worker-individual": str(person.public_id), "worker-daily_rate": ""},
    )
    assert missing_rate.status_code == 400
    added = client.post(
        url("project_worker_add", project.public_id),
        {
            "worker-individual": str(person.public_id),
            "worker-daily_rate": "25",
            "worker-role": "Mason",
        },
    )
    assert added.status_code == 302
    again = client.post(
        url("project_worker_add", project.public_id),
        {"worker-individual": str(person.public_id), "worker-daily_rate": "25"},
    )
    assert again.status_code == 400 and "already works on the project" in again.content.decode()
    worker = ProjectWorker.objects.get(project=project)
    pay = {
        "payment-worker": str(worker.public_id),
        "payment-period_start": "2026-03-01",
        "payment-period_end": "2026-03-10",
        "payment-days": "8",
        "payment-paid_on": "2026-03-11",
    }
    too_many = client.post(
        url("project_payment_add", project.public_id), {**pay, "payment-days": "11"}
    )
    assert (
        too_many.status_code == 400
        and "the days worked cannot be more" in too_many.content.decode()
    )
    assert client.post(url("project_payment_add", project.public_id), pay).status_code == 302
    payment = WorkerPayment.objects.get()
    assert payment.amount == Decimal("200.00")
    assert AssistanceRecord.objects.filter(source_id=str(payment.public_id)).count() == 1
    body = client.get(url("project_detail", project.public_id)).content.decode()
    assert "200.00 USD" in body
    toggled = client.post(url("project_worker_toggle", project.public_id, worker.public_id))
    assert toggled.status_code == 302
    worker.refresh_from_db()
    assert not worker.active


def test_a_project_out_of_scope_is_not_found():
    user = officer()
    outside = make_project(community=make_community(governorate=ERBIL))
    client = client_for(user)
    assert client.get(url("project_detail", outside.public_id)).status_code == 404
    assert (
        client.post(
            url("project_action", outside.public_id, "cancel"), {"cancel-reason": "x"}
        ).status_code
        == 404
    )


def test_contractors_list_create_edit_detail():
    user = officer()
    client = client_for(user)
    assert client.get(url("contractor_create")).status_code == 200
    bad = client.post(url("contractor_create"), {"name": ""})
    assert bad.status_code == 400
    client.post(
        url("contractor_create"),
        {"name": "Zakho Builders", "registration_number": "KRG-123", "active": "on"},
    )
    contractor = Contractor.objects.get(name="Zakho Builders")
    duplicate = client.post(url("contractor_create"), {"name": "zakho builders", "active": "on"})
    assert duplicate.status_code == 400 and "already registered" in duplicate.content.decode()
    make_project(contractor=contractor, reference="INF-T-30001")
    assert (
        "INF-T-30001" in client.get(url("contractor_detail", contractor.public_id)).content.decode()
    )
    assert "Zakho Builders" in client.get(url("contractor_list")).content.decode()
    client.post(url("contractor_edit", contractor.public_id), {"name": "Zakho Builders Co."})
    contractor.refresh_from_db()
    assert contractor.name == "Zakho Builders Co." and not contractor.active


def test_the_projects_api_lists_in_scope_with_progress_and_beneficiaries():
    user = officer()
    project = make_project(
        reference="INF-T-40001", population_served=1200, estimation_method="catchment"
    )
    make_project(reference="INF-T-40002", community=make_community(governorate=ERBIL))
    api = api_client_for(user)
    listing = api.get("/api/v1/revitalization/projects/").json()
    refs = [row["reference"] for row in listing["results"]]
    assert "INF-T-40001" in refs and "INF-T-40002" not in refs
    detail = api.get(f"/api/v1/revitalization/projects/{project.public_id}/").json()
    assert detail["population_served"] == 1200 and detail["direct_beneficiaries"]["total"] == 0
