"""Reading files as they come: encodings, Kobo's sheets, labels or XML names, JSON, ZIP."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

import pytest
from openpyxl import Workbook

from sanad.registry.imports import synthetic
from sanad.registry.imports.parsing import CsvBook, detect_encoding, open_book
from sanad.registry.imports.xlsx import XlsxBook
from sanad.registry.models import Household, ImportBatch, Individual
from tests.registry.imports.conftest import (
    HEAD,
    SPOUSE,
    household,
    messages_of,
    records,
    template_csv,
    validated,
)

pytestmark = pytest.mark.django_db


# --- encodings -------------------------------------------------------------------------


def test_utf8_is_read_with_or_without_a_byte_order_mark():
    for data, expected in ((b"\xef\xbb\xbfa,b\n", "utf-8-sig"), ("اسم,b\n".encode(), "utf-8")):
        assert detect_encoding(io.BytesIO(data)) == expected


def test_a_file_that_is_not_utf8_is_read_as_windows_arabic():
    data = "household_ref,given_name_ar\nH1,محمد\n".encode("cp1256")
    assert detect_encoding(io.BytesIO(data)) == "cp1256"


def test_a_windows_1256_template_imports_with_its_arabic_names(importer, tmp_files):
    path = template_csv(tmp_files / "arabic.csv", [household()], encoding="cp1256")
    batch = validated(importer, path)
    assert batch.error_count == 0
    from sanad.registry.imports import services

    services.import_batch_commit(batch=batch, user=importer)
    assert set(Individual.objects.values_list("given_name_ar", flat=True)) == {
        "خالد",
        "فاطمة",
        "يوسف",
    }


def test_semicolon_separated_files_are_read(importer, tmp_files):
    path = template_csv(tmp_files / "semi.csv", [household()], delimiter=";")
    assert validated(importer, path).error_count == 0


def test_csv_rows_are_numbered_as_a_spreadsheet_shows_them(tmp_files):
    path = tmp_files / "n.csv"
    path.write_text('a,b\n1,"two\nlines"\n\n3,4\n', encoding="utf-8")
    assert list(CsvBook(path).rows("n")) == [
        (1, ["a", "b"]),
        (2, ["1", "two\nlines"]),
        (4, ["3", "4"]),
    ]


# --- XLSX ------------------------------------------------------------------------------


def test_the_xlsx_reader_reads_shared_and_inline_strings_numbers_and_dates(tmp_files):
    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(["name", "n", "born", "flag", "phone"])
    ws.append(["محمد & Co", 7, datetime.date(1990, 5, 1), True, "07501234567"])
    ws.append([None, 2.5, datetime.datetime(2024, 1, 2, 9, 30), False, None])
    ws["A5"] = "after a gap"
    wb.save(tmp_files / "normal.xlsx")  # shared strings, styled dates
    book = XlsxBook(tmp_files / "normal.xlsx")
    rows = list(book.rows("data", width=5))
    assert rows[1] == (2, ["محمد & Co", "7", "1990-05-01", "TRUE", "07501234567"])
    assert rows[2] == (3, ["", "2.5", "2024-01-02T09:30:00", "FALSE", ""])
    assert rows[3][0] == 5 and rows[3][1][0] == "after a gap"
    assert book.fraction() == 1.0

    wo = Workbook(write_only=True)
    sheet = wo.create_sheet("data")
    sheet.append(["a", "b"])
    sheet.append(["inline", 3])
    wo.save(tmp_files / "inline.xlsx")  # inline strings
    assert list(XlsxBook(tmp_files / "inline.xlsx").rows("data"))[1] == (2, ["inline", "3"])


def test_an_xlsx_written_without_cell_references_is_read_by_the_careful_reader(tmp_files):
    from sanad.registry.imports.synthetic import _FastXlsx

    path = tmp_files / "noref.xlsx"
    _FastXlsx(path).write([("s", [["a", "b"], ["x", "12"]])])
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = (
        sheet.replace(b' r="A1"', b"")
        .replace(b' r="B1"', b"")
        .replace(b' r="A2"', b"")
        .replace(b' r="B2"', b"")
    )
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert list(XlsxBook(path).rows("s")) == [(1, ["a", "b"]), (2, ["x", "12"])]


# --- Kobo exports ----------------------------------------------------------------------


def test_a_kobo_xlsx_export_of_the_form_imports_with_no_mapping(importer, demo_places, tmp_files):
    recs = records(15)
    path = synthetic.write_kobo_xlsx(lambda: recs, tmp_files / "kobo.xlsx", fast=True)
    batch = validated(importer, path, "kobo")
    assert batch.error_count == 0, messages_of(batch)[:3]
    assert batch.households_total == 15
    assert batch.individuals_total == sum(len(r["members"]) for r in recs)


def test_a_kobo_export_with_labels_instead_of_xml_names_imports_the_same(
    importer, demo_places, tmp_files
):
    recs = records(8)
    for language in ("en", "ar", "ckb"):
        path = synthetic.write_kobo_xlsx(
            lambda: recs, tmp_files / f"labels-{language}.xlsx", language=language
        )
        batch = validated(importer, path, "kobo")
        assert batch.error_count == 0, (language, messages_of(batch)[:3])
        assert batch.households_new == 8


def test_member_rows_are_matched_to_their_submission_by_parent_index(importer, tmp_files):
    main = [["household/consent", "household/subdistrict", "household/displacement_status", "_uuid", "_index"],
            ["yes", "IQG09Q03N03", "returnee", "u-1", "1"],
            ["yes", "IQG09Q03N03", "returnee", "u-2", "2"]]  # fmt: skip
    members = [["members/given_name_ar", "members/sex", "members/date_of_birth", "members/relationship", "_index", "_parent_index"],
               ["خالد", "male", "1980-01-01", "head", "1", "1"],
               ["فاطمة", "female", "1984-01-01", "spouse", "2", "1"],
               ["علي", "male", "1970-01-01", "head", "3", "2"],
               ["يتيم", "male", "1970-01-01", "head", "4", "9"]]  # fmt: skip
    wb = Workbook()
    wb.active.title = "registration"
    for row in main:
        wb.active.append(row)
    ws = wb.create_sheet("members")
    for row in members:
        ws.append(row)
    wb.save(tmp_files / "kobo.xlsx")
    batch = validated(importer, tmp_files / "kobo.xlsx", "kobo")
    assert (batch.households_total, batch.individuals_total) == (2, 3)
    [message] = messages_of(batch)
    assert "belongs to no submission" in message


def test_a_kobo_json_export_imports(importer, demo_places, tmp_files):
    path = synthetic.write_kobo_json(records(5), tmp_files / "kobo.json")
    batch = validated(importer, path, "kobo")
    assert batch.error_count == 0 and batch.households_new == 5


def test_the_kobo_api_json_shape_and_uuid_instance_ids_are_read(importer, tmp_files):
    submission = {
        "meta/instanceID": "uuid:abc-1",
        "household/consent": "yes",
        "household/subdistrict": "IQG09Q03N03",
        "household/displacement_status": "returnee",
        "household/members": [
            {"household/members/given_name_ar": "خالد", "household/members/sex": "male",
             "household/members/date_of_birth": "1980-01-01", "household/members/relationship": "head"}
        ],
    }  # fmt: skip
    path = tmp_files / "api.json"
    path.write_text(json.dumps({"count": 1, "results": [submission]}), encoding="utf-8")
    batch = validated(importer, path, "kobo")
    assert batch.error_count == 0, messages_of(batch)
    from sanad.registry.imports import services

    services.import_batch_commit(batch=batch, user=importer)
    assert Household.objects.get().source_ref == "abc-1"


def test_a_zip_of_the_kobo_sheets_as_csv_imports(importer, demo_places, tmp_files):
    recs = records(4)
    main_rows, member_rows = synthetic.kobo_sheets(recs)
    path = tmp_files / "kobo.zip"
    with zipfile.ZipFile(path, "w") as z:
        for name, rows in (("registration.csv", main_rows), ("members.csv", member_rows(recs))):
            buffer = io.StringIO()
            import csv

            csv.writer(buffer).writerows(rows)
            z.writestr(name, buffer.getvalue().encode("utf-8-sig"))
    batch = validated(importer, path, "kobo")
    assert batch.error_count == 0, messages_of(batch)[:3]
    assert batch.households_new == 4


def test_a_template_xlsx_imports(importer, demo_places, tmp_files):
    path = synthetic.write_template_xlsx(records(5), tmp_files / "t.xlsx")
    assert validated(importer, path).households_new == 5


def test_a_file_of_an_unknown_type_or_a_broken_workbook_is_refused_clearly(importer, tmp_files):
    from sanad.core.errors import ValidationFailed
    from sanad.registry.imports import services

    bad = tmp_files / "x.pdf"
    bad.write_bytes(b"%PDF")
    with pytest.raises(ValidationFailed), bad.open("rb") as fh:
        services.import_batch_upload(
            user=importer, file=fh, original_name="x.pdf", file_format="kobo"
        )
    broken = tmp_files / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    batch = validated(importer, broken, "kobo")
    assert batch.status == ImportBatch.Status.FAILED
    assert messages_of(batch) == ["The file is not a readable XLSX workbook."]


def test_every_book_lists_its_sheets(tmp_files):
    path = template_csv(tmp_files / "one.csv", [household(members=[HEAD, SPOUSE])])
    assert open_book(path).sheet_names() == ["one"]


def test_a_kobo_export_with_label_headers_in_any_language_needs_no_mapping(importer, tmp_files):
    from sanad.registry.imports.form import FIELDS_BY_NAME

    def label(name, language):
        return FIELDS_BY_NAME[name].label[language]

    main_names = ("consent", "subdistrict", "displacement_status")
    member_names = ("given_name_ar", "sex", "date_of_birth", "relationship")
    wb = Workbook()
    wb.active.title = "registration"
    wb.active.append([f"Household/{label(n, 'en')}" for n in main_names] + ["_uuid", "_index"])
    wb.active.append(["Yes", "IQG09Q03N03", "Returnee", "u-1", 1])
    ws = wb.create_sheet("members")
    ws.append([label(n, "ar") for n in member_names] + ["_index", "_parent_index"])
    ws.append(["خالد", "ذكر", "1980-01-01", "رب الأسرة", 1, 1])
    ws.append(["فاطمة", "أنثى", "1984-01-01", "الزوج أو الزوجة", 2, 1])
    wb.save(tmp_files / "labels.xlsx")
    batch = validated(importer, tmp_files / "labels.xlsx", "kobo")
    assert batch.error_count == 0, messages_of(batch)
    assert (batch.households_new, batch.individuals_total) == (1, 2)
