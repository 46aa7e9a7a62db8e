"""The import pages: upload, review, report, commit, reject, mappings and downloads."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from sanad.core.models import Job
from sanad.registry.imports import services
from sanad.registry.models import ColumnMapping, Household, ImportBatch
from tests.conftest import client_for
from tests.factories import DUHOK, make_user
from tests.registry.imports.conftest import HEAD, household, template_csv, validated

pytestmark = pytest.mark.django_db


def _upload(client, path, file_format="template", **extra):
    with path.open("rb") as fh:
        data = {
            "file": SimpleUploadedFile(path.name, fh.read()),
            "file_format": file_format,
            **extra,
        }
    return client.post(reverse("registry:import_upload"), data)


def test_uploading_a_file_checks_it_in_a_job_and_shows_the_batch(
    importer, tmp_files, django_capture_on_commit_callbacks
):
    client = client_for(importer)
    assert client.get(reverse("registry:import_upload")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, template_csv(tmp_files / "ok.csv", [household(), household()]))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "registry:import_detail", args=[batch.public_id]
    )
    assert batch.status == ImportBatch.Status.READY and batch.job.status == Job.Status.SUCCEEDED
    assert batch.job.result["households"] == 2
    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="batch-commit"' in html and "ok.csv" in html


def test_a_file_with_errors_shows_them_and_offers_the_report_but_no_commit(
    importer, tmp_files, django_capture_on_commit_callbacks
):
    client = client_for(importer)
    bad = household(members=[{**HEAD, "sex": "?", "date_of_birth": "31/02/1990"}])
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, template_csv(tmp_files / "bad.csv", [bad]))
    batch = ImportBatch.objects.get()
    html = client.get(reverse("registry:import_detail", args=[batch.public_id])).content.decode()
    assert 'data-testid="error-table"' in html and "is not one of the answers" in html
    assert 'data-testid="batch-commit"' not in html and "cannot be committed" in html
    response = client.post(reverse("registry:import_commit", args=[batch.public_id]))
    assert response.status_code == 302 and Household.objects.count() == 0


def test_the_report_marks_the_faulty_cells_in_red_with_the_message(importer, tmp_files):
    bad = household(members=[{**HEAD, "sex": "?"}])
    batch = validated(importer, template_csv(tmp_files / "bad.csv", [household(), bad]))
    response = client_for(importer).get(reverse("registry:import_report", args=[batch.public_id]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    errors = list(wb["Errors"].iter_rows(values_only=True))
    assert errors[1][:4] == ("bad", 5, "sex", "?")
    detail = wb["bad"]
    header = [c.value for c in detail[1]]
    sex = header.index("sex") + 1
    assert detail.cell(row=2, column=1).value == 5
    cell = detail.cell(row=2, column=sex)
    assert cell.value == "?" and cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert "is not one of the answers" in cell.comment.text
    assert "sex:" in detail.cell(row=2, column=len(header)).value


def test_committing_from_the_page_writes_the_households(
    importer, tmp_files, django_capture_on_commit_callbacks
):
    batch = validated(importer, template_csv(tmp_files / "ok.csv", [household()]))
    client = client_for(importer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:import_commit", args=[batch.public_id]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and Household.objects.count() == 1
    assert client.get(reverse("registry:import_commit", args=[batch.public_id])).status_code == 405


def test_rejecting_from_the_page_records_the_reason(importer, tmp_files):
    batch = validated(importer, template_csv(tmp_files / "ok.csv", [household()]))
    client_for(importer).post(
        reverse("registry:import_reject", args=[batch.public_id]), {"reason": "old file"}
    )
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REJECTED
    assert ImportBatch.STATUS_MACHINE.history(batch).last().reason == "old file"


def test_the_list_shows_ones_own_batches_and_hides_a_colleagues_to_a_scoped_user(
    importer, tmp_files
):
    mine = make_user("im_officer", governorates=(DUHOK,))
    validated(mine, template_csv(tmp_files / "mine.csv", [household()]))
    theirs = validated(importer, template_csv(tmp_files / "theirs.csv", [household()]))
    html = client_for(mine).get(reverse("registry:import_list")).content.decode()
    assert "mine.csv" in html and "theirs.csv" not in html
    assert (
        client_for(mine).get(reverse("registry:import_detail", args=[theirs.public_id])).status_code
        == 404
    )
    everyone = client_for(importer).get(reverse("registry:import_list")).content.decode()
    assert "mine.csv" in everyone and "theirs.csv" in everyone


def test_roles_without_the_import_permission_are_refused():
    client = client_for(make_user("field_enumerator"))
    for name in (
        "import_list",
        "import_upload",
        "mapping_list",
        "template_download",
        "xlsform_download",
    ):
        assert client.get(reverse(f"registry:{name}")).status_code == 403, name


def test_the_template_and_the_xlsform_download(importer):
    client = client_for(importer)
    csv_response = client.get(reverse("registry:template_download"))
    assert csv_response["Content-Type"].startswith("text/csv")
    assert csv_response.content.startswith(b"\xef\xbb\xbfhousehold_ref,source_ref,consent")
    xlsx = client.get(reverse("registry:template_download") + "?format=xlsx")
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "households"
    form = client.get(reverse("registry:xlsform_download"))
    assert "sanad-registration-" in form["Content-Disposition"]
    assert load_workbook(io.BytesIO(form.content)).sheetnames == ["survey", "choices", "settings"]


def test_a_mapping_made_on_its_page_reads_another_forms_columns_and_answers(
    importer, tmp_files, django_capture_on_commit_callbacks
):
    client = client_for(importer)
    path = tmp_files / "partner.csv"
    path.write_text(
        "family,consent,location,status,first name,gender,born,role\n"
        "F1,yes,IQG09Q03N03,IDP,علي,M,01/02/1980,HH\n"
        "F1,,,,زينب,F,03/04/1985,wife\n",
        encoding="utf-8",
    )
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, path)
    unmapped = ImportBatch.objects.get()
    assert unmapped.status == ImportBatch.Status.FAILED
    edit = client.get(reverse("registry:mapping_edit") + f"?batch={unmapped.public_id}")
    assert '<option value="first name">' in edit.content.decode()
    response = client.post(
        reverse("registry:mapping_edit"),
        {
            "name": "Partner form",
            "file_format": "template",
            "date_order": "dmy",
            "col__household__household_ref": "family",
            "col__household__subdistrict": "location",
            "col__household__displacement_status": "status",
            "col__member__given_name_ar": "first name",
            "col__member__sex": "gender",
            "col__member__date_of_birth": "born",
            "col__member__relationship": "role",
            "values__sex": "M = male\nF = female",
            "values__relationship": "HH = head\nwife = spouse",
            "values__displacement_status": "IDP = idp_out_of_camp",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mapping = ColumnMapping.objects.get()
    assert (
        mapping.spec["member"]["sex"] == "gender" and mapping.spec["values"]["sex"]["M"] == "male"
    )
    batch = validated(importer, path, mapping=mapping)
    assert batch.error_count == 0, services.batch_errors(batch)
    services.import_batch_commit(batch=batch, user=importer)
    assert sorted(Household.objects.get().members.values_list("relationship", flat=True)) == [
        "head",
        "spouse",
    ]
    assert client.get(reverse("registry:mapping_edit", args=[mapping.public_id])).status_code == 200


def test_a_mapping_with_an_unknown_answer_is_refused_with_the_reason(importer):
    response = client_for(importer).post(
        reverse("registry:mapping_edit"),
        {"name": "Bad", "file_format": "kobo", "date_order": "dmy", "values__sex": "M = man"},
    )
    assert response.status_code == 400
    assert "is not an answer of sex" in response.content.decode()


def test_while_the_check_runs_the_batch_page_shows_its_progress_and_reloads_when_done(
    importer, tmp_files
):
    from tests.registry.imports.conftest import upload

    batch = upload(importer, template_csv(tmp_files / "ok.csv", [household()]))
    job = services.import_batch_validate_start(batch=batch, user=importer)  # queued, not run
    client = client_for(importer)
    html = client.get(reverse("registry:import_detail", args=[batch.public_id])).content.decode()
    assert reverse("core:job_progress", args=[job.public_id]) in html
    assert 'hx-trigger="job-finished from:body"' in html
    partial = client.get(
        reverse("registry:import_detail", args=[batch.public_id]), HTTP_HX_REQUEST="true"
    )
    assert partial.content.decode().lstrip().startswith('<div id="batch-summary">')


def test_checking_a_file_again_from_the_page_starts_a_new_job(
    importer, tmp_files, django_capture_on_commit_callbacks
):
    batch = validated(
        importer, template_csv(tmp_files / "bad.csv", [household(members=[{**HEAD, "sex": "?"}])])
    )
    with django_capture_on_commit_callbacks(execute=True):
        client_for(importer).post(reverse("registry:import_detail", args=[batch.public_id]))
    batch.refresh_from_db()
    assert (
        batch.job is not None
        and batch.status == ImportBatch.Status.READY
        and batch.error_count == 1
    )


def test_searching_the_list_answers_htmx_with_the_table_only(importer, tmp_files):
    validated(importer, template_csv(tmp_files / "camp-a.csv", [household()]))
    validated(importer, template_csv(tmp_files / "camp-b.csv", [household()]))
    response = client_for(importer).get(
        reverse("registry:import_list") + "?q=camp-a", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "camp-a.csv" in html and "camp-b.csv" not in html and "<html" not in html


def test_the_list_page_and_endpoint_cost_the_same_queries_for_more_batches(importer, tmp_files):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import api_client_for

    web, api = client_for(importer), api_client_for(importer)

    def cost():
        with CaptureQueriesContext(connection) as pages:
            assert web.get(reverse("registry:import_list")).status_code == 200
        with CaptureQueriesContext(connection) as endpoint:
            assert api.get("/api/v1/imports/").status_code == 200
        return len(pages), len(endpoint)

    validated(importer, template_csv(tmp_files / "a.csv", [household()]))
    few = cost()
    for name in ("b", "c", "d"):
        validated(importer, template_csv(tmp_files / f"{name}.csv", [household()]))
    assert cost() == few
