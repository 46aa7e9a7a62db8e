"""The donor report of a project: people counted once (by month and for the period),
deliveries by activity and item, places, indicators, suppression when shared or for a
donor viewer; the workbook; the background job."""

from __future__ import annotations

import datetime
import io
import sys
import types
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from sanad.core.jobs import job_run, job_start
from sanad.core.models import Job
from sanad.reporting.common import add_months, month_end, month_start
from sanad.reporting.services.donor import (
    default_period_for,
    donor_report_build,
    donor_report_data,
    projects_for,
    protect,
    safe_cell,
)
from tests.factories import DUHOK, ERBIL, ProjectFactory, make_user

from .conftest import TODAY, household_with_members

THIS_MONTH = month_start(TODAY)
LAST_MONTH = add_months(THIS_MONTH, -1)


def period(project: Any) -> dict[str, Any]:
    start, end = default_period_for(project)
    return {"project": project, "start": start, "end": end}


@pytest.fixture
def reached(db, deliver, project, activity, refresh):
    """Eleven people in three households: a Duhok family of 4 served twice (last month
    and this month), a Duhok family of 5 and an Erbil couple served once."""
    duhok = household_with_members(DUHOK, members=4)
    big = household_with_members(DUHOK, members=5)
    erbil = household_with_members(ERBIL, members=2)
    kit = {"project": project, "activity": activity, "item": "winter_kit", "unit": "kit"}
    deliver(household=duhok, delivered_on=LAST_MONTH + datetime.timedelta(days=3), **kit)
    deliver(household=duhok, delivered_on=THIS_MONTH, quantity=Decimal("2"), **kit)
    deliver(household=big, delivered_on=THIS_MONTH, **kit)
    deliver(
        household=erbil,
        project=project,
        activity=activity,
        kind="cash",
        item="mpca",
        quantity=None,
        unit="",
        value=Decimal("100"),
        currency="USD",
        exchange_rate=Decimal("1300"),
        delivered_on=THIS_MONTH,
    )
    refresh()
    return {"duhok": duhok, "big": big, "erbil": erbil}


def test_people_are_counted_once_and_the_months_do_not_add_up(reached, project):
    data = donor_report_data(**period(project), shared=False)
    assert data["headline"]["people"] == 11
    assert data["headline"]["households"] == 3
    months = {m["month"]: m for m in data["months"]}
    assert months[LAST_MONTH]["people"] == 4
    assert months[THIS_MONTH]["people"] == 11
    assert data["months_total"]["people"] == 11  # not 15: the Duhok family counts once
    assert any("do not add up" in note for note in data["notes"])
    assert data["months"][0]["label"] == f"{month_start(project.start_date):%Y-%m}"


def test_the_sex_and_age_table_adds_up_to_the_people_reached(reached, project):
    data = donor_report_data(**period(project), shared=False)
    rows = {r["key"]: r for r in data["people"]["rows"]}
    assert data["people"]["columns"] == ["0-5", "6-17", "18-59", "60+"]
    # Heads are men born 1980, spouses women born 1983; children born 2015 onwards.
    assert rows["male"]["cells"][2] == 3 and rows["female"]["cells"][2] == 3
    assert rows["total"]["total"] == 11
    assert rows["female"]["total"] + rows["male"]["total"] == 11
    assert sum(rows["total"]["cells"]) == 11


def test_deliveries_are_grouped_by_activity_and_item(reached, project, activity):
    data = donor_report_data(**period(project), shared=False)
    rows = {d["item"]: d for d in data["deliveries"]}
    kits = rows["winter_kit"]
    assert (kits["activity_code"], kits["records"], kits["quantity"], kits["unit"]) == (
        activity.code,
        3,
        Decimal("4"),
        "kit",
    )
    cash = rows["mpca"]
    assert cash["quantity"] is None
    assert cash["value_usd"] == Decimal("100.00")
    assert cash["value_iqd"] == Decimal("130000.00")
    assert data["headline"]["records"] == 4


def test_people_are_shown_by_governorate_and_district(reached, project):
    data = donor_report_data(**period(project), shared=False)
    people = {g["pcode"]: g["people"] for g in data["governorates"]}
    assert people == {DUHOK: 9, ERBIL: 2}
    assert sum(d["people"] for d in data["districts"]) == 11
    assert {d["governorate"] for d in data["districts"]} == {
        g["name"] for g in data["governorates"]
    }


