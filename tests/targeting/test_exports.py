"""Exports for field verification: XLSX (with HXL hashtags, right to left in Arabic) and
PDF (Arabic shaped by WeasyPrint), straight away when small, a background job when
large, always logged as an export of personal data."""

from __future__ import annotations

import io
import re
import zlib

import pytest
from django.utils import translation
from openpyxl import load_workbook

from sanad.core.models import Job, PersonalDataAccess
from sanad.registry.models import HouseholdPhone
from sanad.targeting import exports
from tests.conftest import client_for
from tests.factories import DUHOK, ERBIL, make_user
from tests.targeting.conftest import (
    all_of,
    built,
    cond,
    household,
    weighted_model,
    widow_with_children,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lst(officer):
    widow = widow_with_children(DUHOK)
    HouseholdPhone.objects.create(household=widow, number="+9647501234567", is_primary=True)
    household(DUHOK, members=2)
    version = weighted_model(officer, [("Woman-headed", cond("is_woman_headed", "is_true"), 10)])
    return built(officer, all_of(), version=version, name="Winter kits — Duhok")


def test_the_xlsx_opens_and_lists_the_households_in_rank_order_with_hxl_tags(officer, lst):
    response = client_for(officer).post(
        f"/targeting/lists/{lst.public_id}/export/", {"format": "xlsx", "which": "included"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Rank")
    assert rows[header + 1][:2] == ["#meta+rank", "#beneficiary+id"]
    data = rows[header + 2 :]
    assert [r[0] for r in data] == [1, 2]
    first = lst.entries.get(rank=1)
    assert data[0][1] == first.household.registration_id
    assert data[0][2] == first.household.members.get(relationship="head").full_name_ar
    assert data[0][8] == "+9647501234567"
    assert PersonalDataAccess.objects.filter(
        user=officer, action="export", purpose="beneficiary list xlsx (included)", record_count=2
    ).exists()


def test_an_arabic_xlsx_reads_right_to_left(officer, lst):
    with translation.override("ar"):
        buffer = io.BytesIO()
        exports.write_xlsx(
            lst=lst,
            entries=exports.entries_for_export(user=officer, lst=lst, which="all"),
            target=buffer,
        )
    sheet = load_workbook(buffer).active
    assert sheet.sheet_view.rightToLeft


def test_the_pdf_renders_with_the_arabic_names(officer, lst):
    response = client_for(officer).post(
        f"/targeting/lists/{lst.public_id}/export/", {"format": "pdf", "which": "all"}
    )
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    fonts = set(re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([A-Za-z-]+)", _inflate(response.content)))
    assert b"Sanad-Arabic" in fonts  # the Arabic names set in the vendored Arabic font
    html_rows = list(
        exports.rows(
            lst=lst, entries=exports.entries_for_export(user=officer, lst=lst, which="all")
        )
    )
    assert any(r["head_ar"] for r in html_rows)
    assert PersonalDataAccess.objects.filter(purpose="beneficiary list pdf (all)").exists()


def test_an_arabic_pdf_is_laid_out_right_to_left(officer, lst):
    from django.template.loader import render_to_string

    with translation.override("ar"):
        html = render_to_string(
            "targeting/list_pdf.html",
            {
                "list": lst,
                "rows": [],
                "header": [],
                "fonts": exports.font_faces(),
                "rtl": True,
                "lang": "ar",
            },
        )
        data, count = exports.write_pdf(
            lst=lst, entries=exports.entries_for_export(user=officer, lst=lst, which="all")
        )
    assert 'dir="rtl"' in html
    assert data.startswith(b"%PDF") and count == 2


def test_a_large_export_runs_as_a_job_that_leaves_a_file(
    officer, lst, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(exports.DIRECT_LIMIT, "xlsx", 1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(officer).post(
            f"/targeting/lists/{lst.public_id}/export/", {"format": "xlsx", "which": "included"}
        )
    assert response.status_code == 302
    job = Job.objects.get(kind="targeting.list_export")
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["rows"] == 2 and job.result_file.endswith(".xlsx")
    assert PersonalDataAccess.objects.filter(action="export", route=f"job:{job.public_id}").exists()


def test_an_export_holds_only_the_households_of_the_users_governorates(lst):
    officer_all = make_user("programme_officer", programmes=("NFI",))
    erbil = household(ERBIL)
    whole = built(officer_all, all_of(), name="Whole country")
    duhok_staff = make_user("field_enumerator", governorates=(DUHOK,), programmes=("NFI",))
    rows = list(
        exports.rows(
            lst=whole, entries=exports.entries_for_export(user=duhok_staff, lst=whole, which="all")
        )
    )
    assert erbil.registration_id not in {r["registration_id"] for r in rows}
    assert len(rows) == 2


def test_exporting_needs_the_export_permission(lst):
    hotline = make_user("hotline_operator", governorates=(DUHOK,))
    response = client_for(hotline).post(
        f"/targeting/lists/{lst.public_id}/export/", {"format": "xlsx", "which": "included"}
    )
    assert response.status_code == 403


def _inflate(data: bytes) -> bytes:
    """The PDF with its compressed streams expanded (fonts are named inside them)."""
    out = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        try:
            out.append(zlib.decompressobj().decompress(data[match.end() : match.end() + 200000]))
        except zlib.error:
            continue
    return b"\n".join(out)
