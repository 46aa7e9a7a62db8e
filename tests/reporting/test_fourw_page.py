"""The 4W as a background job, and the exports page that starts it."""

from __future__ import annotations

import io
from pathlib import Path

import hxl
from django.conf import settings
from django.urls import reverse

from sanad.core.jobs import job_start
from sanad.core.models import Job
from sanad.reporting.jobs_exports import EXPORT_4W
from sanad.reporting.services.summary import summary_refresh
from tests.conftest import client_for
from tests.factories import DUHOK, ERBIL, make_user

from .conftest import TODAY, days_ago, household_with_members

MONTH = f"{days_ago(10):%Y-%m}"


def _file(job: Job) -> Path:
    return Path(settings.JOB_FILES_DIR) / str(job.public_id) / job.result_file


def _params(**extra) -> dict:
    return {"from": MONTH, "to": MONTH, "format": "hxl-csv", "shared": False, **extra}


def test_the_job_writes_the_file_reports_progress_and_refreshes_the_summary_first(
    db, deliver, django_capture_on_commit_callbacks
):
    deliver(household=household_with_members(DUHOK, members=4))
    deliver(household=household_with_members(ERBIL, members=2))
    # No refresh here: the job brings the summary up to date itself.
    officer = make_user("im_officer")
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind=EXPORT_4W, user=officer, params=_params())
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["rows"] == 2 and job.result["shared"] is False
    assert job.result_file == f"4w-{MONTH}-{MONTH}-internal.csv"
    assert (job.progress_done, job.progress_total) == (2, 2)
    data = _file(job).read_bytes()
    rows = list(hxl.data(io.BytesIO(data)))
    assert sorted(int(r.get("#reached+ind")) for r in rows) == [2, 4]
    assert not list(_file(job).parent.glob(".*.part"))


def test_the_job_exports_what_its_author_reaches_and_xlsx_when_asked(
    db, deliver, refresh, django_capture_on_commit_callbacks
):
    deliver(household=household_with_members(DUHOK, members=4))
    deliver(household=household_with_members(ERBIL, members=2))
    refresh()
    officer = make_user("programme_officer", governorates=(DUHOK,), programmes=("NFI",))
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind=EXPORT_4W, user=officer, params=_params(format="xlsx"))
    job.refresh_from_db()
    assert job.result["rows"] == 1 and job.result_file.endswith(".xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(_file(job))["4W"]
    assert sheet["K3"].value == DUHOK  # #adm1+code


def test_a_donor_viewer_always_gets_the_shared_file(
    db, deliver, refresh, django_capture_on_commit_callbacks
):
    deliver(household=household_with_members(DUHOK, members=2))
    refresh()
    donor = make_user("donor_viewer")
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind=EXPORT_4W, user=donor, params=_params(shared=False))
    job.refresh_from_db()
    assert job.result["shared"] is True and job.result_file.endswith("-shared.csv")
    row = next(iter(hxl.data(io.BytesIO(_file(job).read_bytes()))))
    assert row.get("#reached+ind") in ("", None)


def test_a_job_with_a_bad_period_fails_with_the_message(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            kind=EXPORT_4W, user=make_user("im_officer"), params=_params(**{"from": "2026-13"})
        )
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "YYYY-MM" in job.error


# --- the page ---------------------------------------------------------------------------------
def test_the_page_starts_the_job_and_leads_to_its_page(
    db, deliver, django_capture_on_commit_callbacks
):
    deliver(household=household_with_members(DUHOK, members=4))
    summary_refresh()
    officer = make_user("im_officer")
    client = client_for(officer)
    page = client.get(reverse("reporting:exports"))
    assert page.status_code == 200
    key = page.context["form"].initial["key"]
    form = {
        "start": MONTH,
        "end": MONTH,
        "format": "xlsx",
        "governorate": DUHOK,
        "programme": "NFI",
        "project": "",
        "shared": "on",
        "key": key,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:exports"), form)
    job = Job.objects.get(kind=EXPORT_4W)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job_detail", args=[job.public_id])
    assert job.params["governorate"] == DUHOK and job.params["shared"] is True
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.result["rows"] == 1
    # A second click on the same form (the same key) is the same export.
    again = client.post(reverse("reporting:exports"), form)
    assert again["Location"] == response["Location"]
    assert Job.objects.filter(kind=EXPORT_4W).count() == 1
    listed = client.get(reverse("reporting:exports"))
    body = listed.content.decode()
    assert job.title in body
    assert reverse("core:job_download", args=[job.public_id]) in body


def test_the_page_refuses_a_bad_period_beside_the_field(db):
    client = client_for(make_user("im_officer"))
    response = client.post(
        reverse("reporting:exports"),
        {"start": "2026-05", "end": "2026-02", "format": "hxl-csv", "key": "abc", "shared": "on"},
    )
    assert response.status_code == 400
    assert "earlier month first" in str(response.context["form"].errors["end"])
    assert not Job.objects.exists()


def test_outside_the_mission_shared_is_forced_and_cannot_be_unticked(db):
    donor = make_user("donor_viewer")
    client = client_for(donor)
    page = client.get(reverse("reporting:exports"))
    assert "disabled" in str(page.context["form"]["shared"])
    client.post(
        reverse("reporting:exports"),
        {"start": f"{TODAY:%Y-%m}", "end": f"{TODAY:%Y-%m}", "format": "hxl-csv", "key": "k1"},
    )
    assert Job.objects.get(kind=EXPORT_4W).params["shared"] is True


def test_a_role_without_the_export_permission_is_refused(db):
    client = client_for(make_user("field_enumerator"))
    assert client.get(reverse("reporting:exports")).status_code == 403


def test_the_pages_work_right_to_left_in_arabic(db):
    client = client_for(make_user("im_officer", preferred_language="ar"))
    for name in ("reporting:exports", "reporting:schedules", "reporting:schedule_create"):
        response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="ar")
        assert response.status_code == 200
        assert 'dir="rtl"' in response.content.decode()