def test_a_shared_report_suppresses_small_counts_and_says_so(reached, project):
    data = donor_report_data(**period(project), shared=True)
    assert data["suppressed"]
    assert data["headline"]["people"] == 11
    assert data["headline"]["households"] is None  # 3 households
    erbil = next(g for g in data["governorates"] if g["pcode"] == ERBIL)
    duhok = next(g for g in data["governorates"] if g["pcode"] == DUHOK)
    # Erbil's 2 are hidden, and so is Duhok's 9, or 11 - 9 would give Erbil away.
    assert erbil["people"] is None and duhok["people"] is None
    assert all(d["people"] is None for d in data["districts"])
    last = next(m for m in data["months"] if m["month"] == LAST_MONTH)
    assert last["people"] is None
    assert any("suppressed" in note for note in data["notes"])
    assert erbil["records"] == 1  # deliveries are not counts of people


def test_an_internal_report_for_a_mission_user_shows_small_counts(reached, project):
    officer = make_user("im_officer")
    data = donor_report_data(**period(project), user=officer, shared=False)
    assert not data["suppressed"]
    assert data["headline"]["households"] == 3
    assert next(g for g in data["governorates"] if g["pcode"] == ERBIL)["people"] == 2


def test_a_donor_viewer_gets_suppressed_figures_of_the_projects_their_organisation_funds(
    reached, project
):
    donor = make_user("donor_viewer", programmes=("NFI",), organisation=project.donor)
    other = ProjectFactory(programme=project.programme, code="OTHER-DONOR")
    assert list(projects_for(donor)) == [project]
    assert other in projects_for(make_user("im_officer"))
    data = donor_report_data(**period(project), user=donor, shared=False)
    assert data["suppressed"]
    assert data["headline"]["households"] is None


def test_the_scope_of_the_user_limits_the_figures(reached, project):
    duhok_officer = make_user("programme_officer", governorates=(DUHOK,), programmes=("NFI",))
    data = donor_report_data(**period(project), user=duhok_officer, shared=False)
    assert data["headline"]["people"] == 9
    assert not data["whole_scope"]


def test_complementary_suppression_hides_one_more_count_in_a_line():
    values = {"a": 10, "b": 3, "c": 7, "zero": 0, "total": 20}
    assert protect(values, [(["a", "b", "c", "zero"], "total")]) == {"b", "c"}
    # a hidden total needs nothing more; a line with only one part hides its total
    assert protect({"a": 3, "t": 3}, [(["a"], "t")]) == {"a", "t"}
    assert protect({"a": 6, "b": 0, "t": 6}, [(["a", "b"], "t")]) == set()
    # a governorate hidden for the total's sake hides its only district too
    places = {"gov": 9, "district": 9, "other_gov": 2, "total": 11}
    lines = [(["gov", "other_gov"], "total"), (["district"], "gov")]
    assert protect(places, lines) == {"other_gov", "gov", "district"}


def test_text_that_a_spreadsheet_could_run_is_neutralised():
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("+1") == "'+1" and safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell(Decimal("4.00")) == 4 and safe_cell(Decimal("1.5")) == 1.5
    assert safe_cell("Winter kit") == "Winter kit"


def test_the_workbook_has_the_sheets_and_figures(reached, project):
    from openpyxl import load_workbook

    project.title = "=cmd|' /C calc'!A0"
    project.save()
    name, content = donor_report_build(**period(project), format="xlsx", shared=False)
    assert name.startswith("donor-report-echo-nfi-1-") and name.endswith(".xlsx")
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == [
        "Summary",
        "People",
        "Places",
        "Months",
        "Deliveries",
        "Indicators",
        "Notes",
    ]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row}
    assert summary["People reached (unique)"] == 11
    assert summary["Title"] == "'=cmd|' /C calc'!A0"
    assert summary["Implementing organisation"] == "IOM Iraq"
    assert book["Deliveries"].freeze_panes == "B2"
    months = list(book["Months"].iter_rows(values_only=True))
    assert months[0][:2] == ("Month", "People")
    assert ("Period (unique)", 11, 3, 4) in months
    assert not book["Summary"].sheet_view.rightToLeft


