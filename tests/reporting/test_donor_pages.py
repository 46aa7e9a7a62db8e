"""The donor reports page (projects in scope, a form each that starts the report's job)
and the preview of a report; the permission-matrix rows of both."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from sanad.accounts.roles import permissions_of
from sanad.core.models import Job
from sanad.reporting.services.donor import default_period_for
from tests.conftest import client_for
from tests.factories import DUHOK, ProgrammeFactory, ProjectFactory, make_user

from .conftest import household_with_members
from .matrix_donor import donor_checks, donor_world

PAGE = "reporting:donor_reports"


@pytest.fixture
def shelter_project(db: Any) -> Any:
    return ProjectFactory(programme=ProgrammeFactory(code="SHELTER"), code="SHL-ELSEWHERE")


@pytest.fixture
def nfi_officer(db: Any) -> Any:
    return make_user("programme_officer", governorates=(DUHOK,), programmes=("NFI",))


def start_data(project: Any, **extra: str) -> dict[str, str]:
    start, end = default_period_for(project)
    data = {
        "project": str(project.public_id),
        "from": f"{start:%Y-%m}",
        "to": f"{end:%Y-%m}",
        "format": "pdf",
        "shared": "on",
        "idempotency_key": "7d1b6c1e-8f0a-4c8e-9a57-3d5d2b7f0c11",
    }
    data.update(extra)
    return data


def test_the_page_lists_the_projects_in_scope_only(project, shelter_project, nfi_officer):
    response = client_for(nfi_officer).get(reverse(PAGE))
    assert response.status_code == 200
    body = response.content.decode()
    assert project.code in body and shelter_project.code not in body
    start, end = default_period_for(project)
    assert f'value="{start:%Y-%m}"' in body and f'value="{end:%Y-%m}"' in body


def test_a_role_without_the_export_permission_is_refused(project):
    camp_manager = make_user("camp_manager")
    assert client_for(camp_manager).get(reverse(PAGE)).status_code == 403


def test_sending_the_form_starts_the_job_once_and_opens_its_page(project, nfi_officer):
    client = client_for(nfi_officer)
    response = client.post(reverse(PAGE), start_data(project, shared=""))
    job = Job.objects.get(kind="reporting.donor_report")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job_detail", args=[job.public_id])
    start, end = default_period_for(project)
    assert {k: job.params[k] for k in ("project", "from", "to", "format", "shared")} == {
        "project": str(project.public_id),
        "from": f"{start:%Y-%m}",
        "to": f"{end:%Y-%m}",
        "format": "pdf",
        "shared": False,
    }
    assert job.created_by == nfi_officer
    client.post(reverse(PAGE), start_data(project, shared=""))
    assert Job.objects.filter(kind="reporting.donor_report").count() == 1
    client.post(reverse(PAGE), start_data(project, shared="", format="xlsx"))
    assert Job.objects.filter(kind="reporting.donor_report").count() == 2


def test_a_donor_viewers_report_is_always_shared(project):
    donor = make_user("donor_viewer", programmes=("NFI",), organisation=project.donor)
    client = client_for(donor)
    page = client.get(reverse(PAGE)).content.decode()
    assert project.code in page and "always have small counts" in page
    assert client.post(reverse(PAGE), start_data(project, shared="")).status_code == 302
    assert Job.objects.get(kind="reporting.donor_report").params["shared"] is True


def test_a_period_that_ends_before_it_starts_is_refused_with_a_message(project, nfi_officer):
    start, _end = default_period_for(project)
    response = client_for(nfi_officer).post(
        reverse(PAGE), start_data(project, to=f"{start.year - 1}-01")
    )
    assert response.status_code == 400
    assert "put the earlier month first" in response.content.decode()
    assert not Job.objects.exists()


def test_a_project_outside_the_scope_is_not_found(shelter_project, nfi_officer):
    client = client_for(nfi_officer)
    assert client.post(reverse(PAGE), start_data(shelter_project)).status_code == 404
    assert client.post(reverse(PAGE), {"project": "not-an-id"}).status_code == 404
    preview = reverse("reporting:donor_report_preview", args=[shelter_project.public_id])
    assert client.get(preview).status_code == 404
    assert not Job.objects.exists()


def test_the_preview_shows_the_report_as_a_page(deliver, project, activity, refresh, nfi_officer):
    deliver(household=household_with_members(DUHOK, members=4), project=project, activity=activity)
    refresh()
    url = reverse("reporting:donor_report_preview", args=[project.public_id])
    client = client_for(nfi_officer)
    shared = client.get(url).content.decode()
    assert 'data-testid="donor-report-suppressed"' in shared
    assert 'data-testid="donor-report-people">–<' in shared
    internal = client.get(url, {"shared": "0"}).content.decode()
    assert 'data-testid="donor-report-people">4<' in internal
    assert "do not add up" in internal
    wrong = client.get(url, {"from": "2026-13"})
    assert (
        wrong.status_code == 200 and 'data-testid="donor-preview-error"' in wrong.content.decode()
    )


@pytest.mark.parametrize("role", ["im_officer", "donor_viewer", "field_enumerator"])
def test_the_permission_matrix_rows_hold_for(role, db):
    from tests.accounts.test_permission_matrix import HIDDEN, Check, _body, allowed, can

    world = donor_world()
    user = make_user(role, governorates=(DUHOK,), programmes=("NFI",))
    client = client_for(user)
    checks = donor_checks(role, world, Check, can, allowed, HIDDEN)
    assert {c.label.split(" ")[0] for c in checks} == {
        "reporting:donor_reports",
        "reporting:donor_report_preview",
    }
    failures = []
    for check in checks:
        response = getattr(client, check.method)(check.url, check.data or {})
        if response.status_code not in check.expect:
            failures.append(f"{check.label}: {response.status_code} not in {check.expect}")
        elif response.status_code == 200 and check.absent and check.absent in _body(response):
            failures.append(f"{check.label}: shows {check.absent}")
    assert not failures, failures
    assert ("reporting.export_reports" in permissions_of(role)) == (role != "field_enumerator")
