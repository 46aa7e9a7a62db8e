"""The places export job: CSV with a byte-order mark, HXL hashtags, only places in scope."""

from __future__ import annotations

import csv
import io

import pytest

from sanad.core.errors import PermissionDenied
from sanad.core.jobs import job_result_file, job_run, job_start
from sanad.core.models import Job
from sanad.geo.models import Place
from tests.factories import DUHOK, ERBIL, PlaceFactory, make_user, subdistrict_in

pytestmark = pytest.mark.django_db

HXL = [
    "#loc+name",
    "#loc+name+i_ar",
    "#loc+type",
    "#adm1+code",
    "#adm1+name",
    "#adm2+code",
    "#adm3+code",
    "#geo+lat",
    "#geo+lon",
    "#status",
]


def run_export(user, params=None):
    job = job_start(kind="geo.places_export", user=user, params=params or {})
    job = job_run(job.pk)
    assert job.status == Job.Status.SUCCEEDED, job.error
    raw = job_result_file(job).read_bytes()
    return job, raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_export_writes_a_csv_with_a_bom_and_the_hxl_row():
    user = make_user("im_officer")
    sub = subdistrict_in(DUHOK)
    PlaceFactory(name_en="Khanke", name_ar="خانكي", code="DHK-01", lat=36.85, lon=42.7)
    job, raw, rows = run_export(user)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert rows[1][: len(HXL)] == HXL
    row = dict(zip(rows[1], rows[2], strict=True))
    assert row["#loc+name"] == "Khanke" and row["#loc+name+i_ar"] == "خانكي"
    assert row["#loc+type"] == "formal_camp" and row["#status"] == "open"
    assert row["#adm1+code"] == DUHOK and row["#adm1+name"] == "Duhok"
    assert row["#adm2+code"] == sub.parent.pcode and row["#adm3+code"] == sub.pcode
    assert (row["#geo+lat"], row["#geo+lon"]) == ("36.85", "42.7")
    assert job.result == {"rows": 1}
    assert job.result_file == "places.csv"
    assert job.progress_done == job.progress_total == 1


def test_the_export_holds_only_places_in_the_users_scope():
    user = make_user("programme_officer", governorates=(DUHOK,))
    PlaceFactory(name_en="Khanke")
    PlaceFactory(name_en="Harshm", admin_unit=subdistrict_in(ERBIL), lat=36.2, lon=44.0)
    job, _raw, rows = run_export(user)
    assert [r[0] for r in rows[2:]] == ["Khanke"]
    assert job.result["rows"] == 1


def test_the_export_follows_the_list_filters():
    user = make_user("im_officer")
    PlaceFactory(name_en="Camp")
    PlaceFactory(name_en="Village", kind=Place.Kind.VILLAGE)
    PlaceFactory(name_en="Closed camp", status=Place.Status.CLOSED)
    _job, _raw, rows = run_export(user, {"kind": "formal_camp", "status": "open"})
    assert [r[0] for r in rows[2:]] == ["Camp"]


def test_a_place_in_a_district_has_no_sub_district_code():
    user = make_user("im_officer")
    district = subdistrict_in(DUHOK).parent
    PlaceFactory(admin_unit=district)
    _job, _raw, rows = run_export(user)
    row = dict(zip(rows[1], rows[2], strict=True))
    assert row["#adm2+code"] == district.pcode and row["#adm3+code"] == ""


def test_a_user_without_the_export_permission_cannot_start_it():
    with pytest.raises(PermissionDenied):
        job_start(kind="geo.places_export", user=make_user("field_enumerator"), params={})
