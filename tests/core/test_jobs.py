import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from sanad.core.errors import ValidationFailed
from sanad.core.jobs import job_kind, job_start
from sanad.core.models import Job
from tests.conftest import api_client_for, client_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@job_kind("tests.count", title="Count to ten")
def _count(job, progress):
    total = int(job.params.get("n", 10))
    for i in range(1, total + 1):
        progress(i, total, f"Counted {i}", force=True)
    path = progress.file_path("count.txt")
    path.write_text(str(total))
    return {"file": "count.txt", "counted": total}


@job_kind("tests.fails", title="Always fails")
def _fails(job, progress):
    raise ValidationFailed("The file has no header row; add one and import again.")


@job_kind("tests.crashes", title="Crashes")
def _crashes(job, progress):
    raise RuntimeError("boom")


def test_a_started_job_runs_in_the_worker_and_reports_progress_and_result(
    django_capture_on_commit_callbacks,
):
    user = make_user("field_enumerator")
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="tests.count", user=user, params={"n": 5})
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.progress_done, job.progress_total, job.percent) == (5, 5, 100)
    assert job.result == {"counted": 5} and job.result_file == "count.txt"
    assert job.created_by == user and job.started_at and job.finished_at


def test_a_job_that_fails_with_an_application_error_shows_its_message(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="tests.fails", user=make_user("administrator"))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "header row" in job.error


def test_a_crashing_job_fails_without_leaking_the_traceback(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="tests.crashes", user=make_user("administrator"))
    job.refresh_from_db()
    assert (
        job.status == Job.Status.FAILED
        and "boom" not in job.error
        and "boom" not in str(job.result)
    )


def test_a_retried_start_with_the_same_key_does_not_start_the_work_twice(
    django_capture_on_commit_callbacks,
):
    user = make_user("administrator")
    with django_capture_on_commit_callbacks(execute=True):
        first = job_start(kind="tests.count", user=user, idempotency_key="abc")
        second = job_start(kind="tests.count", user=user, idempotency_key="abc")
    assert first.pk == second.pk and Job.objects.count() == 1


def test_an_unknown_kind_of_job_is_refused_clearly():
    with pytest.raises(ValidationFailed) as exc:
        job_start(kind="nope", user=make_user("administrator"))
    assert exc.value.code == "unknown_job_kind"


def test_the_job_page_shows_progress_and_offers_the_file(django_capture_on_commit_callbacks):
    user = make_user("field_enumerator")
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="tests.count", user=user, params={"n": 3})
    client = client_for(user)
    page = client.get(reverse("core:job_detail", args=[job.public_id]))
    assert page.status_code == 200 and b"100%" in page.content
    fragment = client.get(
        reverse("core:job_progress", args=[job.public_id]), HTTP_HX_REQUEST="true"
    )
    assert fragment["HX-Trigger"] == "job-finished" and b"hx-trigger" not in fragment.content
    download = client.get(reverse("core:job_download", args=[job.public_id]))
    assert b"".join(download.streaming_content) == b"3"


def test_a_running_job_fragment_keeps_polling():
    user = make_user("field_enumerator")
    job = Job.objects.create(
        kind="tests.count",
        title="Count",
        created_by=user,
        status=Job.Status.RUNNING,
        progress_done=2,
        progress_total=4,
    )
    fragment = client_for(user).get(reverse("core:job_progress", args=[job.public_id]))
    assert b'hx-trigger="every 1s"' in fragment.content and b"50%" in fragment.content


def test_someone_elses_job_is_not_found_but_administrators_see_it():
    owner = make_user("field_enumerator")
    job = Job.objects.create(kind="tests.count", title="Count", created_by=owner)
    assert (
        client_for(make_user("field_enumerator"))
        .get(reverse("core:job_detail", args=[job.public_id]))
        .status_code
        == 404
    )
    assert (
        client_for(make_user("administrator"))
        .get(reverse("core:job_detail", args=[job.public_id]))
        .status_code
        == 200
    )
    assert (
        api_client_for(make_user("hotline_operator"))
        .get(f"/api/v1/jobs/{job.public_id}/")
        .status_code
        == 404
    )


def test_cancelling_a_queued_job_stops_it():
    owner = make_user("field_enumerator")
    job = Job.objects.create(kind="tests.count", title="Count", created_by=owner)
    client_for(owner).post(reverse("core:job_cancel", args=[job.public_id]))
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED


def test_the_command_line_runs_a_job_with_a_progress_bar(transactional_db):
    make_user("administrator", username="cli-admin")
    out = io.StringIO()
    call_command("jobs", "run", "tests.count", "--user", "cli-admin", "--param", "n=4", stdout=out)
    text = out.getvalue()
    assert "Finished" in text and '"counted": 4' in text and "4/4" in text
    job = Job.objects.get()
    assert job.status == Job.Status.SUCCEEDED


def test_the_command_line_lists_jobs_and_kinds():
    Job.objects.create(kind="tests.count", title="Count")
    out = io.StringIO()
    call_command("jobs", "list", stdout=out)
    call_command("jobs", "kinds", stdout=out)
    assert "tests.count" in out.getvalue()
