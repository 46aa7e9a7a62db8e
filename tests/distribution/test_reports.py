"""Reports of an event and of a project: households and people served by sex × age ×
disability, kits and their items, stock used — one dict for the page, XLSX and PDF."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest

from sanad.core.jobs import job_run, job_start
from sanad.core.models import Job
from sanad.distribution import exports, selectors, services
from sanad.distribution.jobs import REPORT_EXPORT
from tests.distribution.factories import distribution_world, open_event, record
from tests.factories import DUHOK
from tests.registry.factories import make_household, member_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def _served_world():
    w = distribution_world(households=2, stocked=3, members=3)
    event = open_event(w)
    record(w, event, w.households[0], found_by="qr")
    record(w, event, w.households[1])
    stranger = make_household(governorate=DUHOK, members=1)
    services.household_check(user=w.field, event=event, household=stranger)
    services.event_close(user=w.storekeeper, event=event, returned=0, reason="One kit torn")
    return w, event


def test_the_event_report_counts_households_people_kits_items_and_stock():
    w, event = _served_world()
    report = selectors.event_report(user=w.officer, event=event)
    assert report["households"] == 2
    assert report["households_with"] == {"woman_headed": 0, "disability": 0}
    people = report["people"]
    # Each household: head (male, 1980), spouse (female, 1983), a son born 2010.
    assert people["individuals"] == 6
    by_sex = {row["sex"]: row for row in people["rows"]}
    assert by_sex["male"]["groups"]["18-59"]["total"] == 2
    assert by_sex["female"]["groups"]["18-59"]["total"] == 2
    assert by_sex["male"]["groups"]["6-17"]["total"] == 2
    assert people["totals"]["60+"]["total"] == 0
    assert report["kits"]["kits"] == [
        {"code": w.kit.code, "name": w.kit.name, "kind": "Winter kit", "kits": Decimal(2)}
    ]
    items = {r["code"]: r["quantity"] for r in report["kits"]["items"]}
    assert items == {w.items[0].code: Decimal(8), w.items[1].code: Decimal(2)}
    (stock,) = report["stock"]
    assert (stock["dispatched"], stock["distributed"], stock["lost"], stock["used"]) == (
        Decimal(2),
        Decimal(2),
        Decimal(0),
        Decimal(2),
    )
    assert [r["code"] for r in report["refusals"]] == ["not_on_list"]
    assert report["events"][0]["refused"] == 1 and report["events"][0]["served"] == 2
    assert {r["code"]: r["receipts"] for r in report["found_by"]} == {"qr": 1, "search": 1}


def test_disability_and_older_people_are_counted_in_their_cells():
    w = distribution_world(households=0, stocked=1)
    today = w.today
    household = make_household(
        governorate=DUHOK,
        place=w.camp,
        admin_unit=w.camp.admin_unit,
        displacement_status="idp_in_camp",
        shelter_type="camp",
        members=[
            member_data(
                relationship="head",
                sex="female",
                date_of_birth=datetime.date(today.year - 70, 1, 1),
                wg_walking=3,
            ),
            member_data(
                relationship="grandchild",
                sex="male",
                date_of_birth=datetime.date(today.year - 3, 1, 1),
                index=1,
            ),
        ],
    )
    from sanad.targeting import services as targeting

    # A fresh list that includes the household.
    lst = targeting.list_create(
        user=w.officer,
        name="Older",
        programme=w.programme,
        rule=w.lst.rule,
        area=(w.camp.admin_unit.pcode,),
    )
    targeting.list_lock(lst=lst, user=w.officer)
    targeting.list_approve(lst=lst, user=w.manager)
    plan = services.plan_create(
        user=w.officer,
        name="P",
        beneficiary_list=lst,
        kit=w.kit,
        project=w.project,
        warehouse=w.warehouse,
    )
    services.plan_approve(user=w.officer, plan=plan)
    event = services.event_create(user=w.officer, plan=plan, place=w.camp, date=today)
    services.event_dispatch(user=w.officer, event=event)
    record(w, event, household)
    people = selectors.event_report(user=w.officer, event=event)["people"]
    by_sex = {row["sex"]: row for row in people["rows"]}
    assert by_sex["female"]["groups"]["60+"] == {"total": 1, "disability": 1}
    assert by_sex["male"]["groups"]["0-5"] == {"total": 1, "disability": 0}
    assert people["with_disability"] == 1


def test_the_project_report_counts_a_household_once_across_events():
    w = distribution_world(households=2, stocked=3, kind="basic")
    services.plan_approve(user=w.officer, plan=w.plan)
    first = services.event_create(
        user=w.officer, plan=w.plan, place=w.camp, date=w.today, households=w.households[:1]
    )
    second = services.event_create(
        user=w.officer, plan=w.plan, place=w.camp, date=w.today, households=w.households[1:]
    )
    services.event_dispatch(user=w.officer, event=first)
    services.event_dispatch(user=w.officer, event=second)
    record(w, first, w.households[0])
    record(w, second, w.households[1])
    report = selectors.project_report(user=w.officer, project=w.project)
    assert report["households"] == 2 and len(report["events"]) == 2
    assert report["kits"]["kits"][0]["kits"] == Decimal(2)
    assert report["stock"][0]["in_field"] == Decimal(0)


def test_the_report_exports_to_xlsx_and_pdf():
    from openpyxl import load_workbook

    w, event = _served_world()
    report = selectors.event_report(user=w.officer, event=event)
    out = io.BytesIO()
    exports.write_xlsx(report=report, target=out)
    book = load_workbook(io.BytesIO(out.getvalue()))
    assert book.sheetnames == ["Summary", "People", "Kits and items", "Stock used", "Events"]
    people = list(book["People"].values)
    assert people[1][0] == "#beneficiary+sex"
    assert people[-1][0] == "Total" and people[-1][-2] == 6
    pdf = exports.write_pdf(report=report)
    assert pdf.startswith(b"%PDF")


def test_the_export_runs_as_a_background_job_with_progress(settings):
    w, event = _served_world()
    job = job_start(
        kind=REPORT_EXPORT,
        user=w.officer,
        params={"event": str(event.public_id), "format": "pdf", "language": "ar"},
    )
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.result["households"] == 2
    assert job.progress_done == job.progress_total == 5
    project_job = job_start(
        kind=REPORT_EXPORT,
        user=w.officer,
        params={"project": str(w.project.public_id), "format": "xlsx"},
    )
    job_run(project_job.pk)
    project_job.refresh_from_db()
    assert project_job.status == Job.Status.SUCCEEDED, project_job.message
    assert project_job.result_file.endswith(".xlsx")
