"""The 3W/4W/5W export: one row per who/what/where/when counted from the summary, with
HXL hashtags that libhxl reads and validates, small counts suppressed when shared, and
cells that a spreadsheet would run as formulas neutralised."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import hxl
import pytest
from django.test import override_settings
from django.utils import translation
from openpyxl import load_workbook

from sanad.reporting.common import month_end, month_start
from sanad.reporting.selectors.figures import Filters
from sanad.reporting.services.fourw import (
    age_attribute,
    columns,
    fourw_export,
    fourw_rows,
    neutralise,
)
from tests.factories import DUHOK, ERBIL, PlaceFactory, make_user, subdistrict_in

from .conftest import TODAY, days_ago, household_with_members

# The HXL 1.1 core hashtags and attributes the 4W uses (hxlstandard.org dictionary),
# and the attributes of our own that follow the standard's pattern.
HXL_CORE_TAGS = {
    "#org",
    "#sector",
    "#activity",
    "#status",
    "#adm1",
    "#adm2",
    "#adm3",
    "#loc",
    "#date",
    "#reached",
    "#output",
    "#value",
    "#meta",
}
HXL_CORE_ATTRIBUTES = {
    "impl",
    "funder",
    "code",
    "name",
    "type",
    "project",
    "start",
    "end",
    "hh",
    "ind",
    "f",
    "m",
    "children",
    "adults",
    "num",
    "usd",
}
OWN_ATTRIBUTES = {"disabled", "deliveries", "note"}

SCHEMA = [
    ["#valid_tag", "#valid_required", "#valid_datatype", "#valid_value+min", "#valid_value+regex"],
    ["#reached+ind", "true", "number", "0", ""],
    ["#reached+hh", "true", "number", "0", ""],
    ["#reached+f", "", "number", "0", ""],
    ["#reached+m", "", "number", "0", ""],
    ["#reached+children", "", "number", "0", ""],
    ["#adm1+code", "true", "", "", r"^IQG\d\d$"],
    ["#adm2+code", "", "", "", r"^IQG\d\dQ\d\d$"],
    ["#date-start-end", "true", "", "", r"^\d{4}-(0[1-9]|1[0-2])$"],
    ["#date+start", "true", "date", "", r"^\d{4}-\d\d-01$"],
    ["#org+impl", "true", "", "", ""],
    ["#sector+code", "true", "", "", ""],
    ["#value+usd", "", "number", "0", ""],
]


def period() -> Filters:
    return Filters(start=month_start(days_ago(400)), end=month_end(TODAY))


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def export(fmt: str = "hxl-csv", **kwargs) -> bytes:
    out = io.BytesIO()
    kwargs.setdefault("filters", period())
    kwargs.setdefault("shared", False)
    fourw_export(format=fmt, out=out, **kwargs)
    return out.getvalue()


def validate(source) -> list[str]:
    errors: list[str] = []
    schema = hxl.schema(SCHEMA, callback=lambda e: errors.append(f"{e.rule.tag_pattern}: {e}"))
    schema.validate(hxl.data(source))
    return errors


def by_tag(header: list[str], tags: list[str], row: list[str]) -> dict[str, str]:
    return dict(zip(tags, row, strict=True))


# --- rows -------------------------------------------------------------------------------------
def test_one_row_per_who_what_where_when_with_unique_people_in_each(
    db, deliver, project, activity, refresh
):
    duhok = household_with_members(DUHOK, members=4)
    erbil = household_with_members(ERBIL, members=2)
    deliver(household=duhok, project=project, activity=activity)
    deliver(household=duhok, project=project, activity=activity, item="solar_lamp")  # same row
    deliver(household=erbil, project=project, activity=activity)
    refresh()
    header, tags, rows = fourw_rows(filters=period(), shared=False)
    assert len(header) == len(tags)
    assert len(rows) == 2
    cells = [dict(zip(tags, r, strict=True)) for r in rows]
    by_gov = {c["#adm1+code"]: c for c in cells}
    assert by_gov[DUHOK]["#reached+ind"] == 4  # two deliveries, four people once
    assert by_gov[DUHOK]["#reached+hh"] == 1
    assert by_gov[DUHOK]["#output+deliveries+num"] == 2
    assert by_gov[ERBIL]["#reached+ind"] == 2
    row = by_gov[DUHOK]
    assert row["#org+impl"] == "IOM Iraq"
    assert row["#org+funder"] == project.donor.name
    assert row["#sector+code"] == "NFI" and row["#sector"] == "Non-Food Items"
    assert row["#activity+project+code"] == "ECHO-NFI-1"
    assert row["#activity+code"] == "1.1" and row["#activity+name"] == "Winter kits"
    assert row["#adm3+code"] == duhok.admin_unit.pcode
    assert row["#adm2+code"] == duhok.admin_unit.parent.pcode
    assert row["#date"] == f"{days_ago(10):%Y-%m}"
    assert row["#date+start"] == month_start(days_ago(10)).isoformat()
    assert row["#date+end"] == month_end(days_ago(10)).isoformat()


def test_a_person_in_two_rows_counts_once_in_each(db, deliver, project, activity, refresh):
    household = household_with_members(DUHOK, members=3)
    camp = PlaceFactory(name_en="Camp A", code="IQ-CMP-1", admin_unit=subdistrict_in(DUHOK))
    deliver(household=household, project=project, activity=activity)
    deliver(household=household, project=project, activity=activity, place=camp, item="kit2")
    refresh()
    _header, tags, rows = fourw_rows(filters=period(), shared=False)
    cells = [dict(zip(tags, r, strict=True)) for r in rows]
    assert sorted(c["#reached+ind"] for c in cells) == [3, 3]
    at_camp = next(c for c in cells if c["#loc+code"])
    assert (at_camp["#loc+name"], at_camp["#loc+code"]) == ("Camp A", "IQ-CMP-1")
    assert at_camp["#loc+type"] == "Formal camp"


def test_rows_are_disaggregated_by_sex_age_and_disability(db, deliver, project, refresh):
    household = household_with_members(DUHOK, members=4)  # man, woman, son, daughter
    deliver(
        household=household,
        project=project,
        value=Decimal("50"),
        currency="USD",
        exchange_rate=Decimal("1310"),
    )
    refresh()
    _header, tags, rows = fourw_rows(filters=period(), shared=False)
    (row,) = rows
    cell = dict(zip(tags, row, strict=True))
    assert (cell["#reached+f"], cell["#reached+m"]) == (2, 2)
    assert cell["#reached+children"] == 2 and cell["#reached+adults"] == 2
    assert cell["#reached+f+age6_17"] == 1 and cell["#reached+m+age6_17"] == 1
    assert cell["#reached+f+age18_59"] == 1 and cell["#reached+m+age18_59"] == 1
    assert cell["#reached+f+age60plus"] == 0
    assert cell["#reached+disabled"] == 0
    assert cell["#value+usd"] == Decimal("50.00")


def test_the_age_columns_follow_the_configured_groups(db):
    with override_settings(SANAD_REPORTING_AGE_GROUPS="0-4,5-17,18+"):
        tags = [c.hashtag for c in columns(suppressed=False)]
    assert "#reached+f+age0_4" in tags and "#reached+m+age18plus" in tags
    assert age_attribute("60+") == "age60plus" and age_attribute("6-17") == "age6_17"


def test_a_user_gets_only_the_rows_in_their_scope(db, deliver, refresh):
    deliver(household=household_with_members(DUHOK, members=2))
    deliver(household=household_with_members(ERBIL, members=2))
    refresh()
    officer = make_user("programme_officer", governorates=(DUHOK,), programmes=("NFI",))
    _header, tags, rows = fourw_rows(user=officer, filters=period(), shared=False)
    assert [dict(zip(tags, r, strict=True))["#adm1+code"] for r in rows] == [DUHOK]


# --- HXL --------------------------------------------------------------------------------------
def _check_hashtags(dataset) -> None:
    columns_ = dataset.columns
    assert all(c.tag for c in columns_), "every column has a hashtag"
    for column in columns_:
        assert column.tag in HXL_CORE_TAGS, column.display_tag
        unknown = column.attributes - HXL_CORE_ATTRIBUTES - OWN_ATTRIBUTES
        assert all(a.startswith("age") for a in unknown), column.display_tag


def test_the_csv_is_hxl_that_libhxl_reads_and_validates(db, deliver, project, activity, refresh):
    deliver(household=household_with_members(DUHOK, members=4), project=project, activity=activity)
    deliver(household=household_with_members(ERBIL, members=2), project=project)
    refresh()
    data = export()
    lines = read_csv(data)
    assert lines[0][0] == "Organisation" and lines[1][0] == "#org+impl"
    dataset = hxl.data(io.BytesIO(data))
    _check_hashtags(dataset)
    assert dataset.headers[:2] == ["Organisation", "Donor"]
    rows = list(dataset)
    assert len(rows) == 2
    assert sorted(int(r.get("#reached+ind")) for r in rows) == [2, 4]
    assert {r.get("#adm1+code") for r in rows} == {DUHOK, ERBIL}
    assert validate(io.BytesIO(data)) == []
    # libhxl's own default schema (numbers are numbers, dates are dates) passes too.
    assert hxl.validate(hxl.data(io.BytesIO(data)))["is_valid"]


def test_the_schema_catches_a_broken_export(db):
    bad = "Org,People,Gov,Month\n#org+impl,#reached+ind,#adm1+code,#date\nIOM,-3,Duhok,March\n"
    errors = validate(io.BytesIO(bad.encode()))
    assert any("#reached+ind" in e for e in errors)
    assert any("#adm1+code" in e for e in errors)
    assert any("#date" in e for e in errors)


def test_the_xlsx_has_the_same_two_header_rows_and_libhxl_reads_it(
    db, deliver, project, refresh, tmp_path
):
    deliver(household=household_with_members(DUHOK, members=4), project=project)
    refresh()
    data = export("xlsx")
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["4W"]
    assert sheet["A1"].value == "Organisation" and sheet["A2"].value == "#org+impl"
    assert sheet.freeze_panes == "A3"
    assert not sheet.sheet_view.rightToLeft
    assert "About" in workbook.sheetnames
    path = tmp_path / "4w.xlsx"
    path.write_bytes(data)
    dataset = hxl.data(str(path), hxl.InputOptions(allow_local=True))
    _check_hashtags(dataset)
    rows = list(dataset)
    assert [int(float(r.get("#reached+ind"))) for r in rows] == [4]
    assert validate(hxl.data(str(path), hxl.InputOptions(allow_local=True))) == []


def test_the_xlsx_sheet_reads_right_to_left_in_arabic(db, deliver, refresh):
    deliver(household=household_with_members(DUHOK, members=2))
    refresh()
    with translation.override("ar"):
        data = export("xlsx")
    assert load_workbook(io.BytesIO(data))["4W"].sheet_view.rightToLeft


# --- suppression ------------------------------------------------------------------------------
def test_a_shared_export_suppresses_small_counts_and_says_so(db, deliver, refresh):
    small = household_with_members(DUHOK, members=3)  # 1 woman, 2 men
    deliver(household=small)
    refresh()
    internal = read_csv(export(shared=False))
    shared = read_csv(export(shared=True))
    tags = shared[1]
    row = dict(zip(tags, shared[2], strict=True))
    assert row["#reached+ind"] == "" and row["#reached+hh"] == ""
    assert row["#reached+f"] == "" and row["#reached+m"] == ""
    assert "#meta+note" in tags and "not shown" in row["#meta+note"]
    assert row["#output+deliveries+num"] == "1"  # deliveries are not people
    inside = dict(zip(internal[1], internal[2], strict=True))
    assert inside["#reached+ind"] == "3" and inside["#reached+f"] == "1"
    assert "#meta+note" not in internal[1]


def test_female_and_male_are_suppressed_as_a_pair(db, deliver, refresh):
    household = household_with_members(DUHOK, members=2)  # a man and a woman
    for i in range(4):
        member = household_with_members(DUHOK, members=1)  # four more men
        deliver(household=member, source_id=f"m-{i}")
    deliver(household=household)
    refresh()
    shared = read_csv(export(shared=True))
    row = dict(zip(shared[1], shared[2], strict=True))
    assert row["#reached+ind"] == "6"  # 5 men and 1 woman: the total is shown
    assert row["#reached+f"] == "" and row["#reached+m"] == ""  # 1 woman gives both away
    assert row["#reached+hh"] == "5"


def test_a_user_outside_the_mission_always_gets_suppressed_rows(db, deliver, refresh):
    deliver(household=household_with_members(DUHOK, members=2))
    refresh()
    donor = make_user("donor_viewer")
    _header, tags, rows = fourw_rows(user=donor, filters=period(), shared=False)
    cell = dict(zip(tags, rows[0], strict=True))
    assert cell["#reached+ind"] is None and "#meta+note" in tags


def test_one_age_group_suppressed_alone_takes_another_with_it(db, deliver, refresh):
    # Five men aged 18-59 and one boy: the boy's group alone would be given away by
    # subtraction from the men's total.
    for i in range(5):
        deliver(household=household_with_members(DUHOK, members=1), source_id=f"a-{i}")
    family = household_with_members(DUHOK, members=3)  # a man, a woman, a boy
    deliver(household=family)
    refresh()
    shared = read_csv(export(shared=True))
    row = dict(zip(shared[1], shared[2], strict=True))
    assert row["#reached+m+age6_17"] == ""
    assert row["#reached+m+age18_59"] == ""  # complementary suppression
    assert row["#reached+m+age0_5"] == "0" and row["#reached+m+age60plus"] == "0"


# --- formulas ---------------------------------------------------------------------------------
def test_cells_that_would_run_as_formulas_are_neutralised(db, deliver, refresh):
    from sanad.programmes.models import Project
    from tests.factories import ProjectFactory

    project = ProjectFactory(title='=HYPERLINK("http://x","y")', code="@SUM")
    deliver(household=household_with_members(DUHOK, members=2), project=project)
    refresh()
    assert Project.objects.filter(pk=project.pk).exists()
    row = dict(zip(*read_csv(export())[1:3], strict=True))
    assert row["#activity+project+name"].startswith("'=")
    assert row["#activity+project+code"] == "'@SUM"
    sheet = load_workbook(io.BytesIO(export("xlsx")))["4W"]
    values = [c.value for c in sheet[3]]
    assert "'@SUM" in values and all(not str(v).startswith("=") for v in values if v)
    assert neutralise("-1") == "'-1" and neutralise(5) == 5 and neutralise("Duhok") == "Duhok"


@pytest.mark.parametrize("value", ["+1", "-x", "@a", "=b", "\tc"])
def test_every_dangerous_first_character_is_neutralised(value):
    assert neutralise(value).startswith("'")
