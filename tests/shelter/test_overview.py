"""The project view's figures: houses assessed, cases by status, cost per house and per
m², delays of every kind, houses below the space standard, upgrades and roads progress,
by governorate and modality, within the user's scope."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from sanad.shelter.selectors import overview
from sanad.shelter.services import works as services
from tests.camps.factories import make_site
from tests.factories import DUHOK, NINEWA, make_user
from tests.shelter.works_factories import (
    make_assessment,
    make_case,
    make_contract,
    make_contract_milestone,
    make_road,
    make_upgrade,
    resident,
    shelter_project,
    works_officer,
)

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 6, 1)
PAST, FUTURE = datetime.date(2026, 5, 1), datetime.date(2026, 7, 1)


@pytest.fixture
def project():
    return shelter_project("SHL-GFFO-OV")


@pytest.fixture
def everyone():
    return make_user("programme_officer", programmes=("SHELTER",))


def total(user, project):
    return overview.figures(user=user, by="project", project=project, on=ON)[project.pk]


def test_cost_per_house_and_per_m2_use_completed_cases_actual_cost_else_budget(project, everyone):
    make_case(project=project, status="completed", budget="5000", actual_cost="6000", area="40")
    make_case(project=project, status="handed_over", budget="4000", area="35")
    make_case(project=project, status="closed", budget="5000", actual_cost="5000", area="25")
    # Not completed: not in the cost.
    make_case(project=project, status="in_progress", budget="99999", area="10")
    make_case(project=project, status="cancelled", budget="99999", area="10")

    f = total(everyone, project)
    [cost] = f.costs
    assert (cost.currency, cost.houses, cost.total, cost.area) == (
        "USD",
        3,
        Decimal("15000.00"),
        Decimal("100"),
    )
    assert cost.per_house == Decimal("5000.00")
    assert cost.per_m2 == Decimal("150.00")


def test_costs_in_two_currencies_are_kept_apart(project, everyone):
    make_case(project=project, status="completed", budget="1000", area="30")
    make_case(project=project, status="completed", budget="3000000", area="20", currency="IQD")
    f = total(everyone, project)
    assert [(c.currency, c.per_house) for c in f.costs] == [
        ("IQD", Decimal("3000000.00")),
        ("USD", Decimal("1000.00")),
    ]


def test_cost_per_m2_is_rounded_to_the_cent(project, everyone):
    make_case(project=project, status="completed", budget="1000", area="3")
    [cost] = total(everyone, project).costs
    assert cost.per_m2 == Decimal("333.33")


def test_houses_assessed_count_only_validated_assessments(project, everyone):
    make_assessment(project=project)
    make_assessment(project=project)
    make_assessment(project=project, status="submitted")
    make_assessment(project=project, status="draft")
    assert total(everyone, project).assessed == 2


def test_cases_are_counted_by_status_with_closed_as_handed_over(project, everyone):
    for status in ("open", "open", "in_progress", "completed", "handed_over", "closed"):
        make_case(project=project, status=status)
    f = total(everyone, project)
    assert (f.cases_open, f.cases_in_progress, f.cases_completed, f.cases_handed_over) == (
        2,
        1,
        1,
        2,
    )
    # Each case made here came with its validated assessment.
    assert f.assessed == 6


def test_delays_count_late_cases_milestones_upgrades_and_roads(project, everyone):
    make_case(project=project, status="in_progress", planned_end=PAST)
    make_case(project=project, status="open", planned_end=PAST)
    make_case(project=project, status="in_progress", planned_end=FUTURE)
    make_case(project=project, status="completed", planned_end=PAST)
    make_case(project=project, status="cancelled", planned_end=PAST)
    contract = make_contract(project=project)
    make_contract_milestone(contract, due_on=PAST, sequence=1)
    make_contract_milestone(contract, due_on=PAST, sequence=2, status="certified")
    make_contract_milestone(contract, due_on=FUTURE, sequence=3)
    officer = works_officer()
    make_upgrade(user=officer, project=project, planned_end=PAST)
    make_upgrade(user=officer, project=project, planned_end=FUTURE)
    make_road(user=officer, project=project, planned_end=PAST)

    f = total(everyone, project)
    assert (f.cases_delayed, f.milestones_late, f.upgrades_delayed, f.roads_delayed) == (
        2,
        1,
        1,
        1,
    )
    assert f.delays == 5


def test_houses_below_the_space_standard_are_counted_unless_cancelled(project, everyone):
    make_case(project=project, below_standard=True)
    make_case(project=project, below_standard=True, status="completed")
    make_case(project=project, below_standard=True, status="cancelled")
    make_case(project=project, below_standard=False)
    assert total(everyone, project).below_standard == 2


def test_upgrade_and_road_progress_are_summed_over_the_project(project, everyone):
    officer = works_officer()
    site = make_site(governorate=DUHOK)
    upgrade = make_upgrade(
        user=officer, site=site, project=project, planned_households=4, start=True
    )
    make_upgrade(user=officer, site=site, project=project, planned_households=6)
    services.upgrade_households_record(
        user=officer, upgrade=upgrade, households=[resident(site), resident(site)]
    )
    road = make_road(user=officer, project=project, length_m="600", start=True)
    make_road(user=officer, project=project, length_m="400")
    services.road_progress_report(user=officer, road=road, data={"length_done_m": "250"})

    f = total(everyone, project)
    assert (f.upgrades, f.upgrade_households_planned, f.upgrade_households_reached) == (2, 10, 2)
    assert f.upgrade_progress == 20
    assert (f.roads, f.road_length_m, f.road_length_done_m) == (2, Decimal("1000"), Decimal("250"))
    assert f.road_progress == 25


def test_figures_count_only_what_is_in_the_users_governorates(project):
    make_case(project=project, governorate=DUHOK, status="completed", budget="1000", area="10")
    make_case(project=project, governorate=NINEWA, status="completed", budget="3000", area="10")
    duhok = make_user("programme_officer", governorates=(DUHOK,), programmes=("SHELTER",))
    [cost] = total(duhok, project).costs
    assert (cost.houses, cost.per_house) == (1, Decimal("1000.00"))


def test_the_overview_lists_shelter_projects_and_others_with_shelter_records(everyone):
    shelter = shelter_project("SHL-EMPTY")
    nfi = shelter_project("NFI-WITH-ROADS", programme="NFI")
    shelter_project("NFI-NOTHING", programme="NFI")
    admin = make_user("administrator")
    make_road(user=admin, project=nfi)
    codes = [p.code for p, _f in overview.overview(user=admin, on=ON)]
    assert "SHL-EMPTY" in codes and "NFI-WITH-ROADS" in codes and "NFI-NOTHING" not in codes
    assert codes.index("NFI-WITH-ROADS") < codes.index("SHL-EMPTY")  # with figures first
    # A user of the shelter programme only sees shelter projects.
    assert [p.code for p, _f in overview.overview(user=everyone, on=ON)] == [shelter.code]


def test_the_breakdown_is_by_governorate_and_by_modality(project, everyone):
    make_case(project=project, governorate=DUHOK, modality="direct", status="completed")
    make_case(project=project, governorate=NINEWA, modality="cash", status="in_progress")
    make_case(project=project, governorate=NINEWA, modality="cash", status="open")
    data = overview.project_breakdown(user=everyone, project=project, on=ON)
    by_gov = {unit.pcode: f for unit, f in data["governorates"]}
    assert by_gov[DUHOK].cases_completed == 1
    assert (by_gov[NINEWA].cases_in_progress, by_gov[NINEWA].cases_open) == (1, 1)
    by_mod = {value: f for value, _label, f in data["modalities"]}
    assert set(by_mod) == {"direct", "cash"}
    assert by_mod["cash"].cases == 2
    assert data["total"].cases == 3


def test_the_export_has_a_row_per_level_and_currency(project, everyone):
    make_case(project=project, governorate=DUHOK, status="completed", budget="1000", area="10")
    data = overview.project_breakdown(user=everyone, project=project, on=ON)
    headers, tags, rows = overview.export_rows(project=project, breakdown=data)
    assert len(headers) == len(tags) == len(rows[0])
    levels = [r[1] for r in rows]
    assert levels == ["project", "governorate", "modality"]
    per_house = headers.index("cost_per_house")
    assert rows[0][per_house] == Decimal("1000.00")
