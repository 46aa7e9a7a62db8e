"""Convoy manifests: PDF and XLSX, per vehicle and for the whole convoy, Arabic, logged
as personal-data exports, scoped."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import translation

from sanad.core.models import PersonalDataAccess
from sanad.transport import exports
from sanad.transport.models import ConvoyVehicle
from tests.conftest import client_for
from tests.factories import ERBIL, make_user
from tests.transport.test_checks import officer, ready_convoy, reg

pytestmark = pytest.mark.django_db


def _workbook(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


def _text(ws) -> str:
    return " ".join(str(c) for row in ws.iter_rows(values_only=True) for c in row if c is not None)


def test_the_whole_convoy_workbook_has_a_summary_and_a_sheet_per_vehicle_with_names():
    convoy, loads = ready_convoy(households=2, vehicles=("bus", "minibus"), placement=[0, 1])
    book = _workbook(exports.manifest_xlsx(convoy=convoy))
    plates = [cv.vehicle.plate_number for cv in ConvoyVehicle.objects.filter(convoy=convoy)]
    assert book.sheetnames == ["Summary", *plates]
    for load in loads:
        sheet = book[load.convoy_vehicle.vehicle.plate_number]
        text = _text(sheet)
        assert reg(load) in text
        head = load.movement_household.passengers.first().individual
        assert head.full_name_ar in text and head.full_name_en in text
        assert "Officer at arrival" in text
    assert convoy.reference in _text(book["Summary"])


def test_a_vehicle_workbook_has_only_that_vehicle():
    convoy, loads = ready_convoy(households=2, vehicles=("bus", "minibus"), placement=[0, 1])
    cv = loads[1].convoy_vehicle
    book = _workbook(exports.manifest_xlsx(convoy=convoy, convoy_vehicle=cv))
    assert book.sheetnames == [cv.vehicle.plate_number]
    assert reg(loads[1]) in _text(book.active) and reg(loads[0]) not in _text(book.active)


def test_the_workbook_is_right_to_left_in_arabic():
    convoy, _loads = ready_convoy(households=1)
    with translation.override("ar"):
        book = _workbook(exports.manifest_xlsx(convoy=convoy))
    assert all(ws.sheet_view.rightToLeft for ws in book.worksheets)


def test_households_without_consent_are_not_printed_by_name():
    convoy, (load,) = ready_convoy(households=1)
    load.movement_household.__class__.objects.filter(pk=load.movement_household_id).update(
        consent_given=False
    )
    text = _text(_workbook(exports.manifest_xlsx(convoy=convoy)).worksheets[1])
    head = load.movement_household.passengers.first().individual
    assert head.full_name_ar not in text and "no consent" in text


def test_the_pdf_renders_in_english_and_in_arabic():
    convoy, _loads = ready_convoy(households=1, vehicles=("bus", "minibus"))
    assert exports.manifest_pdf(convoy=convoy).startswith(b"%PDF")
    with translation.override("ar"):
        data = exports.manifest_pdf(convoy=convoy)
    assert data.startswith(b"%PDF")
    try:
        from pypdf import PdfReader
    except ImportError:  # text extraction is not available everywhere
        return
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 3  # the summary and a page per vehicle


def test_a_manifest_download_is_logged_as_a_personal_data_export():
    convoy, (load,) = ready_convoy(households=1)
    client = client_for(officer())
    response = client.get(reverse("transport:manifest_xlsx", args=[convoy.public_id]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    cv = load.convoy_vehicle
    response = client.get(
        reverse("transport:manifest_pdf", args=[convoy.public_id]) + f"?vehicle={cv.public_id}"
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    logged = PersonalDataAccess.objects.filter(action="export").order_by("id")
    assert [x.purpose for x in logged] == [
        "convoy manifest xlsx (convoy)",
        "convoy manifest pdf (vehicle)",
    ]
    assert logged[0].record_count == 4


def test_manifests_are_404_out_of_scope_and_403_without_the_permission():
    convoy, _loads = ready_convoy(households=1)
    for name in ("manifest_pdf", "manifest_xlsx"):
        path = reverse(f"transport:{name}", args=[convoy.public_id])
        stranger = client_for(make_user("transport_officer", governorates=(ERBIL,)))
        assert stranger.get(path).status_code == 404
        assert client_for(make_user("finance_officer")).get(path).status_code == 403
        assert client_for(officer()).get(path + "?vehicle=nope").status_code == 404
    assert not PersonalDataAccess.objects.filter(action="export").exists()
