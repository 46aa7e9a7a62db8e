"""Importing applications from a file: the template, all or nothing (one bad row and
nothing is saved; the problems name the row and the column), the applicant by member
number or full name, CSV, and large files through a background job."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from sanad.core.models import Job
from sanad.revitalization.models import GrantApplication
from sanad.revitalization.services.grants import imports
from tests.revitalization.grants_helpers import household, officer, open_call

pytestmark = pytest.mark.django_db


def _xlsx(tmp_path, rows, headers=imports.COLUMNS, name="applications.xlsx"):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "applications"
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    path = tmp_path / name
    book.save(path)
    return path


def _row(h, member="1", **kwargs):
    values = {
        "registration_id": h.registration_id,
        "applicant_member": member,
        "business_name": "Bakery",
        "sector": "food",
        "business_kind": "new",
        "description": "Bread for the neighbourhood",
        "requested_amount": "2500",
        "jobs_planned": "2",
        "phone": "07501234567",
        "submitted_on": "2026-02-15",
    }
    values.update(kwargs)
    return [values[c] for c in imports.COLUMNS]


def test_the_template_has_the_columns_and_their_explanation():
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(imports.import_template()))
    assert [c.value for c in book["applications"][1]] == list(imports.COLUMNS)
    assert book["columns"].max_row == len(imports.COLUMNS) + 1


def test_a_good_file_imports_every_row_finding_the_applicant_by_number_or_name(tmp_path):
    user = officer()
    call, _m = open_call(user)
    first, second = household(), household()
    spouse = second.members.get(relationship="spouse")
    path = _xlsx(
        tmp_path,
        [
            _row(first, "1"),
            _row(second, spouse.full_name_en, sector="Retail shop", jobs_planned=""),
        ],
    )
    result = imports.applications_import(user=user, call=call, path=path)
    assert result.ok and len(result.created) == 2
    apps = GrantApplication.objects.filter(call=call).order_by("reference")
    assert [a.applicant for a in apps] == [first.members.get(relationship="head"), spouse]
    assert apps[0].source == "import" and apps[0].phone == "+9647501234567"
    assert apps[1].sector == "retail" and apps[1].jobs_planned == 0
    assert str(apps[0].submitted_on) == "2026-02-15"


def test_one_bad_row_saves_nothing_and_names_the_row_and_the_column(tmp_path):
    user = officer()
    call, _m = open_call(user)
    rows = [_row(household()), _row(household(), sector="fishing"), _row(household())]
    result = imports.applications_import(user=user, call=call, path=_xlsx(tmp_path, rows))
    assert not result.ok and not result.created
    assert not GrantApplication.objects.filter(call=call).exists()
    assert result.errors == [
        {
            "row": 3,
            "column": "sector",
            "message": "“fishing” is not a sector: use one of "
            "retail, food, agriculture, manufacturing, construction, services, transport, other.",
        }
    ]


def test_every_problem_of_every_row_is_listed(tmp_path):
    user = officer()
    call, _m = open_call(user)
    h = household()
    rows = [
        _row(h, "7"),
        ["NOPE-1", "1", "Shop", "retail", "new", "x", "2000", "1", "", ""],
        _row(household(), requested_amount="90000", business_kind="old", submitted_on="soon"),
        _row(household(), business_name=""),
    ]
    result = imports.applications_import(user=user, call=call, path=_xlsx(tmp_path, rows))
    found = {(e["row"], e["column"]) for e in result.errors}
    assert found == {
        (2, "applicant_member"),
        (3, "registration_id"),
        (4, "business_kind"),
        (4, "submitted_on"),
        (5, "business_name"),
    }
    assert "2 current members" in result.errors[0]["message"]
    assert GrantApplication.objects.count() == 0


def test_an_amount_outside_the_call_and_a_person_twice_are_problems_of_their_rows(tmp_path):
    user = officer()
    call, _m = open_call(user)
    h = household()
    rows = [_row(h), _row(h, requested_amount="90000"), _row(household(), requested_amount="90000")]
    result = imports.applications_import(user=user, call=call, path=_xlsx(tmp_path, rows))
    by_row = {e["row"]: e for e in result.errors}
    assert by_row[3]["column"] == "applicant_member" and "row 2" in by_row[3]["message"]
    assert by_row[4]["column"] == "requested_amount"


def test_a_file_without_a_required_column_is_refused_whole(tmp_path):
    user = officer()
    call, _m = open_call(user)
    headers = [c for c in imports.COLUMNS if c != "sector"]
    path = _xlsx(tmp_path, [], headers=headers)
    result = imports.applications_import(user=user, call=call, path=path)
    assert result.errors[0]["row"] == 1 and "sector" in result.errors[0]["message"]


def test_a_csv_file_is_imported_too(tmp_path):
    user = officer()
    call, _m = open_call(user)
    h = household()
    path = tmp_path / "applications.csv"
    lines = [",".join(imports.COLUMNS), ",".join(_row(h, requested_amount="1500"))]
    path.write_text("\n".join(lines), encoding="utf-8")
    result = imports.applications_import(user=user, call=call, path=path)
    assert result.ok and result.created[0].requested_amount == Decimal("1500")


def test_a_large_file_goes_through_a_background_job(
    tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(imports, "SYNC_ROWS", 1)
    user = officer()
    call, _m = open_call(user)
    source = _xlsx(tmp_path, [_row(household()), _row(household())])
    stored = imports.upload_path("applications.xlsx")
    stored.write_bytes(source.read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.applications_import_submit(
            user=user, call=call, path=stored, name="applications.xlsx"
        )
    assert isinstance(job, Job)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["created"] == 2
    assert GrantApplication.objects.filter(call=call, source="import").count() == 2
    assert not stored.exists()


def test_a_failed_import_job_keeps_the_problems_for_the_page(
    tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(imports, "SYNC_ROWS", 1)
    user = officer()
    call, _m = open_call(user)
    source = _xlsx(tmp_path, [_row(household()), _row(household(), sector="?")])
    stored = imports.upload_path("applications.xlsx")
    stored.write_bytes(source.read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.applications_import_submit(
            user=user, call=call, path=stored, name="applications.xlsx"
        )
    job.refresh_from_db()
    assert job.status == "failed" and "nothing was imported" in job.error
    assert job.result["errors"][0]["row"] == 3 and job.result["errors"][0]["column"] == "sector"
    assert not GrantApplication.objects.filter(call=call).exists()