def test_the_workbook_reads_right_to_left_in_arabic(reached, project):
    from openpyxl import load_workbook

    with translation.override("ar"):
        _name, content = donor_report_build(**period(project), format="xlsx")
    book = load_workbook(io.BytesIO(content))
    assert all(ws.sheet_view.rightToLeft for ws in book.worksheets)


def test_the_indicators_section_says_so_when_indicators_are_missing(reached, project, monkeypatch):
    monkeypatch.setitem(sys.modules, "sanad.reporting.selectors.indicators", None)
    data = donor_report_data(**period(project))
    assert data["indicators"] == {"available": False, "rows": []}


def test_the_indicators_section_shows_targets_and_suppresses_small_achievements(
    reached, project, monkeypatch
):
    @dataclass
    class Row:
        target: Any
        indicator: Any
        project: Any
        activity: Any
        period_start: datetime.date
        period_end: datetime.date
        target_value: Decimal
        achieved: Any
        percentage: Any
        unit: str
        label: str
        definition: str

    people = types.SimpleNamespace(measure="people")
    start, end = default_period_for(project)
    calls = []

    def target_progress(*, user, project, start, end):
        calls.append((user, project.pk, start, end))
        return [
            Row(None, people, project, None, start, end, Decimal(100), 3, 3.0, "", "Reached", "d"),
            Row(None, people, project, None, start, end, Decimal(20), 11, 55.0, "", "All", "d"),
        ]

    fake = types.ModuleType("sanad.reporting.selectors.indicators")
    fake.target_progress = target_progress  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sanad.reporting.selectors.indicators", fake)
    data = donor_report_data(**period(project), shared=True)
    assert calls == [(None, project.pk, start, month_end(end))]
    small, big = data["indicators"]["rows"]
    assert (small["achieved"], small["percentage"]) == (None, None)
    assert (big["achieved"], big["percentage"], big["target"]) == (11, 55.0, Decimal(20))


def test_the_report_runs_as_a_job_and_writes_the_file(reached, project, settings):
    from sanad.core.jobs import job_result_file

    officer = make_user("im_officer")
    job = job_start(
        kind="reporting.donor_report",
        user=officer,
        params={
            "project": str(project.public_id),
            "from": f"{LAST_MONTH:%Y-%m}",
            "to": f"{THIS_MONTH:%Y-%m}",
            "format": "xlsx",
            "shared": True,
        },
    )
    job = job_run(job.pk)
    assert job.status == Job.Status.SUCCEEDED, job.error
    path = job_result_file(job)
    assert path is not None and path.name == job.result_file
    assert path.read_bytes()[:2] == b"PK"
    assert job.progress_done == job.progress_total == 4
    assert job.result["project"] == project.code


def test_the_job_refuses_a_project_outside_the_creators_scope(reached, project):
    crp_officer = make_user("programme_officer", programmes=("CRP",))
    job = job_start(
        kind="reporting.donor_report",
        user=crp_officer,
        params={"project": str(project.public_id), "from": "2026-01", "to": "2026-02"}
        | {"format": "pdf", "shared": False},
    )
    job = job_run(job.pk)
    assert job.status == Job.Status.FAILED
    assert "outside what you may report on" in job.error
    assert not job.result_file


def test_the_indicators_section_reads_the_projects_targets(reached, project, activity):
    from sanad.reporting.models import Indicator
    from tests.factories import TargetFactory

    Indicator.objects.create(
        code="people_reached",
        name_en="People reached",
        definition="Unique people.",
        measure="people",
    )
    start, end = default_period_for(project)
    TargetFactory(
        activity=activity,
        indicator="people_reached",
        label="People reached with kits or cash",
        unit="people",
        period_start=start,
        period_end=end,
        value=Decimal("22"),
    )
    data = donor_report_data(**period(project), shared=False)
    assert data["indicators"]["available"]
    (row,) = data["indicators"]["rows"]
    assert (row["label"], row["achieved"], row["percentage"]) == (
        "People reached with kits or cash",
        11,
        Decimal("50.0"),
    )
    assert row["definition"] == "Unique people."
