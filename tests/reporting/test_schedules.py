"""Scheduled exports: the 4W of last month and a project's donor report of last quarter,
produced once per period by background jobs started as the schedule's author."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sanad.core.errors import ValidationFailed
from sanad.core.jobs import job_kind, job_kinds
from sanad.core.models import Job
from sanad.reporting import demo_exports
from sanad.reporting.models import ScheduledExport, ScheduledRun
from sanad.reporting.services.schedules import (
    next_run,
    period_for,
    run_after,
    schedule_create,
    schedule_toggle,
    schedule_update,
    schedules_run_due,
)
from tests.conftest import client_for
from tests.factories import DUHOK, ProjectFactory, make_user, unit

from .conftest import household_with_members

D = datetime.date

if "reporting.donor_report" not in job_kinds():  # the donor reports' own kind, when present

    @job_kind("reporting.donor_report", title="Donor report (test stand-in)")
    def _donor_stand_in(job, progress):
        return {"rows": 0}


@pytest.fixture
def me(db):
    return make_user("me_viewer")


def four_w(user, **data) -> ScheduledExport:
    values = {
        "name": "Monthly 4W",
        "kind": "4w",
        "format": "hxl-csv",
        "frequency": "monthly",
        "day_of_month": 2,
        "shared": True,
    }
    values.update(data)
    return schedule_create(user=user, data=values)


def due(schedule: ScheduledExport, day: datetime.date) -> ScheduledExport:
    ScheduledExport.objects.filter(pk=schedule.pk).update(next_run_on=day)
    schedule.refresh_from_db()
    return schedule


# --- dates ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("frequency", "day", "today", "expected"),
    [
        ("monthly", 2, D(2026, 2, 10), D(2026, 3, 2)),
        ("monthly", 10, D(2026, 2, 10), D(2026, 2, 10)),
        ("monthly", 28, D(2026, 12, 29), D(2027, 1, 28)),
        ("quarterly", 5, D(2026, 2, 10), D(2026, 4, 5)),
        ("quarterly", 5, D(2026, 4, 5), D(2026, 4, 5)),
        ("quarterly", 5, D(2026, 10, 6), D(2027, 1, 5)),
    ],
)
def test_the_first_run_is_the_next_day_to_come(frequency, day, today, expected):
    assert next_run(frequency, day, today) == expected


def test_a_monthly_run_reports_the_month_before_and_a_quarterly_one_the_quarter_before():
    assert period_for("monthly", D(2026, 3, 2)) == (D(2026, 2, 1), D(2026, 2, 28))
    assert period_for("monthly", D(2026, 1, 2)) == (D(2025, 12, 1), D(2025, 12, 31))
    assert period_for("quarterly", D(2026, 4, 5)) == (D(2026, 1, 1), D(2026, 3, 31))
    assert period_for("quarterly", D(2026, 1, 5)) == (D(2025, 10, 1), D(2025, 12, 31))
    assert run_after("monthly", 2, D(2026, 12, 2)) == D(2027, 1, 2)
    assert run_after("quarterly", 5, D(2026, 10, 5)) == D(2027, 1, 5)


# --- validation -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "donor", "format": "xlsx"}, "project"),
        ({"kind": "donor", "format": "hxl-csv", "project": "P"}, "format"),
        ({"format": "pdf"}, "format"),
        ({"day_of_month": 29}, "day_of_month"),
        ({"day_of_month": 0}, "day_of_month"),
        ({"frequency": "weekly"}, "frequency"),
        ({"name": "  "}, "name"),
    ],
)
def test_a_schedule_must_make_sense(me, data, field):
    if data.get("project") == "P":
        data["project"] = ProjectFactory()
    with pytest.raises(ValidationFailed) as caught:
        four_w(me, **data)
    assert field in caught.value.fields


def test_a_schedule_outside_the_authors_area_is_refused(db):
    officer = make_user("programme_officer", governorates=(DUHOK,), programmes=("NFI",))
    shelter_project = ProjectFactory(programme__code="SHELTER")
    with pytest.raises(ValidationFailed) as caught:
        four_w(officer, kind="donor", format="xlsx", project=shelter_project)
    assert "project" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        four_w(officer, governorate=unit("IQG11"))
    assert "governorate" in caught.value.fields


def test_a_donor_viewers_schedule_is_always_shared(db):
    donor = make_user("donor_viewer")
    assert four_w(donor, shared=False).shared is True


def test_changing_the_day_moves_the_next_run(me):
    schedule = four_w(me)
    today = timezone.localdate()
    schedule = schedule_update(user=me, schedule=schedule, data={"day_of_month": 28})
    assert schedule.next_run_on == next_run("monthly", 28, today)


# --- the periodic task ------------------------------------------------------------------------
def test_a_due_schedule_runs_once_for_last_month_as_its_author(
    me, deliver, django_capture_on_commit_callbacks
):
    deliver(household=household_with_members(DUHOK, members=2))
    schedule = due(four_w(me, governorate=unit(DUHOK), format="xlsx"), D(2026, 3, 2))
    with django_capture_on_commit_callbacks(execute=True):
        assert schedules_run_due(today=D(2026, 3, 5)) == 1
    run = ScheduledRun.objects.get(schedule=schedule)
    assert (run.period_start, run.period_end) == (D(2026, 2, 1), D(2026, 2, 28))
    job = run.job
    assert job.kind == "reporting.export_4w" and job.created_by == me
    assert job.params == {
        "from": "2026-02",
        "to": "2026-02",
        "format": "xlsx",
        "shared": True,
        "governorate": DUHOK,
        "district": "",
        "programme": "",
        "project": "",
    }
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.result_file.endswith(".xlsx")
    schedule.refresh_from_db()
    assert schedule.last_job == job and schedule.next_run_on == D(2026, 4, 2)
    # The next tick the same day has nothing to do.
    assert schedules_run_due(today=D(2026, 3, 5)) == 0


def test_running_a_period_again_is_harmless(me):
    schedule = due(four_w(me), D(2026, 3, 2))
    assert schedules_run_due(today=D(2026, 3, 2)) == 1
    # As if another tick had read the schedule before this one moved it on.
    due(schedule, D(2026, 3, 2))
    assert schedules_run_due(today=D(2026, 3, 2)) == 0
    assert ScheduledRun.objects.filter(schedule=schedule).count() == 1
    assert Job.objects.filter(kind="reporting.export_4w").count() == 1
    schedule.refresh_from_db()
    assert schedule.next_run_on == D(2026, 4, 2)


def test_missed_periods_are_produced_one_per_tick(me):
    schedule = due(four_w(me), D(2026, 1, 2))
    today = D(2026, 3, 10)
    assert [schedules_run_due(today=today) for _ in range(4)] == [1, 1, 1, 0]
    starts = sorted(
        ScheduledRun.objects.filter(schedule=schedule).values_list("period_start", flat=True)
    )
    assert starts == [D(2025, 12, 1), D(2026, 1, 1), D(2026, 2, 1)]


def test_a_quarterly_donor_report_runs_for_the_quarter_before(me):
    project = ProjectFactory(programme__code="NFI", code="NFI-Q")
    schedule = four_w(
        me,
        name="Donor",
        kind="donor",
        format="pdf",
        frequency="quarterly",
        day_of_month=5,
        project=project,
        governorate=unit(DUHOK),
    )
    assert schedule.governorate is None  # a donor report covers its project
    due(schedule, D(2026, 4, 5))
    assert schedules_run_due(today=D(2026, 4, 5)) == 1
    job = ScheduledRun.objects.get(schedule=schedule).job
    assert job.kind == "reporting.donor_report"
    assert job.params == {
        "project": str(project.public_id),
        "from": "2026-01",
        "to": "2026-03",
        "format": "pdf",
        "shared": True,
    }
    schedule.refresh_from_db()
    assert schedule.next_run_on == D(2026, 7, 5)


def test_a_paused_schedule_does_not_run_and_resumes_from_the_next_date(me):
    schedule = due(four_w(me), D(2026, 3, 2))
    schedule = schedule_toggle(user=me, schedule=schedule)
    assert not schedule.active
    assert schedules_run_due(today=D(2026, 3, 5)) == 0
    schedule = schedule_toggle(user=me, schedule=schedule)
    assert schedule.active
    assert schedule.next_run_on == next_run("monthly", 2, timezone.localdate())


def test_when_the_author_can_no_longer_export_the_run_is_kept_without_a_job(me):
    schedule = due(four_w(me), D(2026, 3, 2))
    me.role_assignments.all().delete()
    assert schedules_run_due(today=D(2026, 3, 2)) == 0
    run = ScheduledRun.objects.get(schedule=schedule)
    assert run.job is None
    schedule.refresh_from_db()
    assert schedule.next_run_on == D(2026, 4, 2)


def test_the_periodic_task_is_named_in_the_settings():
    from django.conf import settings
    from django.utils.module_loading import import_string

    path = "sanad.reporting.services.schedules.schedules_run_due"
    assert path in settings.SANAD_PERIODIC_TASKS
    assert import_string(path) is schedules_run_due


# --- pages ------------------------------------------------------------------------------------
def test_a_schedule_is_made_on_the_page_and_listed(me):
    client = client_for(me)
    assert client.get(reverse("reporting:schedule_create")).status_code == 200
    response = client.post(
        reverse("reporting:schedule_create"),
        {
            "name": "4W for the cluster",
            "kind": "4w",
            "format": "xlsx",
            "frequency": "monthly",
            "day_of_month": "3",
            "governorate": DUHOK,
            "shared": "on",
        },
    )
    assert response.status_code == 302
    schedule = ScheduledExport.objects.get(name="4W for the cluster")
    assert schedule.created_by == me and schedule.governorate.pcode == DUHOK
    listed = client.get(reverse("reporting:schedules")).content.decode()
    assert "4W for the cluster" in listed


def test_the_page_shows_the_services_refusal_beside_the_field(me):
    response = client_for(me).post(
        reverse("reporting:schedule_create"),
        {
            "name": "Donor",
            "kind": "donor",
            "format": "hxl-csv",
            "frequency": "monthly",
            "day_of_month": "2",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["format"]


def test_someone_elses_schedule_is_hidden_except_from_information_management(me):
    schedule = four_w(me, name="Mine only")
    other = make_user("programme_officer")
    client = client_for(other)
    assert "Mine only" not in client.get(reverse("reporting:schedules")).content.decode()
    assert (
        client.get(reverse("reporting:schedule_edit", args=[schedule.public_id])).status_code == 404
    )
    toggle = reverse("reporting:schedule_toggle", args=[schedule.public_id])
    assert client.post(toggle).status_code == 404
    schedule.refresh_from_db()
    assert schedule.active
    im = client_for(make_user("im_officer"))
    assert "Mine only" in im.get(reverse("reporting:schedules")).content.decode()


def test_the_edit_page_shows_the_runs_with_their_jobs_and_toggles(me):
    schedule = due(four_w(me), D(2026, 3, 2))
    schedules_run_due(today=D(2026, 3, 2))
    client = client_for(me)
    page = client.get(reverse("reporting:schedule_edit", args=[schedule.public_id]))
    job = ScheduledRun.objects.get(schedule=schedule).job
    assert reverse("core:job_detail", args=[job.public_id]) in page.content.decode()
    response = client.post(reverse("reporting:schedule_toggle", args=[schedule.public_id]))
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert not schedule.active
    assert (
        client.get(reverse("reporting:schedule_toggle", args=[schedule.public_id])).status_code
        == 405
    )


# --- demo -------------------------------------------------------------------------------------
def test_the_demo_schedules_are_made_once(me):
    ProjectFactory(programme__code="NFI", code="NFI-DEMO-1")
    demo_exports.seed(user=me)
    demo_exports.seed(user=me)
    schedules = ScheduledExport.objects.filter(created_by=me).order_by("kind")
    assert [(s.kind, s.format, s.frequency) for s in schedules] == [
        ("4w", "hxl-csv", "monthly"),
        ("donor", "xlsx", "quarterly"),
    ]
    assert all(s.shared and s.active for s in schedules)
